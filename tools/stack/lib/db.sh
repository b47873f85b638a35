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

# The stack's database server (sourced by tools/stack.sh).

# ---------------------------------------------------------- databases

pg_bin() {
    # shellcheck disable=SC2012
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_postgres() {
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}

start_postgresql() {
    local bin dir=$STATE/postgresql
    bin=$(pg_bin)
    [ -n "$bin" ] || die "PostgreSQL is not installed"
    if ! running postgresql; then
        require_port_free "$PG_PORT" "PostgreSQL"
        mkdir -p "$dir"
        chown postgres: "$dir"
        if [ ! -f "$dir/data/PG_VERSION" ]; then
            as_postgres "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 \
                --auth-local=trust --auth-host=scram-sha-256 \
                >"$LOGS/postgresql-initdb.log" 2>&1 ||
                die "initdb failed: see $LOGS/postgresql-initdb.log"
        fi
        # Its data directory's lock and its socket's lock both name it.
        clear_stale_lock "$dir/data/postmaster.pid"
        clear_stale_lock "$dir/.s.PGSQL.$PG_PORT.lock"
        # No fsync (only a machine crash loses data then), but a commit is
        # written before it is acknowledged: the fault lane kills the
        # server with -9, and a production database keeps what it
        # acknowledged. With synchronous_commit=off a kill lost a phase
        # written just before it (the CI run of 2026-12-07).
        launch postgresql setpriv --reuid=postgres --regid=postgres \
            --init-groups -- "$bin/postgres" -D "$dir/data" \
            -c listen_addresses=127.0.0.1 -p "$PG_PORT" \
            -c unix_socket_directories="$dir" -c max_connections=200 \
            -c fsync=off -c full_page_writes=off
    fi
    wait_until "PostgreSQL (see $LOGS/postgresql.out)" \
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
    as_postgres "$bin/psql" -X -q -h "$dir" -p "$PG_PORT" -U postgres \
        -v ON_ERROR_STOP=1 >/dev/null <<'EOF'
DO $$ BEGIN
IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cinder') THEN
CREATE ROLE cinder LOGIN PASSWORD 'cinder';
END IF;
END $$;
SELECT 'CREATE DATABASE cinder OWNER cinder'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'cinder')\gexec
EOF
}

start_mariadb() {
    local dir=$STATE/mariadb
    if ! running mariadb; then
        require_port_free "$MY_PORT" "MariaDB"
        mkdir -p "$dir"
        if [ ! -d "$dir/data/mysql" ]; then
            mariadb-install-db --no-defaults --user=root \
                --datadir="$dir/data" \
                --auth-root-authentication-method=normal --skip-test-db \
                >"$LOGS/mariadb-install.log" 2>&1 ||
                die "mariadb-install-db failed: see $LOGS/mariadb-install.log"
        fi
        # The log is written at each commit (2), flushed once a second.
        launch mariadb mariadbd --no-defaults --user=root \
            --datadir="$dir/data" --bind-address=127.0.0.1 \
            --port="$MY_PORT" --socket="$dir/mariadbd.sock" \
            --pid-file="$dir/mariadbd.pid" --log-error="$LOGS/mariadb.log" \
            --skip-name-resolve --innodb-flush-log-at-trx-commit=2 \
            --max-connections=200
    fi
    wait_until "MariaDB (see $LOGS/mariadb.log)" mariadb-admin --no-defaults \
        -h 127.0.0.1 -P "$MY_PORT" -uroot ping
    mariadb --no-defaults -S "$dir/mariadbd.sock" -uroot -e "
        CREATE DATABASE IF NOT EXISTS cinder CHARACTER SET utf8mb4;
        CREATE USER IF NOT EXISTS 'cinder'@'127.0.0.1' IDENTIFIED BY 'cinder';
        GRANT ALL ON cinder.* TO 'cinder'@'127.0.0.1';"
}

db_url() {
    local auth=cinder:cinder@127.0.0.1
    case $DB in
        postgresql)
            echo "postgresql+psycopg2://$auth:$PG_PORT/cinder"
            ;;
        mariadb)
            echo "mysql+pymysql://$auth:$MY_PORT/cinder?charset=utf8mb4"
            ;;
        sqlite)
            echo "sqlite:///$STATE/cinder.sqlite"
            ;;
    esac
}

start_db() {
    case $DB in
        postgresql) start_postgresql ;;
        mariadb) start_mariadb ;;
        sqlite) ;;
    esac
}
