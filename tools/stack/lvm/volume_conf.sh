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

# The LVM node's cinder-volume configuration (sourced by part-lvm.sh).

# The guest's cinder-volume: the stack's cinder.conf, then this file.
write_lvm_conf() {
    local url conn b type
    url=$(sed -n 's/^transport_url = //p' "$CINDER_CONF" | head -n 1)
    conn=$(sed -n '/^\[database\]/,/^\[/ s/^connection = //p' \
        "$CINDER_CONF")
    cat >"$1" <<CONF
# Written by tools/stack.sh (part-lvm.sh): read after cinder.conf by the
# cinder-volume in the LVM guest, which reaches RabbitMQ and the
# database through qemu's forwards on $LVM_GW.
[DEFAULT]
host = $LVM_HOST
my_ip = 10.0.2.15
enabled_backends = $(echo "$LVM_BACKENDS" | tr ' ' ,)
state_path = /var/lib/cinder
log_dir = $LVM_DIR/logs
transport_url = ${url//127.0.0.1/$LVM_GW}
# A first privileged command spawns a privsep daemon, which imports for
# minutes under TCG on a loaded host: the backup service's call for a
# snapshot's export outlasted the default 60 s.
rpc_response_timeout = 600

[database]
connection = ${conn//127.0.0.1/$LVM_GW}

[oslo_concurrency]
lock_path = /var/lib/cinder/locks

[coordination]
backend_url = file:///var/lib/cinder/coordination

[snapext]
backup_snapshot_in_place = $LVM_IN_PLACE_OPT
CONF
    for b in $LVM_BACKENDS; do
        if [ "$b" = lvm-stock ]; then
            write_lvm_stock_section >>"$1"
            continue
        fi
        type=default
        [ "$b" != lvm-thin ] || type=thin
        cat >>"$1" <<CONF

[$b]
volume_driver = cinder_snapext.volume.drivers.lvm.SnapextLVMVolumeDriver
volume_backend_name = $b
volume_group = snapext-${b#lvm-}
lvm_type = $type
target_helper = tgtadm
target_protocol = iscsi
target_ip_address = 10.0.2.15
volumes_dir = /var/lib/cinder/volumes
# Zeroing a deleted thick volume costs a full write under emulation;
# the disks are scratch files of this stack.
volume_clear = none
CONF
    done
}

# LVM_STOCK=1: Cinder 29's own driver on the thick VG, the baseline of
# benchmarks/lvm_snapshot_backup.py. Only what a deployment must set,
# and thick LVM: volume_clear and the rest keep Cinder's defaults, so
# what stock costs is what a deployment of it pays (its temporary
# volumes are zeroed when deleted: Cinder's volume_clear = zero).
write_lvm_stock_section() {
    cat <<CONF

[lvm-stock]
volume_driver = cinder.volume.drivers.lvm.LVMVolumeDriver
volume_backend_name = lvm-stock
volume_group = snapext-thick
# Cinder's default, auto, would make a thin pool in this VG: thick LVM
# is what is compared.
lvm_type = default
target_helper = tgtadm
target_protocol = iscsi
target_ip_address = 10.0.2.15
volumes_dir = /var/lib/cinder/volumes
CONF
}
