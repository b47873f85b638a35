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

# The compat pass of tools/tempest.sh (sourced, not run).
#
# A slice of the stack deployed with the selection's "compat:" settings,
# beside the stack's own services and sharing its database, broker,
# scheduler and Ceph pool: a cinder-api on its own port, registered in
# Keystone as the service type block-storage-compat, and a cinder-volume
# on host <host>-compat with one RBD backend, ceph-compat (the stack's
# ceph backend under another name). Both read the stack's cinder.conf,
# then <state>/tempest/cinder-compat.conf, so a setting that both
# services read (the API's refusal and the driver's) is Cinder's own in
# both. The volume type ceph-compat, the compat API's default type, puts
# the tests' volumes on that backend. After the pass: both processes
# stopped by pid, the service row, the volume type and the RBD trash
# entries of the pass's volumes removed.

COMPAT_API=cinder-api-compat
COMPAT_VOLUME=cinder-volume-compat
COMPAT_WS=$TDIR/compat-ws
COMPAT_CONF=$TDIR/cinder-compat.conf
COMPAT_SINCE=$TDIR/compat-since
# The stack's API port (8776 + 10 x SLOT) plus 5 ends in 1, a digit no
# port of any slot ends in.
COMPAT_PORT=${SNAPEXT_TEMPEST_COMPAT_PORT:-$((8776 + SLOT * 10 + 5))}
COMPAT_BACKEND=ceph-compat
# The stack's backend that the compat one copies.
COMPAT_FROM=ceph

# conf_section FILE SECTION: the "option = value" lines of one section.
conf_section() {
    sed -n "/^\[$2\]\$/,/^\[/p" "$1" | sed '1d;/^\[/d;/^#/d;/^$/d'
}

# conf_value SECTION OPTION: a value of the stack's cinder.conf.
conf_value() {
    conf_section "$STATE/cinder.conf" "$1" | sed -n "s/^$2 *= *//p" |
        head -n 1
}

COMPAT_HOST=$(conf_value DEFAULT host 2>/dev/null || true)-compat
COMPAT_SERVICE=$COMPAT_HOST@$COMPAT_BACKEND

# The stock cinder CLI as the stack's Keystone admin.
admin_cinder() {
    (
        unset OS_CLOUD OS_TOKEN
        # shellcheck source=/dev/null
        . "$KS_DIR/admin-openrc"
        timeout 60 "$STATE/venv/bin/cinder" "$@"
    )
}

# rbd on the stack's Ceph, as its Cinder user.
compat_rbd() {
    timeout 60 rbd -c "$(conf_value "$COMPAT_FROM" rbd_ceph_conf)" \
        --id "$(conf_value "$COMPAT_FROM" rbd_user)" "$@"
}

write_compat_conf() {
    local settings
    settings=$("$TVENV/bin/python" "$REPO/tools/tempest_results.py" \
        --compat-conf "$SELECTION") || return 1
    cat >"$COMPAT_CONF" <<EOF
# Written by tools/tempest.sh: the compat pass's cinder-api and
# cinder-volume read the stack's cinder.conf, then this file.
[DEFAULT]
host = $COMPAT_HOST
osapi_volume_listen_port = $COMPAT_PORT
enabled_backends = $COMPAT_BACKEND
default_volume_type = $COMPAT_BACKEND

# The stack's [$COMPAT_FROM], renamed: the same pool, user and driver.
[$COMPAT_BACKEND]
$(conf_section "$STATE/cinder.conf" "$COMPAT_FROM" |
        grep -v '^volume_backend_name *=')
volume_backend_name = $COMPAT_BACKEND

# The selection's compat settings (tools/tempest-tests.txt).
$settings
EOF
}

# Requests the API that logs to FILE answered after byte OFFSET.
api_requests() {
    tail -c +"$(($2 + 1))" "$1" 2>/dev/null |
        grep -cE 'eventlet\.wsgi\.server .*"[A-Z]+ /v3/' || true
}

compat_api_answers() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        "http://127.0.0.1:$COMPAT_PORT/")" = 300 ]
}

# compat_volume_ready OFFSET: the scheduler has the backend's
# capabilities (cinder-volume sends them once its driver is up, then
# every backend_stats_polling_interval; the scheduler places nothing on
# it before), heard after byte OFFSET of its log, and it is listed up.
compat_volume_ready() {
    tail -c +"$(($1 + 1))" "$LOGS/cinder-scheduler.log" |
        grep -E "volume service update from +$COMPAT_SERVICE:" \
            >/dev/null || return 1
    admin_cinder service-list --binary cinder-volume |
        grep -E "\| *$COMPAT_SERVICE *\|[^|]*\| *enabled *\| *up *\|" \
            >/dev/null
}

compat_ready() {
    compat_api_answers && compat_volume_ready "$1"
}

# The volumes created since the pass began: "<id> <host> <status>
# <deleted>" lines (tools/tempest_compat.py).
compat_volumes() {
    [ -s "$COMPAT_SINCE" ] || return 0
    "$STATE/venv/bin/python" "$REPO/tools/tempest_compat.py" volumes \
        "$STATE/cinder.conf" "$(cat "$COMPAT_SINCE")"
}

# Runs in a subshell: a failure is written to $TDIR/compat-error (any
# die leaves it empty, with the message on stderr); the caller runs
# compat_teardown whatever happens.
compat_pass() {
    local api_log=$LOGS/$COMPAT_API.log vol_log=$LOGS/$COMPAT_VOLUME.log
    local main_log=$LOGS/cinder-api.log sched_log=$LOGS/cinder-scheduler.log
    local offset main_offset sched_offset end n name vols
    fail() {
        echo "$*" >"$TDIR/compat-error"
        log "compat pass: $*"
        exit 1
    }
    if port_busy "$COMPAT_PORT"; then
        fail "127.0.0.1:$COMPAT_PORT is taken: set" \
            "SNAPEXT_TEMPEST_COMPAT_PORT"
    fi
    [ -n "$(conf_section "$STATE/cinder.conf" "$COMPAT_FROM")" ] ||
        fail "no [$COMPAT_FROM] backend in $STATE/cinder.conf to copy"
    write_compat_conf || fail "could not write $COMPAT_CONF"
    log "compat pass: $COMPAT_API on 127.0.0.1:$COMPAT_PORT and" \
        "$COMPAT_VOLUME ($COMPAT_SERVICE) with" \
        "$(sed '1,/^# The selection/d' "$COMPAT_CONF" | xargs)"
    date +%s >"$COMPAT_SINCE"
    touch "$sched_log"
    sched_offset=$(stat -c %s "$sched_log")
    launch "$COMPAT_VOLUME" "$STATE/venv/bin/cinder-volume" \
        --config-file "$STATE/cinder.conf" --config-file "$COMPAT_CONF" \
        --log-file "$vol_log"
    launch "$COMPAT_API" "$STATE/venv/bin/cinder-api" \
        --config-file "$STATE/cinder.conf" --config-file "$COMPAT_CONF" \
        --log-file "$api_log"
    end=$((SECONDS + DEADLINE))
    until compat_ready "$sched_offset" >/dev/null 2>&1; do
        for name in "$COMPAT_API" "$COMPAT_VOLUME"; do
            running "$name" ||
                fail "$name exited: see $LOGS/$name.log and .out"
        done
        [ "$SECONDS" -lt "$end" ] ||
            fail "$COMPAT_API and $COMPAT_VOLUME not ready within" \
                "${DEADLINE}s"
        sleep 1
    done
    log "compat pass: ready after $(($(date +%s) - $(cat "$COMPAT_SINCE"))) s"
    if ! admin_cinder type-show "$COMPAT_BACKEND" >/dev/null 2>&1; then
        admin_cinder type-create "$COMPAT_BACKEND" >/dev/null ||
            fail "could not create the volume type $COMPAT_BACKEND"
    fi
    admin_cinder type-key "$COMPAT_BACKEND" set \
        volume_backend_name="$COMPAT_BACKEND" ||
        fail "could not set the backend of the volume type $COMPAT_BACKEND"
    keystone_setup compat-endpoint \
        SNAPEXT_KS_COMPAT_URL="http://127.0.0.1:$COMPAT_PORT/v3/%(project_id)s"
    init_workspace "$COMPAT_WS"
    write_conf "$COMPAT_WS/etc/tempest.conf" block-storage-compat
    offset=$(stat -c %s "$api_log")
    main_offset=$(stat -c %s "$main_log")
    log "compat pass: $(grep -c . "$TDIR/compat-include.txt") ids, log:" \
        "$LOGS/tempest-compat.log"
    run_tempest "$COMPAT_WS" "$TDIR/compat-include.txt" \
        "$LOGS/tempest-compat.log"
    cp "$COMPAT_WS/last.subunit" "$TDIR/compat.subunit"
    # Proof that the clients used the second API, and only it, and that
    # the volumes were on the compat backend.
    n=$(api_requests "$api_log" "$offset")
    log "compat pass: $n requests answered by $COMPAT_API"
    [ "$n" -gt 0 ] ||
        fail "no request reached $COMPAT_API: the ids ran elsewhere"
    n=$(api_requests "$main_log" "$main_offset")
    [ "$n" -eq 0 ] ||
        fail "$n requests of the compat pass reached the stack's cinder-api"
    vols=$(compat_volumes) || fail "could not list the pass's volumes"
    [ -n "$vols" ] || fail "the compat pass created no volume"
    n=$(awk -v h="$COMPAT_SERVICE" '$2 != h && index($2, h "#") != 1' \
        <<<"$vols" | wc -l)
    [ "$n" -eq 0 ] ||
        fail "$n volumes of the pass were not on $COMPAT_SERVICE:" \
            "$(awk -v h="$COMPAT_SERVICE" \
                '$2 != h && index($2, h "#") != 1 {print $1 " on " $2}' \
                <<<"$vols" | xargs)"
    log "compat pass: its $(wc -l <<<"$vols") volumes were on" \
        "$COMPAT_SERVICE"
}

# After the pass, whatever its outcome: the stack as it was before. What
# could not be put back goes to $TDIR/compat-teardown-error; status 1.
compat_teardown() {
    local list vols ids left pool
    problem() {
        echo "$*" >>"$TDIR/compat-teardown-error"
        log "compat teardown: $*"
    }
    stop_group TERM "$COMPAT_API" "$COMPAT_VOLUME"
    "$STATE/venv/bin/cinder-manage" --config-file "$STATE/cinder.conf" \
        service remove cinder-volume "$COMPAT_SERVICE" \
        >>"$LOGS/$COMPAT_VOLUME.out" 2>&1 || true
    if ! list=$(admin_cinder service-list); then
        problem "could not list the services"
    elif grep -F "$COMPAT_HOST" <<<"$list" >/dev/null; then
        problem "the service $COMPAT_SERVICE is still listed"
    fi
    vols=$(compat_volumes) || problem "could not list the pass's volumes"
    ids=$(awk -v h="$COMPAT_SERVICE" \
        '$2 == h || index($2, h "#") == 1 {print $1}' <<<"$vols")
    left=$(awk '$4 == 0 {print $1 " (" $3 ")"}' <<<"$vols" | xargs)
    [ -z "$left" ] || problem "volumes of the pass not deleted: $left"
    if admin_cinder type-show "$COMPAT_BACKEND" >/dev/null 2>&1; then
        admin_cinder type-delete "$COMPAT_BACKEND" >/dev/null 2>&1 ||
            problem "could not delete the volume type $COMPAT_BACKEND"
    fi
    if [ -n "$ids" ]; then
        pool=$(conf_value "$COMPAT_FROM" rbd_pool)
        # shellcheck disable=SC2086
        "$STATE/venv/bin/python" "$REPO/tools/tempest_compat.py" \
            purge-trash "$(conf_value "$COMPAT_FROM" rbd_ceph_conf)" \
            "$(conf_value "$COMPAT_FROM" rbd_user)" "$pool" $ids |
            sed 's/^/[tempest] compat teardown: /'
        left=$(compat_rbd trash ls "$pool" |
            grep -F -f <(sed 's/^/volume-/' <<<"$ids") | xargs)
        [ -z "$left" ] || problem "still in the RBD trash of $pool: $left"
    fi
    rm -f "$COMPAT_SINCE"
    [ ! -s "$TDIR/compat-teardown-error" ]
}
