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

# The LVM node's readiness (sourced by part-lvm.sh): its services
# started and waited for, either in the foreground or, after
# 'LVM=1 tools/stack.sh up --no-wait', in a background job of the stack,
# recorded by pid as 'lvm-ready' (its output: <logs>/lvm-ready.out).
#
# The guest's boot and its services' imports are ~90 s of emulated CPU
# on an idle machine, most of it waiting on nothing the host does: CI
# starts them before lanes that mostly wait on servers and collects
# them later. While the job runs, an 'up' that only remembers LVM=1
# leaves the guest alone; one that asks for LVM=1 waits for the job (by
# pid, with a deadline), then checks the guest as usual.

LVM_READY_STATUS=$LVM_DIR/ready-status

# Both guest services import at once (each ~70 s of TCG on an idle
# host), then each is waited for by its pid and the scheduler's log.
lvm_ready() {
    local b offset t0 volume=0 backup=0
    lvm_wait_booted
    write_lvm_conf "$LVM_CONF.new"
    if [ "$(sha1sum <"$LVM_CONF.new" | cut -d' ' -f1)" = \
        "$(cat "$LVM_DIR/conf-stamp" 2>/dev/null)" ] &&
        [ -z "$VENV_CHANGED" ] && lvm_volume_running; then
        rm -f "$LVM_CONF.new"
    else
        # LVM_STOCK=1 last time and not now: its service row goes too,
        # or service-list keeps a backend that is down for good.
        if grep -q '^\[lvm-stock\]' "$LVM_CONF" 2>/dev/null &&
            ! grep -q '^\[lvm-stock\]' "$LVM_CONF.new"; then
            "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" \
                service remove cinder-volume "$LVM_HOST@lvm-stock" \
                >/dev/null 2>&1 || true
        fi
        mv "$LVM_CONF.new" "$LVM_CONF"
        volume=1
    fi
    lvm_backup_needs_start && backup=1
    # Stopped before the offset: a service on its way out still reports.
    [ "$volume" = 0 ] || stop_lvm_volume
    [ "$backup" = 0 ] || stop_lvm_backup
    t0=$(now_ms)
    touch "$LOGS/cinder-scheduler.log"
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    [ "$volume" = 0 ] || launch_lvm_volume
    [ "$backup" = 0 ] || launch_lvm_backup
    [ "$volume" = 0 ] ||
        lvm_wait_service cinder-volume lvm_volume_ready "$offset" "$t0"
    [ "$backup" = 0 ] ||
        lvm_wait_service cinder-backup lvm_backup_ready "$offset" "$t0"
    for b in $LVM_BACKENDS; do
        ensure_volume_type "$b"
    done
    [ "$volume" = 0 ] || lvm_warm_up
}

# lvm_cinder_field KIND ID FIELD: one field of 'cinder KIND-show ID'
# ('gone' once Cinder no longer knows it).
lvm_cinder_field() {
    local out
    out=$(cinder_ "$1" "$2" 2>&1) || {
        case $out in
            *"No volume"*|*"No attachment"*|*"could not be found"*)
                echo gone ;;
        esac
        return 0
    }
    awk -F'|' -v f="$3" '{gsub(/ /, "", $2); gsub(/ /, "", $3)}
        $2 == f {print $3}' <<<"$out"
}

# lvm_warm_wait ID STATUS: until the volume has STATUS (or is gone);
# false once it is in error.
lvm_warm_wait() {
    local end st
    end=$((SECONDS + LVM_DEADLINE))
    until st=$(lvm_cinder_field show "$1" status) && [ "$st" = "$2" ]; do
        case $st in error*) return 1 ;; esac
        [ "$SECONDS" -lt "$end" ] ||
            die "LVM warm-up: volume $1 not $2 within ${LVM_DEADLINE}s" \
                "(it is '$st')"
        sleep 1
    done
}

# A process's first privileged call spawns its privsep daemon, which
# imports for 30 s to 2 min under TCG; in the guest's cinder-volume that
# is its first tgtadm, which the first backup of a snapshot would wait
# for. One export made and removed here pays for it where nothing waits
# ('up --no-wait'): an attachment of a scratch thin volume, with a
# connector made up, then deleted, and the volume deleted.
lvm_warm_up() {
    local t0 vol att
    # A Cinder project of its own (noauth takes any): the scratch volume
    # must not move the quota of openrc's project, which the fault lane,
    # running meanwhile, checks. Behind Keystone: no warm-up.
    [ "$CINDER_AUTH_STRATEGY" = noauth ] || return 0
    local own=OS_PROJECT_ID=snapext-lvm-warm-up
    local CINDER_CLI_AUTH=${CINDER_CLI_AUTH/OS_PROJECT_ID=admin/$own}
    t0=$(now_ms)
    vol=$(cinder_ create --volume-type lvm-thin --name snapext-lvm-warm-up 1 |
        awk -F'|' '$2 ~ /^ *id *$/ {gsub(/ /, "", $3); print $3}') ||
        die "LVM warm-up: cinder create failed"
    [ -n "$vol" ] || die "LVM warm-up: no volume id from cinder create"
    # Under TCG at load a guest backend's report may come later than
    # service_down_time: the scheduler then has no backend for it. The
    # warm-up only saves time, so it gives up then; the first export of
    # the scenarios pays for the daemon instead.
    if ! lvm_warm_wait "$vol" available; then
        log "LVM warm-up: volume $vol in error (no backend up for it?);" \
            "skipped"
        cinder_ delete "$vol" >/dev/null || true
        lvm_warm_wait "$vol" gone || true
        return 0
    fi
    # The API waits for the guest's answer rpc_response_timeout (60 s):
    # it may give up first; the guest goes on, and the attachment is
    # deleted either way.
    att=$(cinder_ attachment-create --connect True --host snapext-warm-up \
        --initiator iqn.2026-12.org.snapext:warm-up --ip 127.0.0.1 "$vol" |
        awk -F'|' '$2 ~ /^ *id *$/ {gsub(/ /, "", $3); print $3}' || true)
    if [ -z "$att" ]; then
        att=$(cinder_ attachment-list --volume-id "$vol" |
            awk -F'|' 'NR > 3 && NF > 2 {gsub(/ /, "", $2); print $2}' |
            head -n 1)
    fi
    [ -z "$att" ] || cinder_ attachment-delete "$att" >/dev/null ||
        die "LVM warm-up: attachment $att not deleted"
    lvm_warm_wait "$vol" available ||
        die "LVM warm-up: volume $vol in error after its attachment"
    cinder_ delete "$vol" >/dev/null
    lvm_warm_wait "$vol" gone || die "LVM warm-up: volume $vol not deleted"
    log "LVM guest: cinder-volume's privsep daemon up (an export made and" \
        "removed) in $(secs $(($(now_ms) - t0)))s"
}

# 'tools/stack.sh lvm-ready': the background job's own entry.
cmd_lvm_ready() {
    lvm_on || die "lvm-ready: the stack was not brought up with LVM=1"
    : >"$LVM_READY_STATUS"
    lvm_ready
    echo ok >"$LVM_READY_STATUS"
}

# The job, started by 'up --no-wait' once the guest has been launched;
# VENV_CHANGED goes with it (this 'up' may just have reinstalled).
lvm_ready_in_background() {
    : >"$LOGS/lvm-ready.out"
    : >"$LVM_READY_STATUS"
    launch lvm-ready env VENV_CHANGED="$VENV_CHANGED" \
        SNAPEXT_STACK_DIR="$STATE" "$REPO/tools/stack.sh" lvm-ready
    log "LVM guest: booting and starting its services in the background" \
        "(pid $(recorded lvm-ready)); 'LVM=1 $0 up' waits for them"
}

# Until the job has ended, by its pid; its own waits have deadlines
# (the boot and each service: LVM_DEADLINE), this one covers them all.
lvm_wait_background() {
    local end
    end=$((SECONDS + 3 * LVM_DEADLINE))
    log "LVM guest: waiting for its background start" \
        "(pid $(recorded lvm-ready))"
    while running lvm-ready; do
        if [ "$SECONDS" -ge "$end" ]; then
            stop_group TERM lvm-ready
            die "the LVM guest's background start did not end within" \
                "$((3 * LVM_DEADLINE))s: see $LOGS/lvm-ready.out"
        fi
        sleep 1
    done
    stop_group TERM lvm-ready
    sed 's/^/  lvm-ready: /' "$LOGS/lvm-ready.out"
    [ "$(cat "$LVM_READY_STATUS" 2>/dev/null)" = ok ] ||
        die "the LVM guest's background start failed: see" \
            "$LOGS/lvm-ready.out"
}
