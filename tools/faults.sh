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

# The fault lane: servers broken mid-flow on the real stack.
#
# Usage: tools/faults.sh [STESTR-FILTER]   the scenarios of
#                                          cinder_snapext/tests/faults
#                                          (all of them when no filter)
#        tools/faults.sh report [FILTER]   the same, then writes
#                                          doc/source/admin/
#                                          reliability-faults.rst
#
# Each scenario kills, freezes or restarts one server of the stack at a
# step of a flow (see its docstring), brings it back with tools/stack.sh
# and checks that every resource settles, the data by checksum, quota at
# the baseline and no RBD image left. Brings the stack up with noauth if
# it is not; runs on a stack that is up without restarting it. The last
# line reads "N passed, N failed, N skipped".
# 'report' keeps the run's record in <state>/faults/: each fault's row
# (results.jsonl, written by the scenarios), each step's result and times
# (steps.csv), the machine's load average every 30 s (load.tsv) and the
# run's start, end and filter (run.json); the page is made from those
# alone.
# Environment: SNAPEXT_STACK_SLOT, SNAPEXT_STACK_DIR as for tools/stack.sh.

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/stack/lib/slot.sh
. "$REPO/tools/stack/lib/slot.sh"
export SNAPEXT_STACK_DIR=$STATE
PAGE=$REPO/doc/source/admin/reliability-faults.rst
RECORD=$STATE/faults
RESULTS=$RECORD/results.jsonl
#: Seconds between two samples of the load average.
LOAD_EVERY=30

report=""
if [ "${1:-}" = report ]; then
    report=1
    shift
fi
rm -f "$RESULTS" "$RECORD/steps.csv" "$RECORD/load.tsv" "$RECORD/run.json"
mkdir -p "$RECORD"
started=$(date -u +%FT%TZ)
sampler=""
if [ -n "$report" ]; then
    # Other stacks share the machine: the page says what load it ran under.
    (
        while :; do
            printf '%s\t%s\n' "$(date -u +%FT%TZ)" \
                "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RECORD/load.tsv"
            sleep "$LOAD_EVERY"
        done
    ) &
    sampler=$!
    # Stopped by its pid at the end, or if this script stops early.
    trap 'kill "$sampler" 2>/dev/null || true' EXIT
fi
rc=0
SNAPEXT_SCENARIO_PATH=cinder_snapext/tests/faults SNAPEXT_SCENARIO="${1:-}" \
    AUTH=noauth "$REPO/tools/stack.sh" demo || rc=$?
if [ -n "$report" ]; then
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    printf '%s\t%s\n' "$(date -u +%FT%TZ)" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RECORD/load.tsv"
    cp "$STATE/itest/last.csv" "$RECORD/steps.csv" 2>/dev/null || true
    "$STATE/venv/bin/python" -c 'import json, sys
keys = ("started", "ended", "filter", "rc")
print(json.dumps(dict(zip(keys, sys.argv[1:]))))
' "$started" "$(date -u +%FT%TZ)" "${1:-}" "$rc" >"$RECORD/run.json"
    PYTHONWARNINGS=ignore PYTHONPATH=$REPO "$STATE/venv/bin/python" -m \
        cinder_snapext.tests.faults.report "$RECORD" >"$PAGE"
    echo "wrote $PAGE"
fi
exit "$rc"
