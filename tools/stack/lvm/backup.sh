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

# The LVM node's cinder-backup (sourced by part-lvm.sh).
#
# The host has neither device-mapper nor an iSCSI initiator, so backups
# of LVM volumes and snapshots run in the guest: a cinder-backup with
# host 'lvm-node' in availability zone 'lvm' that attaches through
# open-iscsi in the guest to tgt in the guest, as a deployed Cinder
# does, and writes with Cinder's posix driver into <state>/lvm/backups
# (the share: the host can read every chunk). The scheduler places a
# backup in the zone asked for, so
#
#   cinder backup-create --availability-zone lvm <lvm volume>
#
# backs up in the guest while plain backups stay on the host's Ceph one.

LVM_BACKUP_AZ=lvm
LVM_BACKUP_CONF=$LVM_DIR/cinder-backup.conf

# Read after cinder.conf and the guest's cinder-volume file.
write_lvm_backup_conf() {
    cat >"$1" <<CONF
# Written by tools/stack.sh (lvm/backup.sh): the LVM guest's cinder-backup.
[DEFAULT]
# Its service row's zone (Cinder 29 has no backup_availability_zone);
# this file is the guest cinder-backup's only.
storage_availability_zone = $LVM_BACKUP_AZ
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $LVM_DIR/backups
# One chunk in memory at a time (the default is 1.9 GB), a multiple of
# backup_sha_block_size_bytes.
backup_file_size = 67108864
# zlib on every chunk is pure CPU, which an emulated guest has least of.
backup_compression_algorithm = none
CONF
}

lvm_backup_stamp() {
    cat "$LVM_CONF" "$LVM_BACKUP_CONF" | sha1sum | cut -d' ' -f1
}

lvm_backup_running() {
    lvm_service_running cinder-backup
}

# lvm_backup_ready OFFSET: the scheduler heard a working driver from it
# after byte OFFSET of its log (it places backups only then), and the
# service list shows it up in its zone (its first report sets that).
lvm_backup_ready() {
    tail -c +"$(($1 + 1))" "$LOGS/cinder-scheduler.log" |
        grep -E "backup service update from $LVM_HOST: \
.*'backend_state': True" >/dev/null || return 1
    cinder_ service-list --binary cinder-backup 2>/dev/null |
        grep -E "\| *$LVM_HOST *\| *$LVM_BACKUP_AZ *\| *enabled *\| *up *\|" \
        >/dev/null
}

# Started, not waited for: it imports while cinder-volume does.
launch_lvm_backup() {
    mkdir -p "$LVM_DIR/backups" "$LVM_DIR/logs"
    lvm_exec "mkdir -p /var/lib/cinder/locks
cd /
setsid $VENV/bin/cinder-backup --config-file $CINDER_CONF \
--config-file $LVM_CONF --config-file $LVM_BACKUP_CONF </dev/null \
>>$LVM_DIR/logs/cinder-backup.out 2>&1 &
echo \$! >$LVM_DIR/cinder-backup.pid" || die "cinder-backup in the guest"
    lvm_backup_stamp >"$LVM_DIR/backup-stamp"
}

stop_lvm_backup() {
    lvm_stop_guest_service cinder-backup
}

# Writes its file; true when no running one read the same files (it
# must be (re)started).
lvm_backup_needs_start() {
    write_lvm_backup_conf "$LVM_BACKUP_CONF"
    ! { [ "$(cat "$LVM_DIR/backup-stamp" 2>/dev/null)" = \
        "$(lvm_backup_stamp)" ] && [ -z "$VENV_CHANGED" ] &&
        lvm_backup_running; }
}
