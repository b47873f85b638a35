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

# The stack's Cinder services: start, stop, readiness, volume types
# (sourced by tools/stack.sh; their files come from cinder_conf.sh).

# -------------------------------------------------------------- Cinder

cinder_() {
    # shellcheck disable=SC2086
    env -u OS_CLOUD -u OS_AUTH_URL -u OS_TOKEN $CINDER_CLI_AUTH \
        OS_VOLUME_API_VERSION=3.71 timeout 60 "$VENV/bin/cinder" "$@"
}

cinder_running() {
    local s
    for s in $CINDER_SERVICES $(hook_output cinder_records); do
        running "$s" || running "cinder-$s" || return 1
    done
}

stop_cinder() {
    # Together: stopping the scheduler first removes its fanout exchange
    # and the others then log NOT_FOUND errors.
    # shellcheck disable=SC2046
    stop_group TERM cinder-volume cinder-backup \
        $(hook_output cinder_records) cinder-scheduler cinder-api
}

api_ready() {
    "$VENV/bin/python" - "$API_PORT" <<'EOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen('http://127.0.0.1:%s/' % sys.argv[1], timeout=5)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 300 else 1)
except OSError:
    sys.exit(1)
EOF
}

# The API answers and the three services are up (a running stack).
cinder_up() {
    api_ready && cinder_ready 0 -1
}

# The services cinder_ready waits for, "binary host" a line: the
# scheduler, cinder-backup, a cinder-volume per backend, and what the
# parts add (part-cluster.sh: a second member of each).
stack_service_hosts() {
    local b
    echo "cinder-scheduler $HOST_NAME"
    echo "cinder-backup $HOST_NAME"
    for b in $(stack_backends); do
        echo "cinder-volume $HOST_NAME@$b"
    done
    hook_output service_hosts
}

# cinder_ready SINCE OFFSET [FRESH]: the scheduler has every volume
# service's capabilities and a backend_state True report from each
# cinder-backup (it places backups only after that), and all of them
# have reported since they started. FRESH ("binary host" lines, all by
# default) narrows the reports looked for in the scheduler's log after
# OFFSET to the services just started: the others' capabilities are
# there already, and a volume service sends them again only every
# backend_stats_polling_interval (a minute): waiting for them made every
# restart of one cluster member take about a minute in CI.
# The log comes first: service-list asks the scheduler for pools over
# RPC, and waits rpc_response_timeout (60 s) if no scheduler consumes.
cinder_ready() {
    local since=$1 offset=$2 list news binary host wants fresh
    wants=$(stack_service_hosts)
    fresh=${3-$wants}
    if [ "$offset" -ge 0 ] && [ -n "$fresh" ]; then
        news=$(tail -c +"$((offset + 1))" "$LOGS/cinder-scheduler.log" |
            grep -E "Received [a-z]* service update from" | cut -c1-400)
        while read -r binary host; do
            case $binary in
                cinder-volume)
                    # A cluster member's report names its cluster first.
                    grep -Eq "volume service update from \
(Cluster: [^ ]+ - Host: )? *$host:" <<<"$news" || return 1 ;;
                cinder-backup)
                    grep -Eq "backup service update from $host: \
.*'backend_state': True" <<<"$news" || return 1 ;;
            esac
        done <<<"$fresh"
    fi
    list=$(cinder_ service-list) || return 1
    "$VENV/bin/python" - "$since" "$list" "$wants" <<'EOF'
import datetime, sys
since = datetime.datetime.fromtimestamp(int(sys.argv[1]),
                                        datetime.timezone.utc)
want = {tuple(line.split()) for line in sys.argv[3].splitlines()}
for line in sys.argv[2].splitlines():
    cols = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cols) < 6:
        continue
    binary, host, state, updated = cols[0], cols[1], cols[4], cols[5]
    if (binary, host) not in want:
        continue
    when = datetime.datetime.fromisoformat(updated.replace('Z', ''))
    when = when.replace(tzinfo=datetime.timezone.utc)
    if state == 'up' and when >= since:
        want.discard((binary, host))
sys.exit(1 if want else 0)
EOF
}

# service_hosts_of SERVICE [CONF]: the "binary host" lines of one
# cinder-SERVICE process started on CONF (the stack's cinder.conf by
# default; a member's overlay sets its own host and backends).
service_hosts_of() {
    local service=$1 conf=${2:-} host=$HOST_NAME backends b
    [ -z "$conf" ] ||
        host=$(sed -n 's/^host *= *//p' "$conf" | tail -n 1)
    host=${host:-$HOST_NAME}
    case $service in
        backup) echo "cinder-backup $host" ;;
        volume)
            backends=
            [ -z "$conf" ] || backends=$(sed -n \
                's/^enabled_backends *= *//p' "$conf" | tail -n 1 | tr , ' ')
            for b in ${backends:-$(main_volume_backends)}; do
                echo "cinder-volume $host@$b"
            done ;;
        scheduler) stack_service_hosts ;;
    esac
}

# The backends the main cinder-volume serves: all of them, unless a part
# moves some to processes of its own (part-cluster.sh).
main_volume_backends() {
    local b
    b=$(hook_output main_volume_backends)
    if [ -n "$b" ]; then
        echo "$b"
    else
        stack_backends
    fi
}

# volume_rpc_up OFFSET: every backend's cinder-volume process (one each)
# has logged, after byte OFFSET, that its RPC server is up; so have those
# of the parts (hook_rpc_up_*).
volume_rpc_up() {
    local n
    n=$(tail -c +"$(($1 + 1))" "$LOGS/cinder-volume.log" |
        grep -cF "Driver post RPC initialization completed successfully" ||
        true)
    [ "${n:-0}" -ge "$(main_volume_backends | wc -l)" ] || return 1
    run_hooks rpc_up
}

# launch_cinder RECORD SERVICE CONF [ARG...]: cinder-SERVICE on CONF. With
# THREADING=1 on native threads, as upstream's threading jobs run them;
# cinder-api then under gunicorn, since the cinder-api command's eventlet
# server refuses native threads (doc/source/admin/native-threads.rst).
launch_cinder() {
    local name=$1 service=$2 conf=$3 port workers
    shift 3
    if [ "${THREADING:-0}" = 0 ]; then
        launch "$name" "$VENV/bin/cinder-$service" --config-file "$conf" "$@"
    elif [ "$service" != api ]; then
        launch "$name" env OS_CINDER_DISABLE_EVENTLET_PATCHING=true \
            "$VENV/bin/cinder-$service" --config-file "$conf" "$@"
    else
        port=$(sed -n 's/^osapi_volume_listen_port = //p' "$conf")
        workers=$(sed -n 's/^osapi_volume_workers = //p' "$conf")
        # oslo.log would name the log after gunicorn; one control socket
        # per user would be shared by every gunicorn of every slot.
        case " $* " in
            *" --log-file "*) ;;
            *) set -- "$@" --log-file "$LOGS/$name.log" ;;
        esac
        launch "$name" env OS_CINDER_DISABLE_EVENTLET_PATCHING=true \
            SNAPEXT_CINDER_API_ARGS="--config-file $conf $*" \
            "$VENV/bin/gunicorn" --bind "127.0.0.1:$port" \
            --workers "${workers:-1}" --worker-class gthread --threads 8 \
            --timeout 300 \
            --no-control-socket --pythonpath "$REPO/tools/stack" \
            cinder_wsgi:application
    fi
}

# Our schema, unless remove-plugin took cinder-snapext out (lifecycle.sh).
snapext_db_sync() {
    ! plugin_removed || return 0
    "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db sync \
        >>"$LOGS/db-sync.log" 2>&1 ||
        die "cinder-snapext-manage db sync failed: see $LOGS/db-sync.log"
}

start_cinder() {
    local s since offset voffset
    mkdir -p "$STATE/cinder"
    write_rootwrap_conf
    write_api_paste
    if cinder_running; then
        wait_until "Cinder services up" cinder_up
        return 0
    fi
    stop_cinder
    require_port_free "$API_PORT" "cinder-api"
    local t0
    t0=$(now_ms)
    "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" db sync \
        >>"$LOGS/db-sync.log" 2>&1 ||
        die "cinder-manage db sync failed: see $LOGS/db-sync.log"
    snapext_db_sync
    log "$(printf '%-34s %6ss' "db sync (cinder, then snapext)" \
        "$(secs $(($(now_ms) - t0)))")"
    since=$(date +%s)
    touch "$LOGS/cinder-scheduler.log" "$LOGS/cinder-volume.log"
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/cinder-volume.log")
    # shellcheck disable=SC2046
    launch_cinder cinder-volume volume "$CINDER_CONF" \
        $(hook_output volume_args)
    for s in api backup; do
        launch_cinder "cinder-$s" "$s" "$CINDER_CONF"
    done
    run_hooks launch
    # The scheduler asks every volume service for its capabilities when
    # it starts; a volume service whose RPC server is not up yet misses
    # that and reports only after backend_stats_polling_interval (60 s,
    # read when Cinder's module is imported, so cinder.conf cannot lower
    # it). Hence the scheduler starts once cinder-volume listens.
    wait_until "cinder-volume RPC (see $LOGS/cinder-volume.log)" \
        volume_rpc_up "$voffset"
    launch_cinder cinder-scheduler scheduler "$CINDER_CONF"
    wait_until "cinder-api on 127.0.0.1:$API_PORT" api_ready
    local end
    end=$((SECONDS + DEADLINE))
    until cinder_ready "$since" "$offset" >/dev/null 2>&1; do
        for s in $CINDER_SERVICES; do
            running "cinder-$s" ||
                die "cinder-$s died: see $LOGS/cinder-$s.log and .out"
        done
        for s in $(hook_output cinder_records); do
            running "$s" || die "$s died: see $LOGS/$s.log and .out"
        done
        [ "$SECONDS" -lt "$end" ] ||
            die "Cinder: services not ready within ${DEADLINE}s"
        sleep 0.5
    done
}

# ensure_volume_type BACKEND: a volume type named after the backend,
# sending volumes to it (created or fixed only when it is not so).
ensure_volume_type() {
    local spec
    cinder_ type-show "$1" >/dev/null 2>&1 ||
        cinder_ type-create "$1" >/dev/null
    spec=$(cinder_ type-show "$1")
    case $spec in
        *"volume_backend_name : $1"*) ;;
        *) cinder_ type-key "$1" set volume_backend_name="$1" ;;
    esac
}

# One volume type per backend, named after it.
configure_cinder() {
    local b
    for b in $(stack_backends); do
        ensure_volume_type "$b"
    done
    cinder_ quota-class-update --volumes -1 --snapshots -1 --gigabytes -1 \
        --backups -1 --backup-gigabytes -1 default >/dev/null
}
