#!/bin/bash
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

# A second cinder-backup with Cinder's posix driver (sourced part).
#
# Beside the Ceph one (BACKUP=ceph), as a deployer runs two backup
# targets: host '<host>-posix', the stack's cinder.conf with an override
# file (<state>/posix-backup/cinder-backup.conf) that sets the driver,
# backup_posix_path (<state>/posix-backup/backups) and an availability
# zone of its own, 'posix'. Cinder's scheduler places a backup on a
# service of the requested zone, the volume's ('nova') by default, and
# the backup manager records its zone on the backup, which later sends
# restores and deletes back to a service of that zone. So:
#
#   cinder backup-create --availability-zone posix <volume>
#
# backs up to files, and plain backups stay on Ceph.
#
#   POSIX_BACKUP  1 (default) or 0; unset, keeps what the stack was last
#                 brought up with. Off with BACKUP=posix (the main
#                 cinder-backup is then the posix one).

POSIX_BACKUP_DIR=$STATE/posix-backup
POSIX_BACKUP=${POSIX_BACKUP:-${SNAPEXT_STACK_POSIX_BACKUP:-$(cat \
    "$POSIX_BACKUP_DIR/enabled" 2>/dev/null || true)}}
POSIX_BACKUP=${POSIX_BACKUP:-1}
case $POSIX_BACKUP in
    0|1) ;;
    *) echo "POSIX_BACKUP=$POSIX_BACKUP: use 1 or 0" >&2; exit 2 ;;
esac
POSIX_BACKUP_HOST=$HOST_NAME-posix
POSIX_BACKUP_AZ=posix
POSIX_BACKUP_CONF=$POSIX_BACKUP_DIR/cinder-backup.conf
POSIX_BACKUP_LOG=$LOGS/cinder-backup-posix.log

posix_backup_on() {
    [ "$POSIX_BACKUP" = 1 ] && [ "$BACKUP" = ceph ]
}

write_posix_backup_conf() {
    cat >"$1" <<EOF
# Written by tools/stack.sh (part-posix-backup.sh): read after cinder.conf
# by the second cinder-backup.
[DEFAULT]
host = $POSIX_BACKUP_HOST
storage_availability_zone = $POSIX_BACKUP_AZ
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $POSIX_BACKUP_DIR/backups
# Each file is a chunk the driver holds in memory, twice while it
# compresses: the default (1.9 GB) made the service peak at 2.2 GiB of
# RSS for a 1 GiB volume. A multiple of backup_sha_block_size_bytes.
backup_file_size = 67108864
EOF
}

# What the running service read: a change to either file restarts it.
posix_backup_stamp() {
    cat "$CINDER_CONF" "$POSIX_BACKUP_CONF" | sha1sum | cut -d' ' -f1
}

stop_posix_backup() {
    stop_group TERM cinder-backup-posix
}

# The service list shows it up, in its zone.
posix_backup_listed() {
    cinder_ service-list --binary cinder-backup |
        grep -E "\| *$POSIX_BACKUP_HOST *\| *$POSIX_BACKUP_AZ *\
\| *enabled *\| *up *\|" >/dev/null
}

# posix_backup_ready OFFSET: the scheduler heard a working driver from it
# after byte OFFSET of its log (it places backups only then), and it is
# listed up.
posix_backup_ready() {
    tail -c +"$(($1 + 1))" "$LOGS/cinder-scheduler.log" |
        grep -E "backup service update from $POSIX_BACKUP_HOST: \
.*'backend_state': True" >/dev/null || return 1
    posix_backup_listed
}

start_posix_backup() {
    local offset end
    mkdir -p "$POSIX_BACKUP_DIR/backups"
    touch "$LOGS/cinder-scheduler.log"
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    launch_cinder cinder-backup-posix backup "$CINDER_CONF" \
        --config-file "$POSIX_BACKUP_CONF" --log-file "$POSIX_BACKUP_LOG"
    posix_backup_stamp >"$POSIX_BACKUP_DIR/stamp"
    end=$((SECONDS + DEADLINE))
    until posix_backup_ready "$offset" >/dev/null 2>&1; do
        running cinder-backup-posix ||
            die "cinder-backup ($POSIX_BACKUP_HOST) died: see" \
                "$POSIX_BACKUP_LOG"
        [ "$SECONDS" -lt "$end" ] ||
            die "cinder-backup ($POSIX_BACKUP_HOST): not ready within" \
                "${DEADLINE}s"
        sleep 0.5
    done
}

# -------------------------------------------------------------- hooks

hook_up_posix_backup() {
    local was
    mkdir -p "$POSIX_BACKUP_DIR"
    was=$(cat "$POSIX_BACKUP_DIR/enabled" 2>/dev/null || true)
    echo "$POSIX_BACKUP" >"$POSIX_BACKUP_DIR/enabled"
    if posix_backup_on; then
        write_posix_backup_conf "$POSIX_BACKUP_CONF"
        return 0
    fi
    stop_posix_backup
    # Its row would stay in the service list as 'down' for good.
    if [ "$was" = 1 ] && [ -f "$POSIX_BACKUP_CONF" ]; then
        "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" service \
            remove cinder-backup "$POSIX_BACKUP_HOST" >/dev/null 2>&1 || true
        rm -f "$POSIX_BACKUP_CONF"
    fi
}

# After the main Cinder is ready: the scheduler must run to hear from it.
hook_ready_posix_backup() {
    posix_backup_on || return 0
    if running cinder-backup-posix && [ -z "$VENV_CHANGED" ] &&
        [ "$(cat "$POSIX_BACKUP_DIR/stamp" 2>/dev/null)" = \
        "$(posix_backup_stamp)" ]; then
        wait_until "cinder-backup ($POSIX_BACKUP_HOST) up" \
            posix_backup_listed
        return 0
    fi
    stop_posix_backup
    start_posix_backup
    log "posix backups: cinder backup-create --availability-zone" \
        "$POSIX_BACKUP_AZ ..."
}

hook_down_posix_backup() {
    stop_posix_backup
}

hook_running_posix_backup() {
    posix_backup_on || return 0
    running cinder-backup-posix
}
