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

# The fuzz lane: generated requests against the real stack's API.
#
# Usage: tools/fuzz.sh [run OPTIONS]   10,000 requests to the guarded
#                                      cinder-api (CI adds --apis
#                                      stock,ours,guarded); fails on a 5xx
#                                      with the guard, a 5xx that ours adds,
#                                      a leak or a stuck resource
#        tools/fuzz.sh report          the same corpus to stock Cinder,
#                                      ours and ours with the guard; writes
#                                      doc/source/admin/reliability.rst
#
# Brings the stack up with noauth if it is not (tools/stack.sh up), puts
# hypothesis (as test-requirements.txt pins it) into the stack's venv and
# runs cinder_snapext/tests/fuzz/run.py from the work tree; its options:
# --count, --seed, --apis, --batch, --budget, --report. Every request goes
# to 127.0.0.1. The last line reads "N passed, N failed, N skipped".
# Environment: SNAPEXT_STACK_SLOT, SNAPEXT_STACK_DIR as for tools/stack.sh.

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SLOT=${SNAPEXT_STACK_SLOT:-0}
if [ "$SLOT" = 0 ]; then
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack}
else
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack-$SLOT}
fi
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
export SNAPEXT_STACK_DIR=$STATE
VENV=$STATE/venv
PAGE=$REPO/doc/source/admin/reliability.rst

# The fuzzer speaks noauth (a token per project): a stack left behind
# Keystone is restarted without it; a running noauth stack is kept.
AUTH=noauth "$REPO/tools/stack.sh" up
if ! "$VENV/bin/python" -c 'import hypothesis' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "$(grep -E '^hypothesis' "$REPO/test-requirements.txt")"
fi

fuzz() {
    PYTHONPATH=$REPO "$VENV/bin/python" -m "cinder_snapext.tests.fuzz.$1" \
        "${@:2}"
}

if [ "${1:-}" = report ]; then
    shift
    results=$STATE/fuzz/results.json
    mkdir -p "$STATE/fuzz"
    rc=0
    fuzz run --apis stock,ours,guarded --report "$results" "$@" || rc=$?
    fuzz report "$results" >"$PAGE"
    echo "wrote $PAGE"
    exit "$rc"
fi
fuzz run "$@"
