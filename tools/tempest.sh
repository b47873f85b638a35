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

# Tempest 47, cinder-tempest-plugin 1.23 and cinder-snapext's own tempest
# plugin against the stack of tools/stack.sh, brought up with
# AUTH=keystone (tempest has no noauth mode). Over 300 lines only by this
# header.
#
# Usage: tools/tempest.sh [run|conf|install]
#
#   run      (default) install, write tempest.conf, run the tests listed
#            in tools/tempest-tests.txt, then the compat pass (below),
#            write <state>/tempest/results.txt (every id: pass, skip with
#            upstream's reason, or FAIL with why) and print "N passed,
#            N failed, N skipped"
#   conf     write <state>/tempest/ws/etc/tempest.conf only
#   install  <state>/tempest/venv: tempest, cinder-tempest-plugin and
#            this repository (without its dependencies: only its tempest
#            plugin runs there)
#
# Environment:
#   SNAPEXT_STACK_SLOT, SNAPEXT_STACK_DIR   the stack, as for stack.sh
#   SNAPEXT_TEMPEST_CONF        a tempest.conf of another deployment, used
#                               as it is instead of one written from the
#                               stack (doc/source/contributor/tempest.rst)
#   SNAPEXT_TEMPEST_CONCURRENCY workers (default 2)
#   SNAPEXT_TEMPEST_TESTS       a selection file in the format of
#                               tools/tempest-tests.txt (to run a part)
#   SNAPEXT_TEMPEST_COMPAT_PORT port of the compat pass's cinder-api
#                               (default the stack's API port + 5)
#
# The compat pass (tools/tempest-compat.sh): a "conflict:" of the
# selection that names a "compat:" setting runs again, after the main
# run, against a compat slice of the stack deployed with that setting: a
# second cinder-api (service type block-storage-compat in Keystone) and
# a second cinder-volume (host <host>-compat, backend ceph-compat on the
# stack's Ceph pool, volume type ceph-compat) beside the stack's own
# services, removed again at the end. It runs only when tempest.conf is
# written from the stack (SNAPEXT_TEMPEST_CONF unset).

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/stack/lib/slot.sh
. "$REPO/tools/stack/lib/slot.sh"
TDIR=$STATE/tempest
TVENV=$TDIR/venv
WS=$TDIR/ws
LOGS=$STATE/logs
KS_DIR=$STATE/keystone
SELECTION=${SNAPEXT_TEMPEST_TESTS:-$REPO/tools/tempest-tests.txt}
CONCURRENCY=${SNAPEXT_TEMPEST_CONCURRENCY:-2}
RUN=$STATE/run
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-120}

# The process records of tools/stack.sh (launch, stop_group: by pid, in
# <state>/run), so that 'tools/stack.sh down' stops the compat services
# too. Its log and die are replaced below.
# shellcheck source=tools/stack/lib/common.sh
. "$REPO/tools/stack/lib/common.sh"
# shellcheck source=tools/tempest-compat.sh
. "$REPO/tools/tempest-compat.sh"

log() {
    printf '[tempest] %s\n' "$*"
}

die() {
    echo "ERROR: $*" >&2
    exit 1
}

find_python() {
    local c
    for c in ${SNAPEXT_STACK_PYTHON:-} python3.11 python3; do
        if command -v "$c" >/dev/null 2>&1 &&
            "$c" -c 'import venv, ensurepip' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    die "no python3 with venv found: set SNAPEXT_STACK_PYTHON"
}

cmd_install() {
    mkdir -p "$TDIR" "$LOGS"
    if [ ! -x "$TVENV/bin/tempest" ]; then
        log "creating $TVENV (pip log: $LOGS/pip-tempest.log)"
        [ -x "$TVENV/bin/python" ] || "$(find_python)" -m venv "$TVENV"
        "$TVENV/bin/pip" install --disable-pip-version-check \
            "tempest==47.*" "cinder-tempest-plugin==1.23.*" \
            >>"$LOGS/pip-tempest.log" 2>&1 ||
            die "pip install of tempest failed: see $LOGS/pip-tempest.log"
    fi
    # Editable, so the plugin's tests run from the work tree; without
    # dependencies, so Cinder stays out of tempest's venv.
    if ! "$TVENV/bin/tempest" list-plugins 2>/dev/null |
        grep -q cinder_snapext; then
        "$TVENV/bin/pip" install --disable-pip-version-check --no-deps \
            -e "$REPO" >>"$LOGS/pip-tempest.log" 2>&1 ||
            die "pip install -e $REPO failed: see $LOGS/pip-tempest.log"
    fi
}

# The settings of <state>/keystone/admin-openrc, without sourcing it.
openrc_value() {
    sed -n "s/^export $1=//p" "$KS_DIR/admin-openrc"
}

# keystone_setup ACTION [VAR=VALUE...]
keystone_setup() {
    local action=$1
    shift
    env SNAPEXT_KS_URL="$(openrc_value OS_AUTH_URL)" \
        SNAPEXT_KS_ADMIN_PASSWORD="$(openrc_value OS_PASSWORD)" "$@" \
        timeout 300 "$STATE/venv/bin/python" \
        "$REPO/tools/stack/keystone_setup.py" "$action" \
        >>"$LOGS/keystone-register.log" 2>&1 ||
        die "keystone_setup.py $action failed: see" \
            "$LOGS/keystone-register.log"
}

# write_conf FILE [CATALOG_TYPE]: tempest.conf for the stack, its volume
# clients (cinder-tempest-plugin's included) on that service type.
write_conf() {
    local out=$1 catalog_type=${2:-block-storage} backup ref
    [ "$(cat "$STATE/auth" 2>/dev/null)" = keystone ] &&
        [ -f "$KS_DIR/admin-openrc" ] ||
        die "no Keystone in $STATE: run" \
            "'AUTH=keystone tools/stack.sh up' first"
    backup=$(cat "$STATE/backup" 2>/dev/null || echo ceph)
    # The RBD driver names its snapshots snapshot-<id>.
    ref="source-name,snapshot-%s"
    cat >"$out" <<EOF
# Written by tools/tempest.sh from the stack in $STATE.
[DEFAULT]
log_file = tempest.log

[auth]
use_dynamic_credentials = True
# No Neutron here: keep neutron = True below (or the volume snapshot,
# manage and backup classes skip whole) but create no networks.
create_isolated_networks = False
admin_username = admin
admin_password = $(openrc_value OS_PASSWORD)
admin_project_name = admin
admin_domain_name = Default
tempest_roles = member

[identity]
uri_v3 = $(openrc_value OS_AUTH_URL)
auth_version = v3
region = RegionOne
v3_endpoint_type = public

[identity-feature-enabled]
api_v2 = False

[service_available]
cinder = True
neutron = True
nova = False
glance = False
swift = False

[volume]
catalog_type = $catalog_type
endpoint_type = publicURL
region = RegionOne
min_microversion = 3.0
max_microversion = latest
backup_driver = $backup
manage_snapshot_ref = $ref
build_timeout = 300
volume_size = 1

[volume-feature-enabled]
snapshot = True
backup = True
manage_snapshot = True
manage_volume = True
api_v3 = True

[enforce_scope]
cinder = True

[snapext]
enabled = True
EOF
}

# init_workspace DIR: a tempest workspace, made once.
init_workspace() {
    [ ! -d "$1/etc" ] || return 0
    rm -rf "$1"
    # A workspace registry of our own: the default one is per user
    # (~/.tempest) and refuses a name another stack registered.
    (cd "$TDIR" && "$TVENV/bin/tempest" init \
        --workspace-path "$TDIR/workspaces.yaml" "$1" >/dev/null) ||
        die "tempest init of $1 failed"
}

# run_tempest WORKSPACE INCLUDE_LIST LOG: a run in a fresh stestr
# repository ('last' can then only be this run), its stream in
# WORKSPACE/last.subunit. Its exit status is not the verdict:
# tempest_results.py judges every selected id.
run_tempest() {
    local ws=$1 include=$2 out=$3
    rm -rf "$ws/.stestr" "$ws/last.subunit"
    (cd "$ws" && "$TVENV/bin/stestr" init >/dev/null) ||
        die "stestr init failed in $ws"
    (cd "$ws" && "$TVENV/bin/tempest" run --concurrency "$CONCURRENCY" \
        --include-list "$include") >"$out" 2>&1 ||
        log "tempest run exited with status $?; judging its results"
    grep -E '^(\{[0-9]+\} |Totals|=+$| - )' "$out" | tail -n 20 || true
    (cd "$ws" && "$TVENV/bin/stestr" last --subunit >"$ws/last.subunit") ||
        die "no tempest results: see $out"
}

cmd_conf() {
    mkdir -p "$TDIR" "$LOGS"
    init_workspace "$WS"
    if [ -n "${SNAPEXT_TEMPEST_CONF:-}" ]; then
        cp "$SNAPEXT_TEMPEST_CONF" "$WS/etc/tempest.conf"
        return 0
    fi
    write_conf "$WS/etc/tempest.conf"
    # tempest's credential clean-up asks Neutron for security groups and
    # raises unless it gets a 404: give it a network endpoint that 404s.
    keystone_setup network-standin
}

cmd_run() {
    local t0 t1 t2 rc=0 results=$TDIR/results.txt compat=() compat_ids
    t0=$SECONDS
    cmd_install
    cmd_conf
    "$TVENV/bin/python" "$REPO/tools/tempest_results.py" --regexes \
        "$SELECTION" >"$TDIR/include.txt"
    "$TVENV/bin/python" "$REPO/tools/tempest_results.py" --compat-regexes \
        "$SELECTION" >"$TDIR/compat-include.txt"
    rm -f "$results" "$TDIR/last.subunit" "$TDIR/compat.subunit" \
        "$TDIR/compat-error"
    log "running $(grep -c . "$TDIR/include.txt") selections of" \
        "$SELECTION, $CONCURRENCY workers (log: $LOGS/tempest.log)"
    # The selection's known conflicts fail here on purpose.
    run_tempest "$WS" "$TDIR/include.txt" "$LOGS/tempest.log"
    cp "$WS/last.subunit" "$TDIR/last.subunit"
    compat_ids=$(grep -c . "$TDIR/compat-include.txt" || true)
    if [ -z "${SNAPEXT_TEMPEST_CONF:-}" ] && [ "$compat_ids" -gt 0 ]; then
        t1=$SECONDS
        # Left by a run that was killed before its teardown.
        [ ! -e "$COMPAT_SINCE" ] || compat_teardown || true
        rm -f "$TDIR/compat-teardown-error"
        # Whatever stops this script, the compat slice does not outlive it.
        trap 'compat_teardown' EXIT
        (compat_pass) || [ -s "$TDIR/compat-error" ] ||
            echo "stopped early: see tools/tempest.sh's output" \
                >"$TDIR/compat-error"
        t2=$SECONDS
        compat_teardown || rc=1
        trap - EXIT
        log "compat teardown took $((SECONDS - t2)) s"
        if [ -s "$TDIR/compat-error" ]; then
            compat=(--compat-error "$(cat "$TDIR/compat-error")")
        else
            compat=(--compat "$TDIR/compat.subunit")
        fi
        log "compat pass took $((SECONDS - t1)) s"
    fi
    "$TVENV/bin/python" "$REPO/tools/tempest_results.py" "$SELECTION" \
        "$TDIR/last.subunit" "$results" "${compat[@]}" || rc=1
    if [ -z "${SNAPEXT_TEMPEST_CONF:-}" ]; then
        # Projects and users of classes whose clean-up failed.
        keystone_setup cleanup-tempest
    fi
    log "results in $results; run took $((SECONDS - t0)) s"
    echo "tempest: $(tail -n 1 "$results")"
    if [ -s "$TDIR/compat-teardown-error" ]; then
        echo "ERROR: the compat pass left the stack changed:" >&2
        sed 's/^/  /' "$TDIR/compat-teardown-error" >&2
    fi
    return "$rc"
}

case ${1:-run} in
    run) cmd_run ;;
    conf) cmd_install; cmd_conf ;;
    install) cmd_install ;;
    help|-h|--help)
        sed -n '/^# Usage:/,/^# Environment:/p' "$0" | sed 's/^# \{0,1\}//' |
            head -n -1
        ;;
    *) echo "usage: $0 [run|conf|install|help]" >&2; exit 2 ;;
esac
