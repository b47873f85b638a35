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

# PID 1 of the LVM node (the qemu guest of tools/stack/lib/part-lvm.sh),
# on the host's root (read-only 9p under a tmpfs overlay): the kernel's
# modules, the network, the volume groups on the virtual disks, tgtd,
# iscsid and qemu-ga, through which the host runs everything else
# (cinder-volume included). Reaps orphans until the host powers it off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
dir="" modules=""
for a in $(cat /proc/cmdline); do
    case $a in
        snapext.dir=*) dir=${a#snapext.dir=} ;;
        snapext.modules=*) modules=${a#snapext.modules=} ;;
    esac
done
say() { echo "guest: $*" >/dev/console; }
say "stage 2 at $(cut -d' ' -f1 /proc/uptime)s"

mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# The host's state directory of this part, read-write: logs, the
# cinder-volume config, what the host reads back.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lvmshare "$dir" ||
    say "mounting $dir failed"
mkdir -p "/lib/modules/$(uname -r)"
mount --bind "$modules" "/lib/modules/$(uname -r)"
for m in virtio_net virtio_blk virtio_console loop dm_mod dm_snapshot \
    dm_thin_pool iscsi_tcp sd_mod; do
    modprobe "$m" || say "modprobe $m failed"
done

hostname lvm-node
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

# LVM without udev (the guest runs none) and on the virtual disks only.
mkdir -p /etc/lvm /run/lock/lvm /var/lib/iscsi /etc/iscsi /var/run
cat >/etc/lvm/lvm.conf <<'CONF'
devices {
    # Loop devices: the scratch VG of test_stack_lvm_outputs.py.
    filter = [ "a|^/dev/vd|", "a|^/dev/sd|", "a|^/dev/loop|", "r|.*|" ]
    obtain_device_list_from_udev = 0
}
activation {
    udev_sync = 0
    udev_rules = 0
}
CONF
# The disks are blank on first boot: two volume groups. Cinder's LVM
# driver makes the thin pool (snapext-thin-pool) itself, as deployed.
if ! vgs snapext-thick >/dev/null 2>&1; then
    pvcreate -q /dev/vda && vgcreate -q snapext-thick /dev/vda
fi
if ! vgs snapext-thin >/dev/null 2>&1; then
    pvcreate -q /dev/vdb && vgcreate -q snapext-thin /dev/vdb
fi
vgchange -q -ay >/dev/null

echo "InitiatorName=iqn.2004-10.org.debian:snapext-lvm-node" \
    >/etc/iscsi/initiatorname.iscsi
mkdir -p /var/lib/cinder/volumes /etc/tgt/conf.d
echo "include /var/lib/cinder/volumes/*" >/etc/tgt/conf.d/cinder.conf
tgtd >"$dir/logs/tgtd.log" 2>&1
iscsid >"$dir/logs/iscsid.log" 2>&1
# Its port by name (no udev here to make /dev/virtio-ports/NAME).
for p in /sys/class/virtio-ports/*; do
    [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] || continue
    qemu-ga -m virtio-serial -p "/dev/${p##*/}" -d \
        -l "$dir/logs/qemu-ga.log"
done
# The /dev/disk/by-id/scsi-* links udev would make: without them
# os-brick waits 10 s at every iSCSI attach (scsi_links.py).
python3 -S "${0%/*}/scsi_links.py" >"$dir/logs/scsi-links.log" 2>&1 &
say "ready at $(cut -d' ' -f1 /proc/uptime)s"
touch "$dir/ready"

trap 'exit 0' TERM
while :; do
    wait
    sleep 1
done
