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

# A second Cinder deployment, "B", on the stack (sourced by tools/stack.sh).
#
# Two clouds that share one Ceph cluster, as the cross-cloud move of the
# import/export spec needs: B has a database of its own (a second one in
# the stack's server, or its own SQLite file), its own RabbitMQ vhost on
# the same broker, and its own cinder-api (port API_PORT + 1), -scheduler
# and -volume (host 'peer', RBD on the same 'volumes' pool and Ceph user),
# with cinder-snapext enabled as in the main one. No cinder-backup.
#
#   PEER=1 (default) or 0; unset, keeps what the stack was last brought up
#   with (<state>/peer/enabled). Use B with: source <state>/peer/openrc

PEER_DIR=$STATE/peer
PEER=${PEER:-${SNAPEXT_STACK_PEER:-$(cat "$PEER_DIR/enabled" 2>/dev/null ||
    true)}}
PEER=${PEER:-1}
case $PEER in
    0|1) ;;
    *) echo "PEER=$PEER: use 1 (a second Cinder) or 0" >&2; exit 2 ;;
esac
PEER_HOST=peer
PEER_API_PORT=$((API_PORT + 1))
PEER_VHOST=peer
PEER_DB=cinder_peer
PEER_CONF=$PEER_DIR/cinder.conf
PEER_OPENRC=$PEER_DIR/openrc
PEER_SERVICES="api scheduler volume"

peer_db_url() {
    local auth=cinder:cinder@127.0.0.1
    case $DB in
        postgresql) echo "postgresql+psycopg2://$auth:$PG_PORT/$PEER_DB" ;;
        mariadb)
            echo "mysql+pymysql://$auth:$MY_PORT/$PEER_DB?charset=utf8mb4"
            ;;
        sqlite) echo "sqlite:///$PEER_DIR/cinder.sqlite" ;;
    esac
}

peer_make_db() {
    case $DB in
        postgresql)
            as_postgres "$(pg_bin)/psql" -X -q -h "$STATE/postgresql" \
                -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 >/dev/null <<EOF
SELECT 'CREATE DATABASE $PEER_DB OWNER cinder'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PEER_DB')\gexec
EOF
            ;;
        mariadb)
            mariadb --no-defaults -S "$STATE/mariadb/mariadbd.sock" -uroot \
                -e "CREATE DATABASE IF NOT EXISTS $PEER_DB
                        CHARACTER SET utf8mb4;
                    GRANT ALL ON $PEER_DB.* TO 'cinder'@'127.0.0.1';"
            ;;
    esac
}

peer_make_vhost() {
    # Each rabbitmqctl call boots an Erlang VM (seconds on a busy box): the
    # mark lives with the broker's data, so a new broker makes it anew.
    local mark=$STATE/rabbitmq/mnesia/.snapext-vhost-$PEER_VHOST
    [ ! -e "$mark" ] || return 0
    rabbitmqctl_ add_vhost "$PEER_VHOST" >/dev/null 2>&1 || true
    rabbitmqctl_ set_permissions -p "$PEER_VHOST" guest "'.*'" "'.*'" \
        "'.*'" >/dev/null || die "Cinder B: RabbitMQ vhost $PEER_VHOST"
    touch "$mark"
}

write_peer_conf() {
    cat >"$1" <<EOF
# Written by tools/stack.sh (part-peer.sh): Cinder deployment B.
$(cinder_conf_default "$PEER_HOST" "$PEER_DIR" noauth "$PEER_VHOST" \
    "$PEER_API_PORT" "$VENV/etc/cinder/api-paste.ini" ceph)
$(cinder_conf_sections "$(peer_db_url)" "$PEER_DIR" "$PEER_CONF")
EOF
}

peer_cinder_() {
    env -u OS_CLOUD -u OS_AUTH_URL -u OS_TOKEN \
        OS_AUTH_TYPE=noauth \
        CINDER_ENDPOINT="http://127.0.0.1:$PEER_API_PORT/v3" \
        OS_USER_ID=admin OS_PROJECT_ID=admin OS_VOLUME_API_VERSION=3.71 \
        timeout 60 "$VENV/bin/cinder" "$@"
}

peer_running() {
    local s
    for s in $PEER_SERVICES; do
        running "peer-cinder-$s" || return 1
    done
}

stop_peer() {
    stop_group TERM peer-cinder-volume peer-cinder-scheduler peer-cinder-api
}

peer_log_after() {
    # peer_log_after SERVICE OFFSET PATTERN: PATTERN logged after OFFSET.
    # grep reads to the end (no -q): under pipefail, tail must not die of
    # SIGPIPE after an early match.
    tail -c +"$(($2 + 1))" "$LOGS/peer-cinder-$1.log" 2>/dev/null |
        grep -E "$3" >/dev/null
}

# B's API answers, and its scheduler has heard from its volume service
# since they started (then the service list shows both up).
peer_ready() {
    (API_PORT=$PEER_API_PORT; api_ready) || return 1
    peer_log_after scheduler "$1" \
        "volume service update from +$PEER_HOST@ceph:" || return 1
    peer_cinder_ service-list >/dev/null
}

start_peer() {
    local s offset voffset end
    mkdir -p "$PEER_DIR/cinder/locks" "$PEER_DIR/cinder/coordination"
    require_port_free "$PEER_API_PORT" "cinder-api of Cinder B"
    "$VENV/bin/cinder-manage" --config-file "$PEER_CONF" db sync \
        >>"$LOGS/peer-db-sync.log" 2>&1 ||
        die "Cinder B: db sync failed: see $LOGS/peer-db-sync.log"
    "$VENV/bin/cinder-snapext-manage" --config-file "$PEER_CONF" db sync \
        >>"$LOGS/peer-db-sync.log" 2>&1 ||
        die "Cinder B: snapext db sync failed: see $LOGS/peer-db-sync.log"
    touch "$LOGS/peer-cinder-scheduler.log" "$LOGS/peer-cinder-volume.log"
    offset=$(stat -c %s "$LOGS/peer-cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/peer-cinder-volume.log")
    for s in api volume; do
        launch "peer-cinder-$s" "$VENV/bin/cinder-$s" --config-file \
            "$PEER_CONF" --log-file "$LOGS/peer-cinder-$s.log"
    done
    # As for the main Cinder: a scheduler that starts before the volume
    # service listens hears from it only a minute later.
    wait_until "Cinder B: cinder-volume RPC (see $LOGS/peer-cinder-*)" \
        peer_log_after volume "$voffset" \
        "Driver post RPC initialization completed successfully"
    launch peer-cinder-scheduler "$VENV/bin/cinder-scheduler" \
        --config-file "$PEER_CONF" \
        --log-file "$LOGS/peer-cinder-scheduler.log"
    end=$((SECONDS + DEADLINE))
    until peer_ready "$offset" >/dev/null 2>&1; do
        for s in $PEER_SERVICES; do
            running "peer-cinder-$s" ||
                die "Cinder B: cinder-$s died: see $LOGS/peer-cinder-$s.log"
        done
        [ "$SECONDS" -lt "$end" ] ||
            die "Cinder B: services not ready within ${DEADLINE}s"
        sleep 0.5
    done
}

configure_peer() {
    peer_cinder_ type-show ceph >/dev/null 2>&1 ||
        peer_cinder_ type-create ceph >/dev/null
    case $(peer_cinder_ type-show ceph) in
        *"volume_backend_name : ceph"*) ;;
        *) peer_cinder_ type-key ceph set volume_backend_name=ceph ;;
    esac
    peer_cinder_ quota-class-update --volumes -1 --snapshots -1 \
        --gigabytes -1 --backups -1 --backup-gigabytes -1 default >/dev/null
}

# -------------------------------------------------------------- hooks

# The vhost, the database and the config; a changed config (or a new
# cinder_snapext in the venv) restarts B in hook_ready.
hook_up_peer() {
    mkdir -p "$PEER_DIR"
    echo "$PEER" >"$PEER_DIR/enabled"
    if [ "$PEER" = 0 ]; then
        stop_peer
        rm -f "$PEER_OPENRC"
        return 0
    fi
    peer_make_vhost
    peer_make_db
    write_peer_conf "$PEER_CONF.new"
    if ! cmp -s "$PEER_CONF.new" "$PEER_CONF"; then
        mv "$PEER_CONF.new" "$PEER_CONF"
        ! peer_running || { log "Cinder B: config changed"; stop_peer; }
    else
        rm -f "$PEER_CONF.new"
    fi
    if [ -n "$VENV_CHANGED" ] && peer_running; then
        stop_peer
    fi
    write_openrc "$PEER_OPENRC" "Cinder B (peer)" "OS_AUTH_TYPE=noauth \
CINDER_ENDPOINT=http://127.0.0.1:$PEER_API_PORT/v3 OS_USER_ID=admin \
OS_PROJECT_ID=admin"
}

# After the main Cinder is ready, so the two do not start on the same
# two cores at once.
hook_ready_peer() {
    [ "$PEER" = 1 ] || return 0
    if peer_running; then
        wait_until "Cinder B up" peer_ready 0
    else
        stop_peer
        start_peer
    fi
    configure_peer
    log "Cinder B: source $PEER_OPENRC; cinder list"
}

hook_down_peer() {
    stop_peer
}

hook_running_peer() {
    [ "$PEER" = 1 ] || return 0
    peer_running
}
