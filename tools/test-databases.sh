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

# Private MariaDB and PostgreSQL servers for the migration tests.
#
# Usage: tools/test-databases.sh install|start|stop|status|env
#   eval "$(tools/test-databases.sh env)"
# Both listen on 127.0.0.1 only, on non-default ports, with their data
# under $SNAPEXT_TEST_DB_DIR (default <repo>/.test-databases); 'stop' only
# stops the servers whose pid files are there.

set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
DIR=${SNAPEXT_TEST_DB_DIR:-$REPO/.test-databases}
MY_PORT=${SNAPEXT_TEST_MYSQL_PORT:-13306}
PG_PORT=${SNAPEXT_TEST_POSTGRESQL_PORT:-15432}
DEADLINE=${SNAPEXT_TEST_DB_TIMEOUT:-60}
MY=$DIR/mariadb
PG=$DIR/postgresql
MY_PID=$MY/mariadbd.pid
PG_PID=$PG/data/postmaster.pid

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# initdb and postgres refuse to run as root.
as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A killed server stays a zombie until reaped: that is not running.
running() {
    case $(ps -o stat= -p "$1" 2>/dev/null) in
        '' | Z*) return 1 ;;
    esac
}

alive() {
    [ -s "$1" ] && running "$(head -n 1 "$1")"
}

# wait_for WHAT PID COMMAND...: until COMMAND succeeds, while PID runs.
wait_for() {
    local what=$1 pid=$2 end
    end=$((SECONDS + DEADLINE))
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ! running "$pid"; then
            echo "$what exited during startup" >&2
            return 1
        fi
        if [ "$SECONDS" -ge "$end" ]; then
            echo "$what did not accept connections within ${DEADLINE}s" >&2
            return 1
        fi
        sleep 0.2
    done
}

# port_free PORT WHAT: nothing else listens there. A server left over
# from an earlier run (its state folder deleted meanwhile) would answer
# the readiness probe below while the one just started exits.
port_free() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "127.0.0.1:$1 ($2) is already taken by a process this script" \
            "did not start: stop it, or set SNAPEXT_TEST_MYSQL_PORT /" \
            "SNAPEXT_TEST_POSTGRESQL_PORT" >&2
        return 1
    fi
}

my_sql() {
    mariadb --no-defaults -S "$MY/mariadbd.sock" -uroot -e "$1"
}

pg_sql() {
    as_postgres "$(pg_bin)/psql" -X -q -h "$PG" -p "$PG_PORT" -U postgres \
        -d postgres -v ON_ERROR_STOP=1 -c "$1"
}

do_install() {
    local pkgs=""
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] ||
        pkgs="mariadb-server"
    [ -n "$(pg_bin)" ] || pkgs="$pkgs postgresql"
    [ -n "$pkgs" ] || return 0
    # Another apt-get (a stack booting meanwhile: tools/stack.sh) may
    # hold dpkg's lock: wait for it rather than fail.
    local wait='-o DPkg::Lock::Timeout=600'
    # shellcheck disable=SC2086
    apt-get $wait install -y --no-install-recommends $pkgs || {
        apt-get $wait update &&
            apt-get $wait install -y --no-install-recommends $pkgs
    }
}

missing() {
    echo "$1 is not installed: run $0 install" >&2
    return 1
}

start_mariadb() {
    local pid
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] ||
        missing MariaDB
    if alive "$MY_PID"; then
        pid=$(head -n 1 "$MY_PID")
    else
        mkdir -p "$MY"
        # Root has no password on the socket in there.
        chmod 700 "$MY"
        if [ ! -d "$MY/data/mysql" ]; then
            mariadb-install-db --no-defaults --user="$(id -un)" \
                --datadir="$MY/data" --auth-root-authentication-method=normal \
                --skip-test-db >"$MY/install.log" 2>&1 ||
                { cat "$MY/install.log" >&2; return 1; }
        fi
        rm -f "$MY_PID"
        port_free "$MY_PORT" MariaDB
        setsid mariadbd --no-defaults --user="$(id -un)" \
            --datadir="$MY/data" --bind-address=127.0.0.1 --port="$MY_PORT" \
            --socket="$MY/mariadbd.sock" --pid-file="$MY_PID" \
            --log-error="$MY/mariadbd.log" --skip-name-resolve \
            </dev/null >/dev/null 2>&1 &
        pid=$!
    fi
    wait_for "MariaDB (see $MY/mariadbd.log)" "$pid" \
        mariadb-admin --no-defaults --connect-timeout=2 -h 127.0.0.1 \
        -P "$MY_PORT" -uroot ping
    my_sql "CREATE USER IF NOT EXISTS 'snapext'@'%' IDENTIFIED BY 'snapext';
            GRANT ALL ON *.* TO 'snapext'@'%' WITH GRANT OPTION;"
}

start_postgresql() {
    local bin
    bin=$(pg_bin)
    [ -n "$bin" ] || missing PostgreSQL
    if ! alive "$PG_PID"; then
        # Trusted superuser access through the socket in there.
        mkdir -p -m 700 "$PG"
        [ "$(id -u)" != 0 ] || chown postgres: "$PG"
        if [ ! -f "$PG/data/PG_VERSION" ]; then
            as_postgres "$bin/initdb" -D "$PG/data" -U postgres -E UTF8 \
                --auth-local=trust --auth-host=scram-sha-256 \
                >"$PG/initdb.log" 2>&1 ||
                { cat "$PG/initdb.log" >&2; return 1; }
        fi
        port_free "$PG_PORT" PostgreSQL
        # -w: pg_ctl fails as soon as the server does.
        as_postgres "$bin/pg_ctl" -D "$PG/data" -l "$PG/postgresql.log" \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG" \
            -w -t "$DEADLINE" start >/dev/null ||
            { echo "PostgreSQL failed: see $PG/postgresql.log" >&2; return 1; }
    fi
    wait_for "PostgreSQL (see $PG/postgresql.log)" "$(head -n 1 "$PG_PID")" \
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
    pg_sql "DO \$\$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'snapext')
            THEN CREATE ROLE snapext LOGIN CREATEDB PASSWORD 'snapext';
            END IF; END \$\$;"
}

# SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
stop_one() {
    local name=$1 pidfile=$2 sig=$3 pid end
    end=$((SECONDS + DEADLINE))
    alive "$pidfile" || { echo "$name: not running"; return 0; }
    pid=$(head -n 1 "$pidfile")
    kill "-$sig" "$pid"
    while running "$pid"; do
        if [ "$SECONDS" -ge "$end" ]; then
            echo "$name (pid $pid) did not exit within ${DEADLINE}s" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "$name: stopped (pid $pid)"
}

status_one() {
    if alive "$2"; then
        echo "$1: running (pid $(head -n 1 "$2"), 127.0.0.1:$3)"
    else
        echo "$1: stopped"
    fi
}

case ${1:-} in
    install)
        do_install
        ;;
    start)
        start_mariadb
        start_postgresql
        "$0" status
        ;;
    stop)
        stop_one MariaDB "$MY_PID" TERM
        stop_one PostgreSQL "$PG_PID" INT
        ;;
    status)
        status_one MariaDB "$MY_PID" "$MY_PORT"
        status_one PostgreSQL "$PG_PID" "$PG_PORT"
        ;;
    env)
        my=mysql+pymysql://snapext:snapext@127.0.0.1:$MY_PORT/
        pg=postgresql+psycopg2://snapext:snapext@127.0.0.1:$PG_PORT/postgres
        echo "export SNAPEXT_TEST_MYSQL_URL=$my"
        echo "export SNAPEXT_TEST_POSTGRESQL_URL=$pg"
        ;;
    *)
        echo "usage: $0 install|start|stop|status|env" >&2
        exit 2
        ;;
esac
