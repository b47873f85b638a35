#!/usr/bin/env bash
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

# The test command (README.rst, .ci/run): from a fresh Debian 12 machine to
# pep8, mypy, unit, functional and migration tests (SQLite, MariaDB,
# PostgreSQL), the karbor tests, docs, the API reference and release
# notes. tox -e cover is not part of it: under coverage the tests take two
# to four times as long.
#
# Usage: tools/run-tests.sh [-e ENV[,ENV...]] [-- ARGS]
#   tools/run-tests.sh                        what CI runs
#   tools/run-tests.sh -e py3 -- test_opts    one env; ARGS go to its tox
#                                             commands (an stestr filter)
# The first run installs tox into .tools/ and, with apt (so as root), the
# database servers, which run only while the tests do. The last line is
# "N passed, N failed, N skipped" over the unit and functional test runs;
# the exit status is non-zero when anything failed or skipped.

set -eu -o pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$REPO/.tools
DATABASES=$REPO/tools/test-databases.sh
# tox.ini: the virtualenv that every env shares.
SHARED_ENV=$REPO/.tox/snapext
# The unit and functional tests run twice: on eventlet and, as upstream
# Cinder's *-threading jobs do, on native threads.
ENVS=pep8,mypy,py3,py3-threading,functional,functional-threading
ENVS=$ENVS,functional-karbor,docs,api-ref,releasenotes

usage() {
    sed -n 's/^# \{0,1\}//; 14,27p' "$0"
}

# Another apt-get (a stack booting meanwhile: tools/stack.sh) may hold
# dpkg's lock: wait for it rather than fail.
APT_WAIT='-o DPkg::Lock::Timeout=600'

apt_install() {
    # shellcheck disable=SC2086
    apt-get $APT_WAIT install -y --no-install-recommends "$@" || {
        apt-get $APT_WAIT update &&
            apt-get $APT_WAIT install -y --no-install-recommends "$@"
    }
}

ensure_tox() {
    [ -x "$TOOLS/bin/tox" ] && return 0
    echo "Installing tox into $TOOLS"
    if ! python3 -m venv "$TOOLS"; then
        # Debian ships venv's pip bootstrap separately.
        rm -rf "$TOOLS"
        apt_install python3 python3-venv
        python3 -m venv "$TOOLS"
    fi
    "$TOOLS/bin/pip" install --quiet tox
}

# qemu-img and qemu-io for the NFS driver's tests (bindep.txt).
ensure_qemu_utils() {
    command -v qemu-img >/dev/null && command -v qemu-io >/dev/null ||
        apt_install qemu-utils
}

# Whether the selected envs run stestr, and so need the database servers.
runs_tests() {
    case ",$ENVS," in
        *,py3*|*,functional*|*,cover*) return 0 ;;
    esac
    return 1
}

STARTED_DATABASES=false

stop_databases() {
    if [ "$STARTED_DATABASES" = true ]; then
        STARTED_DATABASES=false
        "$DATABASES" stop || echo "WARNING: $DATABASES stop failed" >&2
    fi
}

start_databases() {
    "$DATABASES" install
    # Servers already running were started by hand: leave them running.
    case $("$DATABASES" status) in
        *stopped*) STARTED_DATABASES=true ;;
    esac
    "$DATABASES" start
    eval "$("$DATABASES" env)"
    # Migration tests fail, rather than skip, when a server is missing.
    # tox does the same by default; set here too so that an opt-out left
    # in the caller's environment (=0) cannot reach CI.
    export SNAPEXT_REQUIRE_DATABASES=1
}

# "passed failed skipped" over the stestr runs numbered $1 and later; the
# ids of skipped tests on stderr.
count_results() {
    local first=$1 next id
    next=$(cat "$REPO/.stestr/next-stream" 2>/dev/null || echo 0)
    if [ "$first" -ge "$next" ] || [ ! -x "$SHARED_ENV/bin/stestr" ]; then
        echo 0 0 0
        return 0
    fi
    # Both exit 1 when a run has failures, which the counts show anyway.
    id=$first
    while [ "$id" -lt "$next" ]; do
        "$SHARED_ENV/bin/stestr" history show "$id" --subunit || true
        id=$((id + 1))
    done | { "$SHARED_ENV/bin/subunit2csv" --no-passthrough || true; } |
        "$SHARED_ENV/bin/python" -c '
import collections
import csv
import sys

rows = list(csv.DictReader(sys.stdin))
skips = [row["test"] for row in rows if row["status"] == "skip"]
sys.stderr.writelines("skipped: %s\n" % test for test in skips)
status = collections.Counter(row["status"] for row in rows)
passed = status.pop("success", 0) + status.pop("xfail", 0)
skipped = status.pop("skip", 0)
print(passed, sum(status.values()), skipped)'
}

# The test envs that tox reports as failed, one per line.
failed_test_envs() {
    "$TOOLS/bin/python" - "$1" <<'EOF'
import json
import sys

try:
    with open(sys.argv[1]) as f:
        envs = json.load(f).get('testenvs', {})
except (OSError, ValueError):
    envs = {}
for name, env in envs.items():
    # Envs this run did not select have no result.
    result = env.get('result')
    if name.startswith(('py3', 'functional', 'cover')) and result is not None:
        if not result.get('success', False):
            print(name)
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
        -e)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            ENVS=$2
            shift 2
            ;;
        -h|--help)
            usage
            exit 0
            ;;
        --)
            shift
            break
            ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
done

RESULT_JSON=

cleanup() {
    stop_databases
    rm -f "$RESULT_JSON"
}

cd "$REPO"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_tox
if runs_tests; then
    ensure_qemu_utils
    start_databases
fi

first_run=$(cat .stestr/next-stream 2>/dev/null || echo 0)
RESULT_JSON=$(mktemp)
rc=0
"$TOOLS/bin/tox" -e "$ENVS" --result-json "$RESULT_JSON" ${1+-- "$@"} ||
    rc=$?

stop_databases
if ! counts=$(count_results "$first_run") || [ -z "$counts" ]; then
    echo "ERROR: could not read the test results from .stestr" >&2
    counts="0 0 0"
    rc=1
fi
read -r passed failed skipped <<<"$counts"
# A test env can fail before stestr records anything (a module that does not
# import, an install error): that still counts as a failure.
broken=$(failed_test_envs "$RESULT_JSON" | wc -l)
if [ "$broken" -gt "$failed" ]; then
    failed=$broken
fi
if [ "$failed" -gt 0 ] && [ "$rc" -eq 0 ]; then
    rc=1
fi
# A skipped test proves nothing, and CI runs every layer it needs (the
# database servers, karbor): here a skip fails the run, as it does in the
# integration scenario and in tempest.
if [ "$skipped" -gt 0 ]; then
    echo "ERROR: $skipped test(s) skipped (listed above); none may" \
        "skip here: see TESTING.rst" >&2
    rc=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
