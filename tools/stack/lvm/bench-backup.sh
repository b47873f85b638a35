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

# One measured backup of a snapshot on the LVM node (issue 18, point 4),
# the guest's half of benchmarks/lvm_snapshot_backup.py, which runs it
# once per backend and compares. On a stack with LVM=1 (LVM_STOCK=1 for
# the backend lvm-stock):
#
# 1. a volume of SIZE GiB on BACKEND, written whole (zeros, by the
#    guest's kernel: a pattern piped through tr costs minutes a GiB under
#    TCG), then 8 MiB of 0x5a at its start and 4 MiB of 0xc3 at 700 MiB,
#    a snapshot of it, then its first 4 MiB rewritten (0x99): a backup
#    that read the volume instead of its snapshot has another checksum;
# 2. the guest's page cache dropped, then one backup of the snapshot in
#    the guest's cinder-backup (zone lvm), timed until it is available
#    and until the backend's LVs are those of before (a temporary
#    volume, if the way makes one, deleted and, with Cinder's default
#    volume_clear, zeroed first);
# 3. the guest kernel's block statistics (/sys/block/vd*/stat, sectors
#    read and written on each virtual disk, each a physical volume)
#    before and after, and the commands the guest cinder-volume logged
#    meanwhile (lvcreate, dd, lvremove);
# 4. the MD5 of what the backup restores to, which must be what was
#    written before the snapshot: with SNAPEXT_BENCH_RESTORE=1 the backup
#    restored into a new volume of BACKEND and read in the guest (a GiB
#    costs a quarter of an hour under TCG at load 20), otherwise the
#    backup's chunk files read on the host (backup_digest.py).
#
# Everything made is deleted at the end, on failure too. Output, one
# fact a line, for the benchmark to parse:
#
#   disk NAME VG READ_BYTES WRITTEN_BYTES
#   seconds available|settled S
#   commands lvcreate|dd|lvremove N
#   md5 expected|restored HEX
#
#   SNAPEXT_STACK_SLOT=N tools/stack/lvm/bench-backup.sh BACKEND [SIZE]
set -eu -o pipefail

REPO=$(cd "$(dirname "$0")/../../.." && pwd)
SLOT=${SNAPEXT_STACK_SLOT:+-$SNAPEXT_STACK_SLOT}
STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack$SLOT}
BACKEND=${1:?BACKEND: lvm-thick, lvm-thin or lvm-stock}
SIZE=${2:-1}
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-1800}
case $BACKEND in
    lvm-thin) VG=snapext-thin ;;
    lvm-thick|lvm-stock) VG=snapext-thick ;;
    *) echo "$BACKEND: not a backend of the LVM node" >&2; exit 2 ;;
esac
VOLUME_LOG=$STATE/lvm/logs/cinder-volume.log
# shellcheck source=/dev/null
. "$STATE/openrc"

guest() {
    python3 "$REPO/tools/stack/lvm_agent.py" "$STATE/run/lvm-qga.sock" \
        --timeout "$DEADLINE" exec "$1"
}

# "vda snapext-thick SECTORS_READ SECTORS_WRITTEN" per virtual disk.
disk_stats() {
    guest 'pvs --noheadings -o pv_name,vg_name | while read -r pv vg; do
    d=${pv#/dev/}; set -- $(cat /sys/block/$d/stat)
    echo $d $vg $3 $7; done'
}

lv_names() {
    guest "lvs --noheadings -o lv_name $VG | sort"
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

# wait_gone SHOW ID: cinder SHOW ID no longer finds it, by DEADLINE.
wait_gone() {
    local end=$((SECONDS + DEADLINE))
    while cinder "$1" "$2" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$end" ] || { echo "$1 $2 stays" >&2; exit 1; }
        sleep 2
    done
}

# fill LV OFFSET_MIB LENGTH_MIB OCTAL_BYTE
fill() {
    guest "head -c $3M /dev/zero | tr '\\000' '\\$4' | dd of=/dev/$VG/$1 \
bs=4M seek=$(($2 / 4)) iflag=fullblock oflag=direct conv=notrunc \
status=none"
}

clean_up() {
    set +e
    [ -z "${backup:-}" ] || {
        cinder backup-delete "$backup" >/dev/null 2>&1
        wait_gone backup-show "$backup"
    }
    [ -z "${restored:-}" ] || cinder delete "$restored" >/dev/null 2>&1
    [ -z "${snap:-}" ] || {
        cinder snapshot-delete "$snap" >/dev/null 2>&1
        wait_gone snapshot-show "$snap"
    }
    [ -z "${vol:-}" ] || cinder delete "$vol" >/dev/null 2>&1
    [ -z "${restored:-}" ] || wait_gone show "$restored"
    [ -z "${vol:-}" ] || wait_gone show "$vol"
}
trap clean_up EXIT

new_volume() {
    local id
    id=$(field "$(cinder create --volume-type "$BACKEND" --name "$1" \
        "$SIZE")" id)
    wait_for show "$id" available
    echo "$id"
}

vol=$(new_volume snapext-bench)
# Whole: a thick LV's extents keep what a deleted volume left there.
guest "dd if=/dev/zero of=/dev/$VG/volume-$vol bs=4M count=$((SIZE * 256)) \
oflag=direct status=none"
fill "volume-$vol" 0 8 132
fill "volume-$vol" 700 4 303
snap=$(field "$(cinder snapshot-create --name snapext-bench "$vol")" id)
wait_for snapshot-show "$snap" available
fill "volume-$vol" 0 4 231
expected=$(python3 -c '
import hashlib, sys
size = int(sys.argv[1]) << 30
data = bytearray(size)
data[0:8 << 20] = b"\x5a" * (8 << 20)
data[700 << 20:704 << 20] = b"\xc3" * (4 << 20)
print(hashlib.md5(data, usedforsecurity=False).hexdigest())' "$SIZE")

lvs_before=$(lv_names)
guest 'sync; echo 3 >/proc/sys/vm/drop_caches'
before=$(disk_stats)
log_from=$(stat -c %s "$VOLUME_LOG")
t0=$(date +%s%N)
backup=$(field "$(cinder backup-create --availability-zone lvm \
    --snapshot-id "$snap" --name snapext-bench "$vol")" id)
wait_for backup-show "$backup" available
t1=$(date +%s%N)
end=$((SECONDS + DEADLINE))
until [ "$(lv_names)" = "$lvs_before" ]; do
    [ "$SECONDS" -lt "$end" ] ||
        { echo "$VG: its LVs differ from before the backup" >&2; exit 1; }
    sleep 1
done
t2=$(date +%s%N)
guest sync
after=$(disk_stats)
news=$(tail -c +"$((log_from + 1))" "$VOLUME_LOG")

join <(sort <<<"$before") <(sort <<<"$after") |
    while read -r disk vg r0 w0 _ r1 w1; do
        echo "disk $disk $vg $(((r1 - r0) * 512)) $(((w1 - w0) * 512))"
    done
echo "seconds available $(((t1 - t0) / 1000000))e-3"
echo "seconds settled $(((t2 - t0) / 1000000))e-3"
# The commands the guest cinder-volume ran meanwhile (every backend's:
# the others run only their periodic vgs and lvs).
for c in lvcreate dd lvremove; do
    echo "commands $c $(grep -cE "Running cmd .*[ \"']$c " <<<"$news" ||
        true)"
done

echo "md5 expected ${expected%% *}"
if [ "${SNAPEXT_BENCH_RESTORE:-0}" = 1 ]; then
    restored=$(new_volume snapext-bench-restored)
    cinder backup-restore --volume "$restored" "$backup" >/dev/null
    wait_for backup-show "$backup" available
    wait_for show "$restored" available
    echo "md5 restored $(guest "python3 $REPO/tools/stack/lvm/lv_digest.py \
/dev/$VG/volume-$restored" | cut -d' ' -f1)"
else
    echo "md5 restored $(python3 "$REPO/tools/stack/lvm/backup_digest.py" \
        "$STATE/lvm/backups" "$backup" $((SIZE << 30)))"
fi
