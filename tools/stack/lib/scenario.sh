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

# How 'demo' runs the scenario classes: one at a time, or on
# SNAPEXT_SCENARIO_WORKERS stestr workers (sourced by tools/stack.sh).
# Each class runs in a Cinder project of its own with names of its own
# (tests/integration/base.py), so classes can run side by side; a class
# is never split (its steps share state and run in order), and
# tools/stack/scenario_workers.py keeps the NFS classes together (they
# share the emulated Nova) and balances the rest by measured seconds.

# Classes that stop or kill a Cinder service of the stack: every other
# class would see it go, so they run alone, after the others. On the
# cluster that is every test_stack_cluster* module: its own scenario kills
# a member, the others kill a member mid-flow or replace a host.
SCENARIOS_ALONE='\.test_stack_(volume_service_down|cluster[a-z_]*)\.'

# alone_regex [FILTER]: the stestr filter of the classes that run alone
# and match FILTER (a regex, alternatives allowed: grouped, so that each
# alternative is searched for anywhere in the test id, not only at its
# start, as an ungrouped 'A|B' inside the lookahead would).
alone_regex() {
    printf '(?=.*%s)' "$SCENARIOS_ALONE"
    [ -z "${1:-}" ] || printf '(?=.*(?:%s))' "$1"
    echo
}

# stestr_scenarios ARGS...: stestr on this stack's scenario folder.
stestr_scenarios() {
    "$VENV/bin/stestr" --top-dir "$REPO" \
        --test-path "$REPO/${SNAPEXT_SCENARIO_PATH:-$SCENARIOS}" "$@"
}

# run_scenarios EXCLUDE: in the current directory (a fresh stestr
# repository), the selected scenarios (SNAPEXT_SCENARIO, one stestr
# filter, or several apart by blanks when serial); 'stestr last' is all
# of them afterwards.
# shellcheck disable=SC2086
run_scenarios() {
    local exclude=$1 workers=${SNAPEXT_SCENARIO_WORKERS:-1} rc=0
    local filter=${SNAPEXT_SCENARIO:-}
    if [ "$workers" -gt 1 ]; then
        # 'list' needs the repository that 'run' would make.
        [ -d .stestr ] || "$VENV/bin/stestr" init >/dev/null
        stestr_scenarios list --exclude-regex "$exclude|$SCENARIOS_ALONE" \
            $filter >side-by-side.ids ||
            die "could not list the scenarios"
        if "$VENV/bin/python" "$REPO/tools/stack/scenario_workers.py" \
            side-by-side.ids "$REPO/tools/stack/scenario-seconds.txt" \
            "$workers" workers.yaml; then
            log "scenarios on $workers workers, then alone: $SCENARIOS_ALONE"
            stestr_scenarios run --worker-file workers.yaml \
                --exclude-regex "$exclude|$SCENARIOS_ALONE" \
                $filter || rc=$?
            # Then the classes that must run alone, serially, in the same
            # stestr run ('last'); a lookahead: both filters must match.
            stestr_scenarios list --exclude-regex "$exclude" \
                "$(alone_regex "$filter")" >alone.ids || true
            if grep -q '\.test_' alone.ids; then
                stestr_scenarios run --serial --combine \
                    --exclude-regex "$exclude" \
                    "$(alone_regex "$filter")" ||
                    rc=$?
            fi
            return "$rc"
        fi
        log "fewer than two groups of scenarios: one at a time"
    fi
    stestr_scenarios run --serial --exclude-regex "$exclude" \
        $filter
}

# pools_row CSV: after scenarios ran side by side, each checked its own
# images only; the RBD pools must be empty once all have ended. One row
# of the CSV, as a step of its own.
pools_row() {
    local csv=$1 start pool listing status=success
    start=$(date -u '+%F %T.%6N+00:00')
    for pool in volumes backups; do
        if ! listing=$(
            # shellcheck disable=SC1091
            . "$STATE/openrc"
            "$VENV/bin/python" "$REPO/tools/stack/rbdtool.py" ls "$pool"
        ) || ! "$VENV/bin/python" -c '
import json, sys
pool = json.loads(sys.argv[1])
if pool["images"] or pool["trash"]:
    sys.exit("pool %s is not empty: %s" % (pool["pool"], pool))' "$listing"
        then
            status=fail
        fi
    done
    printf 'stack.pools_empty_after_all,%s,%s,%s\n' "$status" "$start" \
        "$(date -u '+%F %T.%6N+00:00')" >>"$csv"
}
