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

# Helpers and process records of tools/stack.sh (sourced, not run).

# ---------------------------------------------------------------- helpers

now_ms() {
    local t=${EPOCHREALTIME/./}
    echo $((t / 1000))
}

secs() {
    # milliseconds -> "12.3"
    printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100))
}

T_START=$(now_ms)

log() {
    printf '[%6ss] %s\n' "$(secs $(($(now_ms) - T_START)))" "$*"
}

die() {
    echo "ERROR: $*" >&2
    exit 1
}

# step NAME COMMAND...: run and time one step of 'up'.
step() {
    local name=$1 t0 ms
    shift
    t0=$(now_ms)
    "$@"
    ms=$(($(now_ms) - t0))
    log "$(printf '%-34s %6ss' "$name" "$(secs "$ms")")"
    printf '%s\t%s\t%s\n' "$(date +%FT%T)" "$name" "$(secs "$ms")" \
        >>"$LOGS/up-times.tsv"
}

# wait_until DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_until() {
    local what=$1 end
    shift
    end=$((SECONDS + DEADLINE))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$end" ]; then
            die "$what: not ready within ${DEADLINE}s"
        fi
        sleep 0.5
    done
}

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

require_port_free() {
    if port_busy "$1"; then
        die "127.0.0.1:$1 ($2) is already taken by a process this tool" \
            "did not start; stop it or change the port"
    fi
}

# ------------------------------------------------------ process records
#
# run/NAME.pid holds "PID STARTTIME BOOT_ID". Every process is started
# with setsid, so it leads its own session: everything it spawns (API
# workers, the privsep daemon that double-forks, postgres backends) stays
# in that session or below it. Only those processes are ever signalled.

BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)

# stat fields after the command name: state ppid pgrp session ...
# starttime is the 20th of them. Read with builtins only: no forks.
starttime() {
    local s
    { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo "${20}"
}

declare -A PPID_OF SID_OF

proc_table() {
    local d s
    PPID_OF=()
    SID_OF=()
    for d in /proc/[0-9]*; do
        { read -r s <"$d/stat"; } 2>/dev/null || continue
        s=${s##*) }
        # shellcheck disable=SC2086
        set -- $s
        # A zombie has finished already: its parent reaps it.
        [ "$1" != Z ] || continue
        PPID_OF[${d#/proc/}]=$2
        SID_OF[${d#/proc/}]=$4
    done
}

# launch NAME COMMAND...: start COMMAND in its own session, record it.
launch() {
    local name=$1 pid st
    shift
    setsid "$@" </dev/null >>"$LOGS/$name.out" 2>&1 &
    pid=$!
    st=$(starttime "$pid") || die "$name exited at once: see $LOGS/$name.out"
    echo "$pid $st $BOOT_ID" >"$RUN/$name.pid"
}

# recorded NAME: print the recorded pid if that process still runs. A
# zombie has the same start time but has ended: a server killed a moment
# ago, not yet reaped by init, must be started again, not trusted.
recorded() {
    local f=$RUN/$1.pid pid st boot
    [ -s "$f" ] || return 1
    read -r pid st boot <"$f"
    [ "$boot" = "$BOOT_ID" ] || return 1
    [ "$(starttime "$pid" 2>/dev/null)" = "$st" ] || return 1
    alive_pid "$pid" || return 1
    echo "$pid"
}

running() {
    recorded "$1" >/dev/null
}

# members NAME: every live process of that record: the recorded process,
# its descendants, and every process of their sessions.
members() {
    local f=$RUN/$1.pid pid st boot p ppid sid changed
    [ -s "$f" ] || return 0
    read -r pid st boot <"$f"
    [ "$boot" = "$BOOT_ID" ] || return 0
    # A live process with that pid but another start time means the
    # number was reused: the session we started is gone.
    if [ -d "/proc/$pid" ] && [ "$(starttime "$pid")" != "$st" ]; then
        return 0
    fi
    local -A IN SIDS
    proc_table
    SIDS[$pid]=1
    [ -z "${PPID_OF[$pid]:-}" ] || IN[$pid]=1
    changed=1
    while [ "$changed" = 1 ]; do
        changed=0
        for p in "${!PPID_OF[@]}"; do
            [ -z "${IN[$p]:-}" ] || continue
            ppid=${PPID_OF[$p]}
            sid=${SID_OF[$p]}
            if [ -n "${IN[$ppid]:-}" ] || [ -n "${SIDS[$sid]:-}" ]; then
                IN[$p]=1
                SIDS[$sid]=1
                changed=1
            fi
        done
    done
    echo "${!IN[@]}"
}

# thaw_stopped: SIGCONT every stopped process of the stack's records: a
# fault run cut short while the OSD was frozen left Ceph mute for 'up'.
thaw_stopped() {
    local f p s
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        for p in $(members "$(basename "$f" .pid)"); do
            { read -r s <"/proc/$p/stat"; } 2>/dev/null || continue
            s=${s##*) }
            if [ "${s%% *}" = T ]; then
                log "resuming $(basename "$f" .pid) (pid $p): it was stopped"
                kill -CONT "$p" 2>/dev/null || true
            fi
        done
    done
}

# stop_record NAME SIGNAL: signal the recorded process (or, if it is
# gone, TERM what is left of its session) and print its members.
stop_record() {
    local name=$1 sig=$2 pid all
    all=$(members "$name")
    if [ -z "$all" ]; then
        rm -f "$RUN/$name.pid"
        return 0
    fi
    if pid=$(recorded "$name"); then
        kill "-$sig" "$pid" 2>/dev/null || true
    else
        # shellcheck disable=SC2086
        kill -TERM $all 2>/dev/null || true
    fi
    echo "$all"
}

# A process that runs (a zombie has finished: its parent reaps it).
alive_pid() {
    local s
    { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
    s=${s##*) }
    [ "${s%% *}" != Z ]
}

# clear_stale_lock FILE: remove a pid lock file whose process has ended.
# PostgreSQL takes a zombie's pid (killed -9, not reaped yet) for a live
# postmaster and refused to start right after the fault harness.
clear_stale_lock() {
    local pid
    { [ -s "$1" ] && read -r pid <"$1"; } || return 0
    case $pid in '' | *[!0-9]*) return 0 ;; esac
    alive_pid "$pid" || rm -f -- "$1"
}

# wait_gone DEADLINE PIDS...: wait for processes that stop_record
# signalled; escalate to TERM then KILL for whatever outlives DEADLINE.
wait_gone() {
    local deadline=$1 end p left
    shift
    [ $# -gt 0 ] || return 0
    end=$((SECONDS + deadline))
    while :; do
        left=""
        for p in "$@"; do
            alive_pid "$p" && left="$left $p"
        done
        [ -n "$left" ] || return 0
        if [ "$SECONDS" -ge "$end" ]; then
            break
        fi
        sleep 0.3
    done
    log "still running after ${deadline}s, sending TERM:$left"
    # shellcheck disable=SC2086
    kill -TERM $left 2>/dev/null || true
    sleep 3
    left=$(for p; do [ -d "/proc/$p" ] && printf ' %s' "$p"; done; true)
    [ -n "$left" ] || return 0
    log "sending KILL:$left"
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    sleep 1
}

# stop_group SIGNAL NAME...: stop several records together, waiting for
# every member; a record is forgotten only once nothing of it is left
# (a process spawned while stopping is caught by the second round).
stop_group() {
    local sig=$1 name pids p _
    shift
    for _ in 1 2; do
        pids=""
        for name in "$@"; do
            p=$(stop_record "$name" "$sig")
            [ -z "$p" ] || { pids="$pids $p"; log "stopping $name ($p)"; }
        done
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        wait_gone 30 $pids
        sig=TERM
    done
    for name in "$@"; do
        [ -n "$(members "$name")" ] || rm -f "$RUN/$name.pid"
    done
}

# ---------------------------------------------------------------- hooks

# run_hooks NAME [ARG...]: run every hook_NAME_* function (see
# tools/stack.sh) with ARGs, in name order, 'up' and 'ready' ones timed as
# steps; stop at a failure.
run_hooks() {
    local f name=$1
    shift
    for f in $(compgen -A function "hook_${name}_" | LC_ALL=C sort); do
        case $name in
            up|ready) step "${f#hook_"$name"_} ($name)" "$f" ;;
            *) "$f" "$@" || return 1 ;;
        esac
    done
}

# hook_output NAME: what every hook_NAME_* function prints, in name order.
hook_output() {
    local f
    for f in $(compgen -A function "hook_$1_" | LC_ALL=C sort); do
        "$f"
    done
}
