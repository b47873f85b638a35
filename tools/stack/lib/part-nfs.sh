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

# The NFS backend of tools/stack.sh and its emulated Nova (sourced part).
#
# The kernel here has no NFS client: each "share" is a folder of the
# state directory, bind-mounted at the mount point Cinder's NFS driver
# computes (nfs_mount_point_base/md5(share)), so os-brick finds it
# mounted and never runs mount.nfs (which must still exist: nfs-common).
# Nova is tools/stack/nova_emulator.py, which [nova] points at.
#
# Environment (both remembered in the state directory, like DB):
#   NFS        1 (default): backend 'nfs' with cinder-snapext's driver
#              (Cinder's NfsDriver until cinder_snapext has its own);
#              0: no NFS backend, no emulator
#   NFS_STOCK  1: also backend 'nfs_stock', Cinder 29's own NfsDriver on
#              a share of its own, for benchmarks/assisted_snapshots.py

NFS=${NFS:-$(cat "$STATE/nfs.enabled" 2>/dev/null || true)}
NFS=${NFS:-1}
NFS_STOCK=${NFS_STOCK:-$(cat "$STATE/nfs-stock.enabled" 2>/dev/null ||
    true)}
NFS_STOCK=${NFS_STOCK:-0}
case $NFS$NFS_STOCK in
    [01][01]) ;;
    *) echo "NFS=$NFS NFS_STOCK=$NFS_STOCK: use 0 or 1" >&2; exit 2 ;;
esac
NFS_DIR=$STATE/nfs
NFS_MOUNT_BASE=$NFS_DIR/mnt
NOVA_PORT=$((8774 + OFFSET))
NOVA_EMULATOR=$REPO/tools/stack/nova_emulator.py

nfs_backends() {
    [ "$NFS" = 1 ] || return 0
    echo nfs
    [ "$NFS_STOCK" = 0 ] || echo nfs_stock
}

# The share string of a backend, as written to nfs_shares_config.
nfs_share() {
    echo "127.0.0.1:$NFS_DIR/export/$1"
}

# Where the driver looks for that share: os-brick's mount point.
nfs_mount_point() {
    local hash
    hash=$(printf '%s' "$(nfs_share "$1")" | md5sum | cut -d' ' -f1)
    echo "$NFS_MOUNT_BASE/$hash"
}

nfs_driver() {
    local ours=$REPO/cinder_snapext/volume/drivers/nfs.py
    if [ "$1" = nfs ] && grep -qs '^class SnapextNfsDriver' "$ours"; then
        echo cinder_snapext.volume.drivers.nfs.SnapextNfsDriver
    else
        echo cinder.volume.drivers.nfs.NfsDriver
    fi
}

hook_packages_nfs() {
    [ "$NFS" = 1 ] || return 0
    # mount.nfs only because the driver refuses to start without it.
    echo qemu-utils nfs-common
}

hook_backends_nfs() {
    nfs_backends
}

hook_conf_sections_nfs() {
    local b
    [ "$NFS" = 1 ] || return 0
    for b in $(nfs_backends); do
        # Snapshots refuse secure file operations; 'auto' would turn
        # them on for a fresh database.
        cat <<EOF

[$b]
volume_driver = $(nfs_driver "$b")
volume_backend_name = $b
nfs_shares_config = $NFS_DIR/shares-$b
nfs_mount_point_base = $NFS_MOUNT_BASE
nfs_snapshot_support = True
nfs_sparsed_volumes = True
nas_secure_file_operations = false
nas_secure_file_permissions = false
nfs_mount_attempts = 1
EOF
    done
    cat <<EOF

# Nova is tools/stack/nova_emulator.py: a fixed endpoint, no Keystone.
[nova]
auth_type = none
endpoint = http://127.0.0.1:$NOVA_PORT/v2.1

# Overdue assisted snapshot phases are found within periodic_interval
# (integration: a Nova that never answers).
[snapext]
assisted_snapshot_check_interval = 5
EOF
}

# nfs_bind BACKEND: its export folder at its mount point, once.
nfs_bind() {
    local src=$NFS_DIR/export/$1 mnt
    mnt=$(nfs_mount_point "$1")
    mkdir -p "$src" "$mnt"
    nfs_share "$1" >"$NFS_DIR/shares-$1"
    mountpoint -q "$mnt" && return 0
    mount --bind "$src" "$mnt" || die "bind mount of $src at $mnt failed"
    echo "$mnt" >>"$NFS_DIR/mounts"
}

nova_emulator_ready() {
    "$VENV/bin/python" - "$NOVA_PORT" <<'EOF'
import sys, urllib.request
urllib.request.urlopen('http://127.0.0.1:%s/emulator/behaviour'
                       % sys.argv[1], timeout=5)
EOF
}

start_nova_emulator() {
    local stamp args="" b
    for b in $(nfs_backends); do
        args="$args --share $(nfs_mount_point "$b")"
    done
    # The shares are in the stamp: the emulator learns them only at its
    # start, so an 'up' that adds nfs_stock must restart it (a running
    # one failed every snapshot on the stock share, "no file of volume").
    stamp="$(sha1sum <"$NOVA_EMULATOR" | cut -d' ' -f1)$args"
    if running nova-emulator; then
        [ "$(cat "$NFS_DIR/emulator.stamp" 2>/dev/null)" != "$stamp" ] ||
            return 0
        log "nova_emulator.py or its shares changed: restarting it"
        stop_group TERM nova-emulator
    fi
    require_port_free "$NOVA_PORT" "Nova emulator"
    # shellcheck disable=SC2086
    launch nova-emulator "$VENV/bin/python" "$NOVA_EMULATOR" \
        --port "$NOVA_PORT" --cinder-url "http://127.0.0.1:$API_PORT/v3" \
        $args
    echo "$stamp" >"$NFS_DIR/emulator.stamp"
    wait_until "Nova emulator (see $LOGS/nova-emulator.out)" \
        nova_emulator_ready
}

hook_up_nfs() {
    local b
    mkdir -p "$NFS_DIR"
    echo "$NFS" >"$STATE/nfs.enabled"
    echo "$NFS_STOCK" >"$STATE/nfs-stock.enabled"
    [ "$NFS" = 1 ] || return 0
    # The driver fails to start when the share is not mounted yet.
    for b in $(nfs_backends); do
        nfs_bind "$b"
    done
    start_nova_emulator
}

hook_down_nfs() {
    local mnt left=""
    stop_group TERM nova-emulator
    [ -s "$NFS_DIR/mounts" ] || return 0
    # Only what nfs_bind mounted; a mount that stays is kept on record.
    while read -r mnt; do
        mountpoint -q "$mnt" || continue
        umount "$mnt" || { log "could not unmount $mnt"; left="$left $mnt"; }
    done <"$NFS_DIR/mounts"
    if [ -n "$left" ]; then
        printf '%s\n' $left >"$NFS_DIR/mounts"
        return 1
    fi
    rm -f "$NFS_DIR/mounts"
}

hook_running_nfs() {
    local b
    [ "$NFS" = 1 ] || return 0
    running nova-emulator || return 1
    for b in $(nfs_backends); do
        mountpoint -q "$(nfs_mount_point "$b")" || return 1
    done
}
