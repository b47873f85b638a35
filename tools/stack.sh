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

# A real single-node Cinder 29 with cinder-snapext: RabbitMQ, a private
# PostgreSQL (or MariaDB, or SQLite), a one-OSD Ceph 16.2 cluster on a
# sparse file, and cinder-api, -scheduler, -volume (RBD) and -backup (Ceph
# or posix driver), all on 127.0.0.1, configured as a deployer would.
#
# Usage: tools/stack.sh up|down|status|logs [SERVICE] [-f]|demo|help
#        tools/stack.sh stop|start api|scheduler|volume|backup
#
#   up      install what is missing (Debian packages, <state>/venv with
#           this repo, Cinder 29 and python-cinderclient), start
#           everything, wait until Cinder can place volumes and backups
#   down    stop the processes this tool started (recorded by pid, with
#           everything they spawned), with a deadline
#   status  what runs, Cinder's and Ceph's view of it, peak memory;
#           exit status 3 when the stack is not (fully) running
#   logs    list the logs, or print one (-f follows it)
#   stop    stop one Cinder service of a running stack (by its recorded
#           pid, with everything it spawned); Cinder's service table
#           says it is down after service_down_time (20 s here)
#   start   start it again, wait until the scheduler hears from it
#   demo    up if needed, run the scenario with the stock cinder CLI
#           (cinder_snapext/tests/integration), print a PASS/FAIL table,
#           the boot time and each service's peak memory
#
# Environment:
#   SNAPEXT_STACK_SLOT     0 (default) to 9: a stack of its own, with its
#                          own state directory (<repo>/.stack-SLOT), ports
#                          shifted by 10 x SLOT, RabbitMQ node and Ceph
#                          user, so several stacks can run side by side
#   SNAPEXT_STACK_DIR      state directory (default <repo>/.stack)
#   DB                     postgresql (default), mariadb or sqlite
#   BACKUP                 ceph (default) or posix; both, when unset, keep
#                          what the stack was last brought up with
#   SNAPEXT_STACK_PYTHON   a CPython 3.11 for the venv (Debian's rados and
#                          rbd modules are built for 3.11)
#   SNAPEXT_STACK_TIMEOUT  deadline in seconds for each wait (default 120)
#   SNAPEXT_SCENARIO       demo: run only the integration tests that match
#                          this stestr filter (default: all of them)
#   SNAPEXT_STACK_PG_PORT, SNAPEXT_STACK_MYSQL_PORT  (15433, 13307)
#   AUTH                   noauth (default) or keystone: Keystone 30 in
#                          front of Cinder (tools/stack/lib/part-keystone.sh);
#                          when unset, keeps what the stack was brought up with
#   NFS                    1 (default) or 0: the NFS backend on a bind-mounted
#                          folder and the Nova emulator (part-nfs.sh);
#                          NFS_STOCK=1 adds Cinder's own NFS driver beside
#                          it (benchmarks); both remembered like DB
#   PEER                   1 (default) or 0: a second Cinder deployment on
#                          the same Ceph pool (tools/stack/lib/part-peer.sh);
#                          unset, keeps what the stack was last brought up with
#   POSIX_BACKUP           1 (default) or 0: with BACKUP=ceph, a second
#                          cinder-backup with the posix driver in
#                          availability zone 'posix' (part-posix-backup.sh);
#                          unset, keeps what the stack was last brought up with
#
# Host-level changes, all needed by the packages or by os-brick: Debian
# packages, RabbitMQ's Erlang cookie in /var/lib/rabbitmq, and the
# symlink /etc/ceph/ceph.client.cinder.keyring into the state directory.

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SLOT=${SNAPEXT_STACK_SLOT:-0}
case $SLOT in
    [0-9]) ;;
    *) echo "SNAPEXT_STACK_SLOT=$SLOT: use 0 to 9" >&2; exit 2 ;;
esac
if [ "$SLOT" = 0 ]; then
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack}
else
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack-$SLOT}
fi
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
# Unset, DB and BACKUP keep what the stack in STATE was made with.
DB=${DB:-${SNAPEXT_STACK_DB:-$(cat "$STATE/db" 2>/dev/null || true)}}
DB=${DB:-postgresql}
BACKUP=${BACKUP:-${SNAPEXT_STACK_BACKUP:-$(cat "$STATE/backup" 2>/dev/null ||
    true)}}
BACKUP=${BACKUP:-ceph}
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-120}
# Slot 0 uses the usual ports; slot N shifts every one by 10 x N (the
# Ceph mon's v1 port downwards: the OSDs bind from 6800 up).
OFFSET=$((SLOT * 10))
PG_PORT=${SNAPEXT_STACK_PG_PORT:-$((15433 + OFFSET))}
MY_PORT=${SNAPEXT_STACK_MYSQL_PORT:-$((13307 + OFFSET))}
RABBIT_PORT=$((5672 + OFFSET))
EPMD_PORT=$((4369 + OFFSET))
API_PORT=$((8776 + OFFSET))
MON_PORT=$((3300 + OFFSET))
MON_V1_PORT=$((6789 - OFFSET))
HOST_NAME=ci
if [ "$SLOT" = 0 ]; then
    RABBIT_NODE=rabbit@localhost
    CEPH_USER=cinder
else
    RABBIT_NODE=snapext$SLOT@localhost
    CEPH_USER=cinder$SLOT
fi

VENV=$STATE/venv
RUN=$STATE/run
LOGS=$STATE/logs
CEPH=$STATE/ceph
CEPH_CONF=$CEPH/ceph.conf
CINDER_CONF=$STATE/cinder.conf
OPENRC=$STATE/openrc
RBDTOOL=$REPO/tools/stack/rbdtool.py
CINDER_SERVICES="api scheduler volume backup"

case $DB in
    postgres|postgresql|pg) DB=postgresql ;;
    mariadb|mysql) DB=mariadb ;;
    sqlite) ;;
    *) echo "DB=$DB: use postgresql, mariadb or sqlite" >&2; exit 2 ;;
esac
case $BACKUP in
    ceph|posix) ;;
    *) echo "BACKUP=$BACKUP: use ceph or posix" >&2; exit 2 ;;
esac

export CEPH_CONF
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- libraries

# shellcheck source=tools/stack/lib/common.sh
# The core (common install rabbitmq db ceph cinder), then the optional
# parts. A part plugs in by defining functions named after these hooks
# (hook_up_nfs, ...), each of which checks itself whether it is enabled:
#   hook_packages_*       print Debian packages to install
#   hook_backends_*       print volume backend names (enabled_backends)
#   hook_conf_default_*   print lines for cinder.conf [DEFAULT]
#   hook_conf_sections_*  print whole cinder.conf sections
#   hook_up_*             start what must run before Cinder starts
#   hook_ready_*          configure once Cinder is ready (types, ...)
#   hook_down_*           stop or undo, after Cinder has stopped
#   hook_running_*        fail when the part should run but does not
for _lib in common install rabbitmq db ceph cinder; do
    # shellcheck disable=SC1090
    . "$REPO/tools/stack/lib/$_lib.sh"
done
for _lib in "$REPO"/tools/stack/lib/part-*.sh; do
    [ -e "$_lib" ] || continue
    # shellcheck disable=SC1090
    . "$_lib"
done
unset _lib

# ------------------------------------------------------------ commands

stack_running() {
    local n
    for n in rabbitmq ceph-mon ceph-mgr ceph-osd; do
        running "$n" || return 1
    done
    case $DB in
        postgresql|mariadb) running "$DB" || return 1 ;;
    esac
    cinder_running || return 1
    run_hooks running
}

check_db_choice() {
    local had
    had=$(cat "$STATE/db" 2>/dev/null || true)
    if [ -n "$had" ] && [ "$had" != "$DB" ] && running "cinder-api"; then
        die "the stack runs with DB=$had: run '$0 down' first to switch"
    fi
    if [ -n "$had" ] && [ "$had" != "$DB" ] && running "$had"; then
        stop_group INT "$had"
    fi
    echo "$DB" >"$STATE/db"
    echo "$BACKUP" >"$STATE/backup"
}

cmd_up() {
    local t0 fresh="" changed conf_new
    t0=$(now_ms)
    [ -f "$STATE/.bootstrapped" ] || fresh=1
    mkdir -p "$STATE" "$RUN" "$LOGS"
    log "state: $STATE (DB=$DB BACKUP=$BACKUP)"
    [ "$DB" != sqlite ] || log "WARNING: SQLite is for a quick look only:" \
        "under four Cinder processes it locks (HTTP 500, leaked quota)"
    check_db_choice
    step "Debian packages" install_packages
    step "venv (Cinder 29, cinder-snapext)" install_venv
    changed=$VENV_CHANGED
    step "RabbitMQ" start_rabbitmq
    step "database ($DB)" start_db
    step "Ceph (mon, mgr, osd, pools)" start_ceph
    run_hooks up
    conf_new=$STATE/cinder.conf.new
    write_cinder_conf "$conf_new"
    write_openrc
    write_clouds_yaml
    if ! cmp -s "$conf_new" "$CINDER_CONF"; then
        mv "$conf_new" "$CINDER_CONF"
        changed=1
    else
        rm -f "$conf_new"
    fi
    if [ -n "$changed" ] && cinder_running; then
        log "cinder.conf or cinder_snapext changed: restarting Cinder"
        stop_cinder
    fi
    step "Cinder services ready" start_cinder
    step "volume type, quotas" configure_cinder
    run_hooks ready
    touch "$STATE/.bootstrapped"
    local total
    total=$(secs $(($(now_ms) - t0)))
    if [ -n "$fresh" ]; then
        printf '%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$total" "$DB" \
            "$BACKUP" >"$STATE/boot-from-nothing.tsv"
        log "stack up from nothing in ${total}s"
    else
        log "stack up in ${total}s"
    fi
    printf '%s\t%s\t%s\n' "$(date +%FT%T)" "up total" "$total" \
        >>"$LOGS/up-times.tsv"
    log "use it: source $OPENRC; cinder list"
}

all_records() {
    local f
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        f=${f##*/}
        echo "${f%.pid}"
    done
}

cmd_down() {
    local t0 left="" n
    t0=$(now_ms)
    [ -d "$RUN" ] || { log "nothing to stop ($RUN absent)"; return 0; }
    stop_cinder
    run_hooks down
    stop_group TERM ceph-osd
    stop_group TERM ceph-mgr ceph-mon
    stop_group INT postgresql
    stop_group TERM mariadb
    stop_group TERM rabbitmq
    stop_group TERM epmd
    for n in $(all_records); do
        stop_group TERM "$n"
    done
    for n in $(all_records); do
        [ -z "$(members "$n")" ] || left="$left $n"
    done
    [ -z "$left" ] || die "still running:$left"
    log "stack down in $(secs $(($(now_ms) - t0)))s"
}

# Peak resident memory (VmHWM) of a record's live processes, in kB.
hwm_kb() {
    local p sum=0 v
    for p in $(members "$1"); do
        v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null) ||
            continue
        sum=$((sum + ${v:-0}))
    done
    echo "$sum"
}

mem_table() {
    local n kb total=0 count
    printf '%-22s %6s %14s\n' SERVICE PROCS "PEAK RSS MiB"
    for n in rabbitmq epmd postgresql mariadb ceph-mon ceph-mgr ceph-osd \
        cinder-api cinder-scheduler cinder-volume cinder-backup \
        cinder-backup-posix; do
        running "$n" || [ -n "$(members "$n")" ] || continue
        count=$(members "$n" | wc -w)
        kb=$(hwm_kb "$n")
        total=$((total + kb))
        printf '%-22s %6s %14s\n' "$n" "$count" "$((kb / 1024))"
    done
    printf '%-22s %6s %14s\n' TOTAL "" "$((total / 1024))"
}

cmd_status() {
    local n pid
    echo "state: $STATE (DB=$(cat "$STATE/db" 2>/dev/null || echo "?"))"
    for n in $(all_records); do
        if pid=$(recorded "$n"); then
            printf '  %-22s running  pid %-8s processes %s\n' "$n" "$pid" \
                "$(members "$n" | wc -w)"
        else
            printf '  %-22s stopped\n' "$n"
        fi
    done
    if running cinder-api; then
        cinder_ service-list || true
    fi
    if running ceph-mon; then
        ceph_ -s || true
    fi
    stack_running || { echo "stack: not (fully) running"; return 3; }
    mem_table
    echo "stack: up (source $OPENRC to use it)"
}

log_file() {
    case $1 in
        api|scheduler|volume|backup) echo "$LOGS/cinder-$1.log" ;;
        ceph-mon|mon) echo "$CEPH/log/ceph-mon.a.log" ;;
        ceph-mgr|mgr) echo "$CEPH/log/ceph-mgr.x.log" ;;
        ceph-osd|osd) echo "$CEPH/log/ceph-osd.0.log" ;;
        ceph) echo "$CEPH/log/ceph.log" ;;
        rabbitmq) echo "$STATE/rabbitmq/log/$RABBIT_NODE.log" ;;
        mariadb) echo "$LOGS/mariadb.log" ;;
        *)
            local f
            for f in "$LOGS/$1.log" "$LOGS/$1.out" "$LOGS/$1"; do
                [ ! -f "$f" ] || { echo "$f"; return 0; }
            done
            return 1
            ;;
    esac
}

cmd_logs() {
    local svc=${1:-} f
    if [ -z "$svc" ]; then
        echo "usage: $0 logs SERVICE [-f]"
        echo "services: api scheduler volume backup ceph-mon ceph-mgr" \
            "ceph-osd ceph rabbitmq postgresql mariadb epmd scenario," \
            "or a file name under $LOGS:"
        ls -l "$LOGS" 2>/dev/null
        return 0
    fi
    f=$(log_file "$svc") && [ -f "$f" ] ||
        die "no log for '$svc' yet: run '$0 logs' for the list"
    if [ "${2:-}" = -f ]; then
        exec tail -n 50 -F "$f"
    fi
    tail -n 200 "$f"
}

cmd_demo() {
    local t0 rc=0 csv boot
    t0=$(now_ms)
    if stack_running; then
        log "stack already running: reusing it"
    fi
    cmd_up
    log "scenario: cinder_snapext/tests/integration (stock cinder CLI)"
    # A stestr repository of its own, made anew: 'last' is this run.
    rm -rf "$STATE/itest"
    mkdir -p "$STATE/itest"
    csv=$STATE/itest/last.csv
    (
        cd "$STATE/itest"
        export SNAPEXT_STACK_DIR=$STATE
        export OS_TEST_TIMEOUT=${OS_TEST_TIMEOUT:-900}
        # Eventlet warns that it is deprecated when cinder imports it.
        export PYTHONWARNINGS=ignore:::cinder
        # shellcheck disable=SC2086
        "$VENV/bin/stestr" --top-dir "$REPO" \
            --test-path "$REPO/cinder_snapext/tests/integration" \
            run --serial ${SNAPEXT_SCENARIO:-} 2>&1 |
            tee "$LOGS/scenario.log"
    ) || rc=$?
    (cd "$STATE/itest" && "$VENV/bin/stestr" last --subunit |
        "$VENV/bin/subunit2csv" >"$csv") || true
    echo
    "$VENV/bin/python" - "$csv" "$STATE/itest/summary" <<'EOF' || rc=1
import csv, datetime, sys

def ts(s):
    return datetime.datetime.fromisoformat(s)

rows = list(csv.DictReader(open(sys.argv[1])))
bad = 0
print('%-4s %-44s %-5s %8s' % ('#', 'SCENARIO STEP', 'RESULT', 'SECONDS'))
for i, row in enumerate(rows, 1):
    name = row['test'].split('.')[-1]
    if name.startswith('test_'):
        name = name[5:]
    status = {'success': 'PASS', 'skip': 'SKIP'}.get(row['status'], 'FAIL')
    bad += status != 'PASS'
    try:
        secs = (ts(row['stop_time']) - ts(row['start_time'])).total_seconds()
    except (KeyError, ValueError, TypeError):
        secs = 0.0
    print('%-4s %-44s %-5s %8.1f' % (i, name, status, secs))
if not rows:
    print('no scenario results: see the output above')
    bad = 1
count = {s: sum(r['status'] == s for r in rows)
         for s in ('success', 'skip')}
with open(sys.argv[2], 'w') as f:
    f.write('%d passed, %d failed, %d skipped\n' % (
        count['success'],
        max(1, len(rows)) - count['success'] - count['skip'],
        count['skip']))
sys.exit(1 if bad else 0)
EOF
    echo
    if [ -s "$STATE/boot-from-nothing.tsv" ]; then
        boot=$(cut -f2 "$STATE/boot-from-nothing.tsv")
        echo "boot time from nothing: ${boot}s (measured $(cut -f1 \
            "$STATE/boot-from-nothing.tsv"), DB=$(cut -f3 \
            "$STATE/boot-from-nothing.tsv"))"
    fi
    echo "demo time: $(secs $(($(now_ms) - t0)))s"
    echo
    mem_table
    echo
    if [ "$rc" != 0 ]; then
        echo "FAILED: logs with '$0 logs SERVICE', scenario output in" \
            "$LOGS/scenario.log"
    fi
    echo "demo: $(cat "$STATE/itest/summary" 2>/dev/null ||
        echo "0 passed, 1 failed")"
    return "$rc"
}

cinder_service_arg() {
    case ${1:-} in
        api|scheduler|volume|backup) ;;
        *) die "usage: $0 stop|start api|scheduler|volume|backup" ;;
    esac
    stack_running || [ "$2" = start ] || die "the stack is not running"
}

cmd_stop() {
    cinder_service_arg "${1:-}" stop
    running "cinder-$1" || { log "cinder-$1 is not running"; return 0; }
    stop_group TERM "cinder-$1"
    log "cinder-$1 stopped"
}

cmd_start() {
    local since offset voffset
    cinder_service_arg "${1:-}" start
    running "cinder-$1" && { log "cinder-$1 already runs"; return 0; }
    [ "$1" != api ] || require_port_free "$API_PORT" cinder-api
    since=$(date +%s)
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/cinder-volume.log")
    launch "cinder-$1" "$VENV/bin/cinder-$1" --config-file "$CINDER_CONF"
    [ "$1" != volume ] || wait_until "cinder-volume RPC" volume_rpc_up \
        "$voffset"
    wait_until "cinder-api on 127.0.0.1:$API_PORT" api_ready
    # Every backend's capabilities reach the scheduler again and the
    # service reports up: what 'up' waits for too.
    wait_until "cinder-$1 ready" cinder_ready "$since" "$offset"
    log "cinder-$1 started"
}

usage() {
    sed -n '/^# Usage:/,/^# Host-level/p' "$0" | sed 's/^# \{0,1\}//' |
        head -n -1
}

main() {
    local cmd=${1:-help}
    [ $# -eq 0 ] || shift
    case $cmd in
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        logs) cmd_logs "$@" ;;
        demo) cmd_demo ;;
        stop) cmd_stop "$@" ;;
        start) cmd_start "$@" ;;
        help|-h|--help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
