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

# The LVM node's machine (sourced by part-lvm.sh): Debian's kernel
# unpacked, the initramfs, the virtual disks (all in <state>/lvm), and
# qemu's command line and boot.

# Debian's kernel, unpacked; depmod gives modprobe its index.
lvm_kernel() {
    local deb tmp ver
    [ ! -s "$LVM_KERNEL_DIR/version" ] || return 0
    tmp=$LVM_DIR/kernel.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp/debs"
    deb=$(apt-cache depends linux-image-amd64 |
        awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [ -n "$deb" ] || die "linux-image-amd64: no kernel package (apt update?)"
    (cd "$tmp/debs" && apt-get download -q "$deb" >>"$LOGS/apt.log" 2>&1) ||
        die "apt-get download $deb failed: see $LOGS/apt.log"
    dpkg-deb -x "$tmp"/debs/*.deb "$tmp/root"
    ver=$(ls "$tmp/root/lib/modules")
    depmod -b "$tmp/root" "$ver"
    rm -rf "$tmp/debs" "$LVM_KERNEL_DIR"
    mv "$tmp" "$LVM_KERNEL_DIR"
    echo "$ver" >"$LVM_KERNEL_DIR/version"
}

# lvm_mod_order MODULE...: their .ko files, dependencies first.
lvm_mod_order() {
    local ver=$1 dep
    shift
    dep=$LVM_KERNEL_DIR/root/lib/modules/$ver/modules.dep
    python3 - "$dep" "$@" <<'PY'
import sys
deps = {}
for line in open(sys.argv[1]):
    ko, _, rest = line.partition(':')
    deps[ko.rsplit('/', 1)[-1].split('.ko')[0].replace('-', '_')] = (
        ko, [d.rsplit('/', 1)[-1].split('.ko')[0].replace('-', '_')
             for d in rest.split()])
seen = []
def visit(name):
    ko, needs = deps[name]
    for n in needs:
        visit(n)
    if ko not in seen:
        seen.append(ko)
for m in sys.argv[2:]:
    visit(m)
print('\n'.join(seen))
PY
}

# What mounts the 9p root under an overlay: the rest loads in the guest.
lvm_initramfs() {
    local ver out tmp ko
    ver=$(cat "$LVM_KERNEL_DIR/version")
    out=$LVM_KERNEL_DIR/initrd.img
    [ "$out" -nt "$REPO/tools/stack/lvm/initramfs-init" ] && return 0
    tmp=$LVM_KERNEL_DIR/initrd.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp/bin" "$tmp/mod" "$tmp/proc" "$tmp/sys" "$tmp/dev"
    cp /bin/busybox "$tmp/bin/busybox"
    cp "$REPO/tools/stack/lvm/initramfs-init" "$tmp/init"
    : >"$tmp/mod/order"
    # Debian 12 ships its modules uncompressed.
    for ko in $(lvm_mod_order "$ver" virtio_pci 9pnet_virtio 9p overlay); do
        cp "$LVM_KERNEL_DIR/root/lib/modules/$ver/$ko" "$tmp/mod/"
        echo "${ko##*/}" >>"$tmp/mod/order"
    done
    (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.new"
    mv "$out.new" "$out"
    rm -rf "$tmp"
}

# Sparse raw disks (qcow2 costs CPU that TCG has none to spare for).
lvm_disks() {
    [ -e "$LVM_DIR/disk-thick.img" ] ||
        truncate -s 8G "$LVM_DIR/disk-thick.img"
    [ -e "$LVM_DIR/disk-thin.img" ] ||
        truncate -s 8G "$LVM_DIR/disk-thin.img"
}

# guestfwd PORT: guest connections to LVM_GW:PORT reach 127.0.0.1:PORT,
# one socat per connection (a chardev would carry a single one).
lvm_fwd() {
    echo "guestfwd=tcp:$LVM_GW:$1-cmd:socat - TCP:127.0.0.1:$1"
}

lvm_db_port() {
    case $DB in
        postgresql) echo "$PG_PORT" ;;
        mariadb) echo "$MY_PORT" ;;
        *) die "LVM=1 needs DB=postgresql or mariadb (the guest reaches" \
            "the database over TCP)" ;;
    esac
}

lvm_boot() {
    local ver net
    ver=$(cat "$LVM_KERNEL_DIR/version")
    mkdir -p "$LVM_DIR/logs"
    rm -f "$LVM_DIR/ready" "$LVM_SOCK"
    net="user,id=n0,restrict=on,$(lvm_fwd "$RABBIT_PORT")"
    net="$net,$(lvm_fwd "$(lvm_db_port)")"
    # -cpu max: TCG's richest CPU model (Debian's kernel wants x86-64-v1
    # plus what 'max' offers); MTTCG runs each vCPU on a host thread.
    launch lvm-guest qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
        -smp 2 -m "$LVM_MEMORY" -display none -no-reboot \
        -monitor none -serial "file:$LOGS/lvm-console.log" \
        -kernel "$LVM_KERNEL_DIR/root/boot/vmlinuz-$ver" \
        -initrd "$LVM_KERNEL_DIR/initrd.img" \
        -append "console=ttyS0 panic=-1 quiet snapext.dir=$LVM_DIR \
snapext.modules=$LVM_KERNEL_DIR/root/lib/modules/$ver \
snapext.init=$REPO/tools/stack/lvm/guest.sh" \
        -virtfs "local,path=/,mount_tag=hostroot,security_model=none,\
readonly=on,multidevs=remap" \
        -virtfs "local,path=$LVM_DIR,mount_tag=lvmshare,\
security_model=none,multidevs=remap" \
        -drive "file=$LVM_DIR/disk-thick.img,if=virtio,format=raw,\
cache=writeback" \
        -drive "file=$LVM_DIR/disk-thin.img,if=virtio,format=raw,\
cache=writeback" \
        -netdev "$net" -device virtio-net-pci,netdev=n0 \
        -device virtio-serial-pci \
        -chardev "socket,id=qga,path=$LVM_SOCK,server=on,wait=off" \
        -device virtserialport,chardev=qga,name=org.qemu.guest_agent.0
    date +%s%3N >"$LVM_DIR/boot-started"
}

lvm_wait_booted() {
    local end t0
    end=$((SECONDS + LVM_DEADLINE))
    t0=$(cat "$LVM_DIR/boot-started")
    until [ -e "$LVM_DIR/ready" ] && lvm_ping >/dev/null 2>&1; do
        running lvm-guest ||
            die "the LVM guest died: see $LOGS/lvm-console.log"
        [ "$SECONDS" -lt "$end" ] ||
            die "the LVM guest: not ready within ${LVM_DEADLINE}s (see" \
                "$LOGS/lvm-console.log)"
        sleep 0.5
    done
    [ -n "$t0" ] || return 0
    log "LVM guest booted in $(secs $(($(now_ms) - t0)))s (wall, TCG)"
    : >"$LVM_DIR/boot-started"
}
