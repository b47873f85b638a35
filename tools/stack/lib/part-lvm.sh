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

# An LVM storage node (sourced part): a qemu guest under TCG emulation
# (this machine's nested KVM cannot run a 64-bit guest, and its own
# kernel has no device-mapper), built from Debian packages only:
#
# - Debian's kernel, from the linux-image-amd64 package unpacked into
#   <state>/lvm/kernel (never installed on the host);
# - a busybox initramfs that mounts the host's root read-only over 9p
#   under a tmpfs overlay; tools/stack/lvm/guest.sh then runs as PID 1,
#   so lvm2, tgt, open-iscsi and the stack's venv are the host's (the
#   packages are installed on the host but never run there);
# - two sparse raw disks as physical volumes: VG snapext-thick, and VG
#   snapext-thin, where Cinder's driver makes the thin pool;
# - user-mode networking with restrict=on: the guest reaches only
#   10.0.2.100:<port>, forwarded to the stack's RabbitMQ and database on
#   127.0.0.1; nothing listens for it on the host;
# - qemu-ga on a virtio-serial port, a unix socket in <state>/run: how
#   the host runs commands in the guest (tools/stack/lvm_agent.py);
# - no udev: tools/stack/lvm/scsi_links.py makes the /dev/disk/by-id
#   links of iSCSI disks, which os-brick waits 10 s for at each attach.
#
# cinder-volume runs in the guest with host 'lvm-node' and two backends,
# lvm-thick and lvm-thin (SnapextLVMVolumeDriver, tgt targets), each
# with a volume type of its name, and cinder-backup with the same host
# in availability zone 'lvm' (tools/stack/lvm/backup.sh).
#
#   LVM  0 (default) or 1; unset, keeps what the stack was last brought
#        up with. LVM_MEMORY (MiB, default 1536) sizes the guest.
#   LVM_IN_PLACE  1 (default) or 0: the guest cinder-volume's
#        [snapext] backup_snapshot_in_place (0 restarts it; Cinder's
#        temporary volume for each backup of a snapshot).
#   LVM_STOCK  0 (default) or 1: a third backend, lvm-stock, Cinder 29's
#        own LVMVolumeDriver on the thick VG with Cinder's defaults
#        (volume type lvm-stock): what benchmarks/lvm_snapshot_backup.py
#        compares ours with. Not remembered, like LVM_IN_PLACE: one more
#        backend is one more cinder-volume process importing under TCG.

LVM_DIR=$STATE/lvm
# LVM=1 asked for by this call (not only remembered): see lvm/ready.sh.
LVM_ASKED=${LVM:-${SNAPEXT_STACK_LVM:-}}
# Set by 'up --no-wait' (tools/stack.sh).
LVM_NO_WAIT=""
LVM=${LVM:-${SNAPEXT_STACK_LVM:-$(cat "$LVM_DIR/enabled" 2>/dev/null ||
    true)}}
LVM=${LVM:-0}
case $LVM in
    0|1) ;;
    *) echo "LVM=$LVM: use 1 or 0" >&2; exit 2 ;;
esac
LVM_MEMORY=${LVM_MEMORY:-1536}
case ${LVM_IN_PLACE:=1} in
    0) LVM_IN_PLACE_OPT=false ;;
    1) LVM_IN_PLACE_OPT=true ;;
    *) echo "LVM_IN_PLACE=$LVM_IN_PLACE: use 1 or 0" >&2; exit 2 ;;
esac
# Emulated, cinder-volume took 4.5 min to report on a loaded 2-core host.
LVM_DEADLINE=$((DEADLINE > 600 ? DEADLINE : 600))
LVM_HOST=lvm-node
case ${LVM_STOCK:=0} in
    0) LVM_BACKENDS="lvm-thick lvm-thin" ;;
    1) LVM_BACKENDS="lvm-thick lvm-thin lvm-stock" ;;
    *) echo "LVM_STOCK=$LVM_STOCK: use 1 or 0" >&2; exit 2 ;;
esac
# Every backend the guest may have had, for the service rows to remove.
LVM_ALL_BACKENDS="lvm-thick lvm-thin lvm-stock"
LVM_SOCK=$RUN/lvm-qga.sock
LVM_KERNEL_DIR=$LVM_DIR/kernel
LVM_CONF=$LVM_DIR/cinder-volume.conf
# The guest's address for the host's loopback services (guestfwd).
LVM_GW=10.0.2.100

lvm_on() {
    [ "$LVM" = 1 ]
}

# lvm_exec [--timeout S] COMMAND: bash -c COMMAND in the guest.
lvm_exec() {
    local t=$DEADLINE
    if [ "$1" = --timeout ]; then
        t=$2
        shift 2
    fi
    python3 "$REPO/tools/stack/lvm_agent.py" "$LVM_SOCK" --timeout "$t" \
        exec "$1"
}

lvm_ping() {
    python3 "$REPO/tools/stack/lvm_agent.py" "$LVM_SOCK" --timeout 5 ping
}

# shellcheck source=tools/stack/lvm/machine.sh
. "$REPO/tools/stack/lvm/machine.sh"
# shellcheck source=tools/stack/lvm/backup.sh
. "$REPO/tools/stack/lvm/backup.sh"
# shellcheck source=tools/stack/lvm/volume_conf.sh
. "$REPO/tools/stack/lvm/volume_conf.sh"
# shellcheck source=tools/stack/lvm/ready.sh
. "$REPO/tools/stack/lvm/ready.sh"

# lvm_service_running NAME: its pid (<state>/lvm/NAME.pid) lives.
lvm_service_running() {
    lvm_exec --timeout 20 "kill -0 \$(cat $LVM_DIR/$1.pid)" >/dev/null 2>&1
}

lvm_volume_running() {
    lvm_service_running cinder-volume
}

# The scheduler heard from both backends after byte OFFSET of its log.
lvm_volume_ready() {
    local b news
    news=$(tail -c +"$(($1 + 1))" "$LOGS/cinder-scheduler.log" |
        grep -E "volume service update from" | cut -c1-300)
    for b in $LVM_BACKENDS; do
        grep -Eq "volume service update from +$LVM_HOST@$b:" <<<"$news" ||
            return 1
    done
}

# Started, not waited for (lvm_wait_service): cinder-backup imports
# meanwhile.
launch_lvm_volume() {
    mkdir -p "$LVM_DIR/logs"
    lvm_exec "mkdir -p /var/lib/cinder/locks /var/lib/cinder/volumes
cd /
setsid $VENV/bin/cinder-volume --config-file $CINDER_CONF \
--config-file $LVM_CONF </dev/null >>$LVM_DIR/logs/cinder-volume.out 2>&1 &
echo \$! >$LVM_DIR/cinder-volume.pid" || die "cinder-volume in the guest"
    sha1sum <"$LVM_CONF" | cut -d' ' -f1 >"$LVM_DIR/conf-stamp"
}

# lvm_wait_service NAME READY OFFSET T0: until READY OFFSET (the
# scheduler's log from that byte) holds, with NAME (cinder-volume or
# cinder-backup) alive in the guest; T0 (ms) is when it was launched.
lvm_wait_service() {
    local name=$1 ready=$2 offset=$3 t0=$4 end
    end=$((SECONDS + LVM_DEADLINE))
    until "$ready" "$offset"; do
        lvm_service_running "$name" || die "$name in the LVM guest died:" \
            "see $LVM_DIR/logs/$name.log and .out"
        [ "$SECONDS" -lt "$end" ] ||
            die "$name in the LVM guest: not ready within" \
                "${LVM_DEADLINE}s (see $LVM_DIR/logs/$name.log)"
        sleep 1
    done
    log "$name in the LVM guest ready in" \
        "$(secs $(($(now_ms) - t0)))s (wall, TCG)"
}

# lvm_stop_guest_service NAME: TERM the session of <state>/lvm/NAME.pid,
# up to 30 s for it to end, then KILL.
lvm_stop_guest_service() {
    local script
    lvm_ping >/dev/null 2>&1 || return 0
    script=$(cat <<SH
p=\$(cat $LVM_DIR/$1.pid 2>/dev/null)
[ -n "\$p" ] || exit 0
kill -TERM -- -\$p 2>/dev/null || exit 0
for i in \$(seq 60); do kill -0 \$p 2>/dev/null || exit 0; sleep 0.5; done
kill -KILL -- -\$p
SH
)
    lvm_exec --timeout 40 "$script" >/dev/null 2>&1 || true
}

stop_lvm_volume() {
    lvm_stop_guest_service cinder-volume
}

lvm_power_off() {
    local end
    running lvm-guest || return 0
    stop_lvm_backup
    stop_lvm_volume
    # No init to ask: sync, then the kernel powers off (qemu -no-reboot
    # exits). The agent never answers this one.
    lvm_exec --timeout 5 "sync; echo o >/proc/sysrq-trigger" \
        >/dev/null 2>&1 || true
    end=$((SECONDS + 30))
    while running lvm-guest && [ "$SECONDS" -lt "$end" ]; do
        sleep 0.5
    done
    stop_group TERM lvm-guest
}

# The guest's Cinder services in the memory table (inspect.sh): each
# one's session, read in the guest.
lvm_mem_rows() {
    local n row
    lvm_on && running lvm-guest || return 0
    for n in cinder-volume cinder-backup; do
        row=$(lvm_exec --timeout 20 "s=\$(cat $LVM_DIR/$n.pid) || exit 1
for p in \$(ps -o pid= -s \$s); do
    awk '/^VmHWM:/ {print \$2}' /proc/\$p/status
done | awk '{k += \$1} END {print NR, int(k / 1024)}'" 2>/dev/null) ||
            continue
        printf '%-22s %6s %14s\n' "  $n (guest)" "${row% *}" "${row#* }"
    done
}

# -------------------------------------------------------------- hooks

hook_packages_lvm() {
    lvm_on || return 0
    echo qemu-system-x86 busybox-static kmod cpio socat lvm2
    echo thin-provisioning-tools tgt open-iscsi qemu-guest-agent
}

# Starts the guest: it boots while Cinder starts on the host.
hook_up_lvm() {
    local was
    mkdir -p "$LVM_DIR"
    was=$(cat "$LVM_DIR/enabled" 2>/dev/null || true)
    echo "$LVM" >"$LVM_DIR/enabled"
    if ! lvm_on; then
        stop_group TERM lvm-ready
        lvm_power_off
        if [ "$was" = 1 ]; then
            local b
            for b in $LVM_ALL_BACKENDS; do
                "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" \
                    service remove cinder-volume "$LVM_HOST@$b" \
                    >/dev/null 2>&1 || true
            done
            "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" \
                service remove cinder-backup "$LVM_HOST" >/dev/null 2>&1 ||
                true
        fi
        return 0
    fi
    lvm_db_port >/dev/null
    running lvm-guest && return 0
    lvm_kernel
    lvm_initramfs
    lvm_disks
    lvm_boot
}

# The guest's services, waited for; or, after 'up --no-wait', left to
# a background job (tools/stack/lvm/ready.sh) that the next 'up' asking
# for LVM=1 collects: it waits for the job, prints its output and fails
# if it failed.
hook_ready_lvm() {
    lvm_on || return 0
    if [ -e "$RUN/lvm-ready.pid" ]; then
        if [ "$LVM_ASKED" = 1 ]; then
            lvm_wait_background
        elif running lvm-ready; then
            log "LVM guest: still starting in the background (pid" \
                "$(recorded lvm-ready)); left alone"
            return 0
        fi
    elif [ -n "$LVM_NO_WAIT" ]; then
        lvm_ready_in_background
        return 0
    fi
    lvm_ready
}

hook_down_lvm() {
    stop_group TERM lvm-ready
    lvm_power_off
}

hook_running_lvm() {
    lvm_on || return 0
    # Starting in the background, as 'up --no-wait' asked.
    ! running lvm-ready || return 0
    running lvm-guest && lvm_volume_running && lvm_backup_running
}
