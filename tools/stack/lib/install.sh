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

# Debian packages and the venv of tools/stack.sh (sourced, not run).

# ------------------------------------------------------------ packages

packages() {
    local pkgs="rabbitmq-server ceph-mon ceph-mgr ceph-osd ceph-common"
    pkgs="$pkgs python3-rados python3-rbd uuid-runtime"
    case $DB in
        postgresql) pkgs="$pkgs postgresql" ;;
        mariadb) pkgs="$pkgs mariadb-server mariadb-client" ;;
    esac
    echo "$pkgs $(hook_output packages | xargs)"
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
    # The test command, or another slot's stack, may run apt-get at the
    # same time: wait for dpkg's lock rather than fail.
    local wait='-o DPkg::Lock::Timeout=600'
    # shellcheck disable=SC2086
    if ! apt-get $wait install -y -q --no-install-recommends $missing \
        >>"$LOGS/apt.log" 2>&1; then
        log "apt-get install failed; apt-get update and retry"
        apt-get $wait update -q >>"$LOGS/apt.log" 2>&1
        # shellcheck disable=SC2086
        apt-get $wait install -y -q --no-install-recommends $missing \
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

# The stock clients the scenarios drive (python-openstackclient runs on
# openstacksdk, which the scenarios also use as a library), and gunicorn,
# which serves cinder-api with THREADING=1. Changing the list installs
# the new one into an existing venv: see install_clients.
STACK_CLIENTS="python-cinderclient python-openstackclient openstacksdk"
STACK_CLIENTS="$STACK_CLIENTS gunicorn"

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
        # shellcheck disable=SC2086
        pip_install "$REPO" $STACK_CLIENTS psycopg2-binary PyMySQL \
            stestr testtools fixtures
        echo "$STACK_CLIENTS" >"$STATE/venv.clients"
        echo "$stamp" >"$STATE/venv.stamp"
    elif plugin_removed ||
        [ ! -x "$VENV/bin/cinder-snapext-manage" ]; then
        # remove-plugin (lifecycle.sh) uninstalled it.
        log "cinder_snapext is not installed: installing it into $VENV"
        pip_install --no-deps "$REPO"
        echo "$stamp" >"$STATE/venv.stamp"
        rm -f "$STATE/snapext-removed"
        VENV_CHANGED=1
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
    install_clients
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

# A venv made before a client joined STACK_CLIENTS gets it now. The
# clients run in their own processes: Cinder need not restart.
install_clients() {
    [ "$(cat "$STATE/venv.clients" 2>/dev/null)" != "$STACK_CLIENTS" ] ||
        return 0
    log "installing the stock clients into $VENV: $STACK_CLIENTS"
    # shellcheck disable=SC2086
    pip_install $STACK_CLIENTS
    echo "$STACK_CLIENTS" >"$STATE/venv.clients"
}
