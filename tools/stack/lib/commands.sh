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

# The commands of tools/stack.sh (cmd_up, cmd_down, ...) and what only
# they use; the building blocks live in the other libraries.
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
    echo "$THREADING" >"$STATE/threading"
}

cmd_up() {
    local t0 fresh="" changed conf_new
    t0=$(now_ms)
    [ -f "$STATE/.bootstrapped" ] || fresh=1
    mkdir -p "$STATE" "$RUN" "$LOGS"
    log "state: $STATE (DB=$DB BACKUP=$BACKUP THREADING=$THREADING)"
    thaw_stopped
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
    write_openrc "$OPENRC" "the stack" "$CINDER_CLI_AUTH"
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

# The scenarios 'demo' runs (SNAPEXT_SCENARIO_PATH: others, as for
# tools/faults.sh and lifecycle.sh).
SCENARIOS=cinder_snapext/tests/integration

cmd_demo() {
    local t0 rc=0 csv boot
    t0=$(now_ms)
    if stack_running; then
        log "stack already running: reusing it"
    fi
    cmd_up
    log "scenario: ${SNAPEXT_SCENARIO_PATH:-$SCENARIOS} (stock cinder CLI)"
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
        # The cluster's scenario needs CLUSTER=1; the single-member ones
        # that stop "the" volume service need it off. Each topology runs
        # what it can prove, unless SNAPEXT_SCENARIO chooses.
        local exclude=test_stack_cluster
        [ "$CLUSTER" != 1 ] || exclude=test_stack_volume_service_down
        [ -z "${SNAPEXT_SCENARIO:-}" ] || exclude='^$'
        run_scenarios "$exclude" 2>&1 | tee "$LOGS/scenario.log"
    ) || rc=$?
    (cd "$STATE/itest" && "$VENV/bin/stestr" last --subunit |
        "$VENV/bin/subunit2csv" >"$csv") || true
    # Side by side, each class checked only its own images in the pools.
    if [ "${SNAPEXT_SCENARIO_WORKERS:-1}" -gt 1 ]; then
        [ -n "${SNAPEXT_SCENARIO_PATH:-}" ] || pools_row "$csv"
    fi
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
        api|scheduler|volume|backup|volume-2|backup-2) ;;
        volume-nfs|volume-nfs-2) ;;
        *) die "usage: $0 stop|start api|scheduler|volume|backup" \
            "(CLUSTER=1: volume-2|backup-2|volume-nfs|volume-nfs-2)" ;;
    esac
    # A cluster member may be stopped while another one already is
    # (benchmarks/cluster_scale.py stops cinder-volume-2 and -backup-2).
    stack_running || [ "$2" = start ] || [[ $1 == *-2 ]] ||
        die "the stack is not running"
}

cmd_stop() {
    cinder_service_arg "${1:-}" stop
    running "cinder-$1" || { log "cinder-$1 is not running"; return 0; }
    stop_group TERM "cinder-$1"
    log "cinder-$1 stopped"
}

# start_member NAME (volume-2, backup-2, volume-nfs): a process of the
# cluster's topology (part-cluster.sh) killed by a scenario started
# again; volume-nfs-2: the spare that takes over volume-nfs's backends
# under another host, the original being down for good.
start_member() {
    local since offset service=${1%%-*}
    cluster_on || die "cinder-$1 runs only with CLUSTER=1"
    [ -f "$CLUSTER_DIR/$1.conf" ] || die "cinder-$1: no backend to serve"
    since=$(date +%s)
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    launch_member "cinder-$1" "$service" "$CLUSTER_DIR/$1.conf"
    [ "$service" != volume ] || wait_until "cinder-$1 RPC" member_rpc_up \
        "cinder-$1"
    if [ "$1" = volume-nfs-2 ]; then
        wait_until "cinder-$1 reported" spare_ready "$offset"
    else
        wait_until "cinder-$1 ready" cinder_ready "$since" "$offset" \
            "$(service_hosts_of "$service" "$CLUSTER_DIR/$1.conf")"
    fi
    log "cinder-$1 started"
}

cmd_start() {
    local since offset voffset
    cinder_service_arg "${1:-}" start
    running "cinder-$1" && { log "cinder-$1 already runs"; return 0; }
    case $1 in
        *-2|volume-nfs) start_member "$1"; return 0 ;;
    esac
    [ "$1" != api ] || require_port_free "$API_PORT" cinder-api
    since=$(date +%s)
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/cinder-volume.log")
    if [ "$1" = volume ]; then
        # shellcheck disable=SC2046
        launch_cinder cinder-volume volume "$CINDER_CONF" \
            $(hook_output volume_args)
        wait_until "cinder-volume RPC" volume_rpc_up "$voffset"
    else
        launch_cinder "cinder-$1" "$1" "$CINDER_CONF"
    fi
    wait_until "cinder-api on 127.0.0.1:$API_PORT" api_ready
    # Its capabilities reach the scheduler again and every service
    # reports up, as 'up' waits for (there, every service's report).
    wait_until "cinder-$1 ready" cinder_ready "$since" "$offset" \
        "$(service_hosts_of "$1")"
    log "cinder-$1 started"
}
