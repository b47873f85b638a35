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
#
#   up      install what is missing (Debian packages, <state>/venv with
#           this repo, Cinder 29 and python-cinderclient), start
#           everything, wait until Cinder can place volumes and backups
#   down    stop the processes this tool started (recorded by pid, with
#           everything they spawned), with a deadline
#   status  what runs, Cinder's and Ceph's view of it, peak memory;
#           exit status 3 when the stack is not (fully) running
#   logs    list the logs, or print one (-f follows it)
#   demo    up if needed, run the scenario with the stock cinder CLI
#           (cinder_snapext/tests/integration), print a PASS/FAIL table,
#           the boot time and each service's peak memory
#
# Environment:
#   SNAPEXT_STACK_DIR      state directory (default <repo>/.stack)
#   DB                     postgresql (default), mariadb or sqlite
#   BACKUP                 ceph (default) or posix; both, when unset, keep
#                          what the stack was last brought up with
#   SNAPEXT_STACK_PYTHON   a CPython 3.11 for the venv (Debian's rados and
#                          rbd modules are built for 3.11)
#   SNAPEXT_STACK_TIMEOUT  deadline in seconds for each wait (default 120)
#   SNAPEXT_STACK_PG_PORT, SNAPEXT_STACK_MYSQL_PORT  (15433, 13307)
#
# Host-level changes, all needed by the packages or by os-brick: Debian
# packages, RabbitMQ's Erlang cookie in /var/lib/rabbitmq, and the
# symlink /etc/ceph/ceph.client.cinder.keyring into the state directory.

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack}
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
# Unset, DB and BACKUP keep what the stack in STATE was made with.
DB=${DB:-${SNAPEXT_STACK_DB:-$(cat "$STATE/db" 2>/dev/null || true)}}
DB=${DB:-postgresql}
BACKUP=${BACKUP:-${SNAPEXT_STACK_BACKUP:-$(cat "$STATE/backup" 2>/dev/null ||
    true)}}
BACKUP=${BACKUP:-ceph}
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-120}
PG_PORT=${SNAPEXT_STACK_PG_PORT:-15433}
MY_PORT=${SNAPEXT_STACK_MYSQL_PORT:-13307}
RABBIT_PORT=5672
EPMD_PORT=4369
API_PORT=8776
HOST_NAME=ci

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

# recorded NAME: print the recorded pid if that process still runs.
recorded() {
    local f=$RUN/$1.pid pid st boot
    [ -s "$f" ] || return 1
    read -r pid st boot <"$f"
    [ "$boot" = "$BOOT_ID" ] || return 1
    [ "$(starttime "$pid" 2>/dev/null)" = "$st" ] || return 1
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
    left=""
    for p in "$@"; do
        [ -d "/proc/$p" ] && left="$left $p"
    done
    if [ -n "$left" ]; then
        log "sending KILL:$left"
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
        sleep 1
    fi
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

# ------------------------------------------------------------ packages

packages() {
    local pkgs="rabbitmq-server ceph-mon ceph-mgr ceph-osd ceph-common"
    pkgs="$pkgs python3-rados python3-rbd uuid-runtime"
    case $DB in
        postgresql) pkgs="$pkgs postgresql" ;;
        mariadb) pkgs="$pkgs mariadb-server mariadb-client" ;;
    esac
    echo "$pkgs"
}

install_packages() {
    local missing="" p guard=""
    for p in $(packages); do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed' || missing="$missing $p"
    done
    [ -n "$missing" ] || return 0
    log "installing Debian packages:$missing"
    [ "$(id -u)" = 0 ] || die "installing packages needs root"
    # Packages must not start their daemons: this tool starts its own.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        guard=1
    fi
    # shellcheck disable=SC2086
    if ! apt-get install -y -q --no-install-recommends $missing \
        >>"$LOGS/apt.log" 2>&1; then
        log "apt-get install failed; apt-get update and retry"
        apt-get update -q >>"$LOGS/apt.log" 2>&1
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing \
            >>"$LOGS/apt.log" 2>&1 ||
            { [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d;
                die "apt-get install failed: see $LOGS/apt.log"; }
    fi
    [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
}

# ---------------------------------------------------------------- venv

find_python() {
    local c
    for c in ${SNAPEXT_STACK_PYTHON:-} python3.11 /usr/bin/python3.11; do
        command -v "$c" >/dev/null 2>&1 || continue
        if "$c" -c 'import sys, venv, ensurepip
assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    die "no CPython 3.11 with venv/ensurepip found (Debian's rados and" \
        "rbd modules are built for 3.11): set SNAPEXT_STACK_PYTHON"
}

# A hash of what pip installs from the repo (tests excluded: they run
# from the work tree), to reinstall and restart only when it changed.
source_stamp() {
    (
        cd "$REPO"
        if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            git ls-files -co --exclude-standard -- cinder_snapext setup.cfg \
                setup.py requirements.txt
        else
            find cinder_snapext setup.cfg setup.py requirements.txt -type f
        fi | grep -v '^cinder_snapext/tests/' | LC_ALL=C sort |
            xargs -r -d '\n' sha1sum 2>/dev/null
    )
}

pip_install() {
    "$VENV/bin/pip" install --disable-pip-version-check "$@" \
        >>"$LOGS/pip.log" 2>&1 || die "pip install failed: see $LOGS/pip.log"
}

# Sets VENV_CHANGED when the package was reinstalled.
VENV_CHANGED=""
install_venv() {
    local py stamp site
    source_stamp >"$STATE/venv.stamp.new"
    stamp=$(sha1sum <"$STATE/venv.stamp.new" | cut -d' ' -f1)
    if [ ! -x "$VENV/bin/cinder-volume" ]; then
        py=$(find_python)
        log "creating $VENV with $py (pip log: $LOGS/pip.log)"
        [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
        pip_install "$REPO" python-cinderclient psycopg2-binary PyMySQL \
            stestr testtools fixtures
        echo "$stamp" >"$STATE/venv.stamp"
    elif [ "$(cat "$STATE/venv.stamp" 2>/dev/null)" != "$stamp" ]; then
        local changed
        changed=$(diff "$STATE/venv.stamp.files" "$STATE/venv.stamp.new" \
            2>/dev/null | awk '/^[<>]/ {print $3}' | sort -u || true)
        log "cinder_snapext changed: reinstalling it into $VENV" \
            "($(echo "$changed" | head -n 3 | xargs)...)"
        pip_install --no-deps --force-reinstall "$REPO"
        case $changed in
            *requirements.txt*|*setup.cfg*) pip_install "$REPO" ;;
        esac
        echo "$stamp" >"$STATE/venv.stamp"
        VENV_CHANGED=1
    fi
    mv "$STATE/venv.stamp.new" "$STATE/venv.stamp.files"
    # Debian's rados and rbd modules, and only them, for the venv.
    site=$("$VENV/bin/python" -c 'import sysconfig
print(sysconfig.get_paths()["purelib"])')
    local so=cpython-311-x86_64-linux-gnu.so
    mkdir -p "$STATE/pyceph"
    ln -sf "/usr/lib/python3/dist-packages/rados.$so" \
        "/usr/lib/python3/dist-packages/rbd.$so" "$STATE/pyceph/"
    echo "$STATE/pyceph" >"$site/zz-debian-ceph.pth"
    "$VENV/bin/python" -c 'import rados, rbd' ||
        die "rados/rbd not importable from $VENV"
}

# ------------------------------------------------------------ RabbitMQ

# The node's settings, as RabbitMQ reads them from rabbitmq-env.conf,
# but in the state directory: /etc/rabbitmq is left alone.
write_rabbit_env() {
    cat >"$STATE/rabbitmq/env.sh" <<EOF
export HOME=/var/lib/rabbitmq
export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RABBIT_PORT
export RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$EPMD_PORT
export RABBITMQ_MNESIA_BASE=$STATE/rabbitmq/mnesia
export RABBITMQ_LOG_BASE=$STATE/rabbitmq/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$STATE/rabbitmq/enabled_plugins
export RABBITMQ_CONFIG_FILE=$STATE/rabbitmq/rabbitmq.conf
EOF
}

rabbitmqctl_() {
    local cmd=". $STATE/rabbitmq/env.sh &&"
    cmd="$cmd exec /usr/lib/rabbitmq/bin/rabbitmqctl -n rabbit@localhost $*"
    timeout 60 su rabbitmq -s /bin/sh -c "$cmd"
}

start_rabbitmq() {
    if running rabbitmq; then
        return 0
    fi
    require_port_free "$RABBIT_PORT" "AMQP"
    require_port_free $((RABBIT_PORT + 20000)) "Erlang distribution"
    mkdir -p "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
    echo '[].' >"$STATE/rabbitmq/enabled_plugins"
    cat >"$STATE/rabbitmq/rabbitmq.conf" <<EOF
loopback_users.guest = true
distribution.listener.interface = 127.0.0.1
EOF
    write_rabbit_env
    chown -R rabbitmq: "$STATE/rabbitmq"
    # epmd in the foreground, ours, unless one already runs.
    if ! running epmd && ! port_busy "$EPMD_PORT"; then
        launch epmd su rabbitmq -s /bin/sh -c \
            "exec epmd -address 127.0.0.1 -port $EPMD_PORT"
        wait_until "epmd" port_busy "$EPMD_PORT"
    fi
    launch rabbitmq su rabbitmq -s /bin/sh -c "cd $STATE/rabbitmq &&
. ./env.sh && exec /usr/lib/rabbitmq/bin/rabbitmq-server"
    local end
    end=$((SECONDS + DEADLINE))
    until rabbitmqctl_ await_startup --timeout 10 >/dev/null 2>&1; do
        running rabbitmq || die "RabbitMQ died: see $LOGS/rabbitmq.out"
        [ "$SECONDS" -lt "$end" ] ||
            die "RabbitMQ: not ready within ${DEADLINE}s"
        sleep 0.5
    done
}

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
        launch postgresql setpriv --reuid=postgres --regid=postgres \
            --init-groups -- "$bin/postgres" -D "$dir/data" \
            -c listen_addresses=127.0.0.1 -p "$PG_PORT" \
            -c unix_socket_directories="$dir" -c max_connections=200 \
            -c fsync=off -c full_page_writes=off -c synchronous_commit=off
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
        launch mariadb mariadbd --no-defaults --user=root \
            --datadir="$dir/data" --bind-address=127.0.0.1 \
            --port="$MY_PORT" --socket="$dir/mariadbd.sock" \
            --pid-file="$dir/mariadbd.pid" --log-error="$LOGS/mariadb.log" \
            --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
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

# ---------------------------------------------------------------- Ceph

ceph_() {
    timeout 60 ceph -c "$CEPH_CONF" --connect-timeout 20 "$@"
}

write_ceph_conf() {
    local fsid=$1
    cat >"$CEPH_CONF" <<EOF
# Written by tools/stack.sh: one mon, one mgr, one BlueStore OSD on a
# sparse file, everything on 127.0.0.1 and under $CEPH.
[global]
fsid = $fsid
mon_initial_members = a
mon_host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv4 = true
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 10
mon_data_avail_crit = 1
run_dir = $CEPH/run
pid_file = $CEPH/run/\$cluster-\$name.pid
admin_socket = $CEPH/run/\$cluster-\$name.asok
log_file = $CEPH/log/\$cluster-\$name.log
mon_cluster_log_file = $CEPH/log/\$cluster.log
crash_dir = $CEPH/crash

[client]
keyring = $CEPH/\$cluster.\$name.keyring
log_file = $CEPH/log/client.log

[mon]
mon_data = $CEPH/mon/\$cluster-\$id

[mgr]
mgr_data = $CEPH/mgr/\$cluster-\$id

[osd]
osd_data = $CEPH/osd/\$cluster-\$id
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = 10G
osd_memory_target = 1G
EOF
}

ceph_bootstrap() {
    local fsid uuid secret tmp=$CEPH/tmp
    # A half-made cluster (an earlier 'up' that failed) is made anew.
    rm -rf "$CEPH"
    mkdir -p "$CEPH"/{run,log,crash,tmp,mon/ceph-a,mgr/ceph-x,osd/ceph-0}
    fsid=$(uuidgen)
    write_ceph_conf "$fsid"
    ceph-authtool --create-keyring "$tmp/mon.keyring" --gen-key -n mon. \
        --cap mon 'allow *' >/dev/null
    ceph-authtool --create-keyring "$CEPH/ceph.client.admin.keyring" \
        --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
    ceph-authtool "$tmp/mon.keyring" \
        --import-keyring "$CEPH/ceph.client.admin.keyring" >/dev/null
    monmaptool --create --fsid "$fsid" \
        --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$tmp/monmap" \
        >/dev/null
    ceph-mon -c "$CEPH_CONF" --mkfs -i a --monmap "$tmp/monmap" \
        --keyring "$tmp/mon.keyring" >>"$LOGS/ceph-bootstrap.log" 2>&1
    launch ceph-mon ceph-mon -c "$CEPH_CONF" -f -i a
    wait_until "ceph-mon" ceph_ mon stat
    ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' \
        mds 'allow *' -o "$CEPH/mgr/ceph-x/keyring"
    launch ceph-mgr ceph-mgr -c "$CEPH_CONF" -f -i x
    uuid=$(uuidgen)
    secret=$(ceph-authtool --gen-print-key)
    echo "{\"cephx_secret\": \"$secret\"}" |
        ceph_ osd new "$uuid" -i - >/dev/null
    ceph-authtool --create-keyring "$CEPH/osd/ceph-0/keyring" \
        --name osd.0 --add-key "$secret" >/dev/null
    ceph-osd -c "$CEPH_CONF" -i 0 --mkfs --osd-uuid "$uuid" \
        >>"$LOGS/ceph-bootstrap.log" 2>&1
    launch ceph-osd ceph-osd -c "$CEPH_CONF" -f -i 0
    local pool
    for pool in volumes backups; do
        ceph_ osd pool create "$pool" 32 32 >/dev/null 2>&1
        ceph_ osd pool set "$pool" size 1 --yes-i-really-mean-it \
            >/dev/null 2>&1
    done
    wait_until "ceph-osd up" ceph_osd_up
    for pool in volumes backups; do
        timeout 60 rbd -c "$CEPH_CONF" pool init "$pool"
    done
    ceph_ auth get-or-create client.cinder mon 'profile rbd' \
        osd 'profile rbd pool=volumes, profile rbd pool=backups' \
        -o "$CEPH/ceph.client.cinder.keyring"
    ceph_ osd set-require-min-compat-client mimic >/dev/null 2>&1
    rm -rf "$tmp"
    touch "$CEPH/.bootstrapped"
}

ceph_osd_up() {
    ceph_ osd dump -f json | "$VENV/bin/python" -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["osds"] and all(o["up"] for o in d["osds"]) else 1)'
}

# Ready: the OSD is up and every PG of every pool is active+clean. The
# expected PG count is the sum of pg_num in the mon's OSD map: "ceph pg
# stat" comes from the mgr and can lag behind newly created pools.
ceph_ready() {
    local dump status
    dump=$(ceph_ osd dump -f json) || return 1
    status=$(ceph_ status -f json) || return 1
    "$VENV/bin/python" - "$dump" "$status" <<'EOF'
import json, sys
dump, status = json.loads(sys.argv[1]), json.loads(sys.argv[2])
want = sum(p["pg_num"] for p in dump["pools"])
clean = sum(s["count"] for s in status["pgmap"].get("pgs_by_state", [])
            if s["state_name"] == "active+clean")
up = dump["osds"] and all(o["up"] for o in dump["osds"])
sys.exit(0 if up and want and clean == want else 1)
EOF
}

start_ceph() {
    local d
    if [ ! -f "$CEPH/.bootstrapped" ]; then
        for d in ceph-mon ceph-mgr ceph-osd; do
            ! running "$d" || die "$d runs but the cluster is not" \
                "bootstrapped: run '$0 down' first"
        done
        require_port_free 3300 "ceph-mon v2"
        require_port_free 6789 "ceph-mon v1"
        ceph_bootstrap
    else
        if ! running ceph-mon; then
            require_port_free 3300 "ceph-mon v2"
            launch ceph-mon ceph-mon -c "$CEPH_CONF" -f -i a
        fi
        running ceph-mgr || launch ceph-mgr ceph-mgr -c "$CEPH_CONF" -f -i x
        running ceph-osd || launch ceph-osd ceph-osd -c "$CEPH_CONF" -f -i 0
    fi
    wait_until "Ceph: OSD up and every PG active+clean" ceph_ready
    # os-brick's RBD connector (used by cinder-backup) only looks for
    # keyrings in /etc/ceph/<cluster>.client.<user>.keyring.
    mkdir -p /etc/ceph
    local link=/etc/ceph/ceph.client.cinder.keyring
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        log "WARNING: $link is not ours; leaving it (backups may fail)"
    else
        ln -sfn "$CEPH/ceph.client.cinder.keyring" "$link"
    fi
}

# -------------------------------------------------------------- Cinder

write_cinder_conf() {
    local out=$1 backup_conf
    local drivers=cinder.backup.drivers
    if [ "$BACKUP" = ceph ]; then
        backup_conf="backup_driver = $drivers.ceph.CephBackupDriver
backup_ceph_conf = $CEPH_CONF
backup_ceph_user = cinder
backup_ceph_pool = backups"
    else
        backup_conf="backup_driver = $drivers.posix.PosixBackupDriver
backup_posix_path = $STATE/cinder/backups-posix"
    fi
    cat >"$out" <<EOF
# Written by tools/stack.sh (DB=$DB BACKUP=$BACKUP).
[DEFAULT]
# cinder-snapext, as a deployer enables it: Cinder's standard extensions
# first (setting the option replaces its default), then ours.
osapi_volume_extension = cinder.api.contrib.standard_extensions
osapi_volume_extension = cinder_snapext.api.extension.SnapextExtension
volume_manager = cinder_snapext.volume.manager.SnapextVolumeManager
backup_api_class = cinder_snapext.backup.api.SnapextBackupAPI

host = $HOST_NAME
my_ip = 127.0.0.1
state_path = $STATE/cinder
auth_strategy = noauth
transport_url = rabbit://guest:guest@127.0.0.1:$RABBIT_PORT/
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $API_PORT
osapi_volume_workers = 1
api_paste_config = $VENV/etc/cinder/api-paste.ini
resource_query_filters_file = $VENV/etc/cinder/resource_filters.json
rootwrap_config = $STATE/cinder/rootwrap.conf
enabled_backends = ceph
default_volume_type = ceph
debug = True
log_dir = $LOGS

$backup_conf
# Without these, backups are refused for up to 60 s after cinder-backup
# starts: its first report says backend_state False.
backup_driver_stats_polling_interval = 10
backup_driver_init_check_interval = 5
# Periodic tasks (capability reports to the scheduler among them) tick
# every periodic_interval after a random delay of up to
# periodic_fuzzy_delay, both 60 s by default: a report lost while the
# scheduler starts would delay readiness by up to two minutes.
periodic_interval = 10
periodic_fuzzy_delay = 5

quota_volumes = -1
quota_snapshots = -1
quota_gigabytes = -1
quota_backups = -1
quota_backup_gigabytes = -1
quota_groups = -1

[ceph]
volume_driver = cinder_snapext.volume.drivers.rbd.SnapextRBDDriver
volume_backend_name = ceph
rbd_pool = volumes
rbd_user = cinder
rbd_ceph_conf = $CEPH_CONF

[database]
connection = $(db_url)

[oslo_concurrency]
lock_path = $STATE/cinder/locks

[coordination]
backend_url = file://$STATE/cinder/coordination

# cinder-rootwrap is in the venv, not on sudo's secure_path (and a clean
# image may have no sudo): run the privsep helpers directly as root.
[privsep_osbrick]
helper_command = $VENV/bin/privsep-helper --config-file $CINDER_CONF

[cinder_sys_admin]
helper_command = $VENV/bin/privsep-helper --config-file $CINDER_CONF

[oslo_messaging_rabbit]
heartbeat_timeout_threshold = 60
EOF
}

write_rootwrap_conf() {
    mkdir -p "$STATE/cinder/locks" "$STATE/cinder/coordination" \
        "$STATE/cinder/backups-posix"
    cat >"$STATE/cinder/rootwrap.conf" <<EOF
[DEFAULT]
filters_path = $VENV/etc/cinder/rootwrap.d
exec_dirs = $VENV/bin,/sbin,/usr/sbin,/bin,/usr/bin,/usr/local/bin
use_syslog = False
EOF
}

write_openrc() {
    ln -sfn "$RBDTOOL" "$STATE/rbdtool.py"
    cat >"$OPENRC" <<EOF
# source this file to use the stock cinder CLI against the stack
export OS_AUTH_TYPE=noauth
export CINDER_ENDPOINT=http://127.0.0.1:$API_PORT/v3
export OS_USER_ID=admin
export OS_PROJECT_ID=admin
export OS_VOLUME_API_VERSION=3.71
export CEPH_CONF=$CEPH_CONF
export PATH=$VENV/bin:\$PATH
EOF
}

cinder_() {
    env -u OS_CLOUD -u OS_AUTH_URL -u OS_TOKEN \
        OS_AUTH_TYPE=noauth CINDER_ENDPOINT="http://127.0.0.1:$API_PORT/v3" \
        OS_USER_ID=admin OS_PROJECT_ID=admin OS_VOLUME_API_VERSION=3.71 \
        timeout 60 "$VENV/bin/cinder" "$@"
}

cinder_running() {
    local s
    for s in $CINDER_SERVICES; do
        running "cinder-$s" || return 1
    done
}

stop_cinder() {
    # Together: stopping the scheduler first removes its fanout exchange
    # and the others then log NOT_FOUND errors.
    stop_group TERM cinder-volume cinder-backup cinder-scheduler cinder-api
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

# The scheduler has the volume backend's capabilities and a
# backend_state True report from cinder-backup (it places backups only
# after that), and all three services have reported since they started.
# The log comes first: service-list asks the scheduler for pools over
# RPC, and waits rpc_response_timeout (60 s) if no scheduler consumes.
cinder_ready() {
    local since=$1 offset=$2 list news
    if [ "$offset" -ge 0 ]; then
        news=$(tail -c +"$((offset + 1))" "$LOGS/cinder-scheduler.log" |
            grep -E "Received [a-z]* service update from" | cut -c1-400)
        grep -Eq "volume service update from +$HOST_NAME@ceph:" \
            <<<"$news" || return 1
        grep -Eq "backup service update from $HOST_NAME: .*'backend_state'\
: True" <<<"$news" || return 1
    fi
    list=$(cinder_ service-list) || return 1
    "$VENV/bin/python" - "$since" "$list" <<'EOF'
import datetime, sys
since = datetime.datetime.fromtimestamp(int(sys.argv[1]),
                                        datetime.timezone.utc)
want = {'cinder-scheduler', 'cinder-volume', 'cinder-backup'}
for line in sys.argv[2].splitlines():
    cols = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cols) < 6 or cols[0] not in want:
        continue
    binary, host, state, updated = cols[0], cols[1], cols[4], cols[5]
    if binary == 'cinder-volume' and host != 'ci@ceph':
        continue
    when = datetime.datetime.fromisoformat(updated.replace('Z', ''))
    when = when.replace(tzinfo=datetime.timezone.utc)
    if state == 'up' and when >= since:
        want.discard(binary)
sys.exit(1 if want else 0)
EOF
}

# log_has FILE OFFSET TEXT: TEXT was logged after byte OFFSET.
# (No grep -q: quitting early would fail tail with SIGPIPE, and so the
# whole pipeline under pipefail.)
log_has() {
    tail -c +"$(($2 + 1))" "$1" | grep -F "$3" >/dev/null
}

start_cinder() {
    local s since offset voffset
    mkdir -p "$STATE/cinder"
    write_rootwrap_conf
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
    "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db sync \
        >>"$LOGS/db-sync.log" 2>&1 ||
        die "cinder-snapext-manage db sync failed: see $LOGS/db-sync.log"
    log "$(printf '%-34s %6ss' "db sync (cinder, then snapext)" \
        "$(secs $(($(now_ms) - t0)))")"
    since=$(date +%s)
    touch "$LOGS/cinder-scheduler.log" "$LOGS/cinder-volume.log"
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/cinder-volume.log")
    for s in api volume backup; do
        launch "cinder-$s" "$VENV/bin/cinder-$s" --config-file "$CINDER_CONF"
    done
    # The scheduler asks every volume service for its capabilities when
    # it starts; a volume service whose RPC server is not up yet misses
    # that and reports only after backend_stats_polling_interval (60 s,
    # read when Cinder's module is imported, so cinder.conf cannot lower
    # it). Hence the scheduler starts once cinder-volume listens.
    wait_until "cinder-volume RPC (see $LOGS/cinder-volume.log)" \
        log_has "$LOGS/cinder-volume.log" "$voffset" \
        "Driver post RPC initialization completed successfully"
    launch cinder-scheduler "$VENV/bin/cinder-scheduler" \
        --config-file "$CINDER_CONF"
    wait_until "cinder-api on 127.0.0.1:$API_PORT" api_ready
    local end
    end=$((SECONDS + DEADLINE))
    until cinder_ready "$since" "$offset" >/dev/null 2>&1; do
        for s in $CINDER_SERVICES; do
            running "cinder-$s" ||
                die "cinder-$s died: see $LOGS/cinder-$s.log and .out"
        done
        [ "$SECONDS" -lt "$end" ] ||
            die "Cinder: services not ready within ${DEADLINE}s"
        sleep 0.5
    done
}

configure_cinder() {
    cinder_ type-show ceph >/dev/null 2>&1 ||
        cinder_ type-create ceph >/dev/null
    local spec
    spec=$(cinder_ type-show ceph)
    case $spec in
        *"volume_backend_name : ceph"*) ;;
        *) cinder_ type-key ceph set volume_backend_name=ceph ;;
    esac
    cinder_ quota-class-update --volumes -1 --snapshots -1 --gigabytes -1 \
        --backups -1 --backup-gigabytes -1 default >/dev/null
}

# ------------------------------------------------------------ commands

stack_running() {
    local n
    for n in rabbitmq ceph-mon ceph-mgr ceph-osd; do
        running "$n" || return 1
    done
    case $DB in
        postgresql|mariadb) running "$DB" || return 1 ;;
    esac
    cinder_running
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
    conf_new=$STATE/cinder.conf.new
    write_cinder_conf "$conf_new"
    write_openrc
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
    printf '%-18s %6s %14s\n' SERVICE PROCS "PEAK RSS MiB"
    for n in rabbitmq epmd postgresql mariadb ceph-mon ceph-mgr ceph-osd \
        cinder-api cinder-scheduler cinder-volume cinder-backup; do
        running "$n" || [ -n "$(members "$n")" ] || continue
        count=$(members "$n" | wc -w)
        kb=$(hwm_kb "$n")
        total=$((total + kb))
        printf '%-18s %6s %14s\n' "$n" "$count" "$((kb / 1024))"
    done
    printf '%-18s %6s %14s\n' TOTAL "" "$((total / 1024))"
}

cmd_status() {
    local n pid
    echo "state: $STATE (DB=$(cat "$STATE/db" 2>/dev/null || echo "?"))"
    for n in $(all_records); do
        if pid=$(recorded "$n"); then
            printf '  %-18s running  pid %-8s processes %s\n' "$n" "$pid" \
                "$(members "$n" | wc -w)"
        else
            printf '  %-18s stopped\n' "$n"
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
        rabbitmq) echo "$STATE/rabbitmq/log/rabbit@localhost.log" ;;
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
        "$VENV/bin/stestr" --top-dir "$REPO" \
            --test-path "$REPO/cinder_snapext/tests/integration" \
            run --serial 2>&1 | tee "$LOGS/scenario.log"
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
        help|-h|--help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
