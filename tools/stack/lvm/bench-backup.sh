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

# What one backup of a snapshot costs the LVM node's disks (issue 18,
# point 4; a first cut). On a stack with LVM=1: a volume of SIZE GiB
# (default 1) on BACKEND (default lvm-thick), filled whole, a snapshot of
# it, then one backup of the snapshot in the guest's cinder-backup; the
# guest kernel's block statistics (/sys/block/vd*/stat: sectors read and
# written) before and after it, and its wall time. The volume's own
# backend decides the way (LVM_IN_PLACE of the stack: 1, the snapshot
# read in place; 0, Cinder's temporary volume, as Cinder's
# LVMVolumeDriver does): run it once each way and compare the lines.
#
#   SNAPEXT_STACK_SLOT=N tools/stack/lvm/bench-backup.sh [BACKEND [SIZE]]
set -eu -o pipefail

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
SLOT=${SNAPEXT_STACK_SLOT:+-$SNAPEXT_STACK_SLOT}
STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack$SLOT}
BACKEND=${1:-lvm-thick}
SIZE=${2:-1}
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-1800}
# shellcheck source=/dev/null
. "$STATE/openrc"

guest() {
    python3 "$REPO/tools/stack/lvm_agent.py" "$STATE/run/lvm-qga.sock" \
        --timeout "$DEADLINE" exec "$1"
}

# Sectors (512 bytes) read and written per virtual disk: "vda R W".
disk_stats() {
    guest 'for d in /sys/block/vd*; do
    set -- $(cat $d/stat); echo ${d##*/} $3 $7; done'
}

field() {
    awk -v k="$2" '$2 == k {print $4}' <<<"$1"
}

# wait_for SHOW ID STATUS: cinder SHOW ID says STATUS, by DEADLINE.
wait_for() {
    local end now
    end=$((SECONDS + DEADLINE))
    while :; do
        now=$(cinder "$1" "$2" | awk '$2 == "status" {print $4}')
        [ "$now" != "$3" ] || return 0
        case $now in error*) echo "$1 $2: $now" >&2; exit 1 ;; esac
        [ "$SECONDS" -lt "$end" ] ||
            { echo "$1 $2: $now after ${DEADLINE}s" >&2; exit 1; }
        sleep 2
    done
}

vol=$(field "$(cinder create --volume-type "$BACKEND" --name bench \
    "$SIZE")" id)
trap 'cinder backup-delete "${backup:-none}" >/dev/null 2>&1 || true' EXIT
wait_for show "$vol" available
vg=snapext-${BACKEND#lvm-}
guest "head -c ${SIZE}G /dev/zero | tr '\\000' '\\132' | \
dd of=/dev/$vg/volume-$vol bs=4M iflag=fullblock oflag=direct status=none"
snap=$(field "$(cinder snapshot-create --name bench "$vol")" id)
wait_for snapshot-show "$snap" available
guest sync
before=$(disk_stats)
t0=$(date +%s%N)
backup=$(field "$(cinder backup-create --availability-zone lvm \
    --snapshot-id "$snap" --name bench "$vol")" id)
wait_for backup-show "$backup" available
t1=$(date +%s%N)
after=$(disk_stats)
mode=$(sed -n 's/^backup_snapshot_in_place = //p' \
    "$STATE/lvm/cinder-volume.conf")
printf '%-10s %-6s %-5s %9s %12s %12s\n' backend inplace disk seconds \
    "MiB read" "MiB written"
join <(sort <<<"$before") <(sort <<<"$after") |
    while read -r disk r0 w0 r1 w1; do
        printf '%-10s %-6s %-5s %9.1f %12d %12d\n' "$BACKEND" "$mode" \
            "$disk" "$(((t1 - t0) / 1000000))e-3" \
            $(((r1 - r0) / 2048)) $(((w1 - w0) / 2048))
    done
cinder backup-delete "$backup" >/dev/null
wait_for snapshot-show "$snap" available
cinder snapshot-delete "$snap"
end=$((SECONDS + DEADLINE))
while cinder snapshot-show "$snap" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || { echo "snapshot $snap stays" >&2; exit 1; }
    sleep 2
done
cinder delete "$vol"
