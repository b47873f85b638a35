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

# The life-cycle commands of tools/stack.sh: removing cinder-snapext from
# a running stack as the install guide says, and its scenario (sourced).

# True once remove-plugin ran and no 'up' has put cinder-snapext back.
plugin_removed() {
    [ -f "$STATE/snapext-removed" ]
}

# The install guide's "Removing it", on this stack's deployment: our
# lines out of cinder.conf, every service that loads our classes
# restarted, our tables dropped, the package uninstalled. Cinder B
# (part-peer.sh) is a deployment of its own: it is stopped, not changed.
cmd_remove_plugin() {
    local t0
    t0=$(now_ms)
    stack_running || die "the stack is not running: '$0 up' first"
    stop_peer
    "$VENV/bin/python" "$REPO/tools/stack/snapext_unconf.py" \
        "$CINDER_CONF" || die "could not take cinder_snapext out of" \
        "$CINDER_CONF"
    touch "$STATE/snapext-removed"
    # cinder-api, cinder-volume and both cinder-backups load our classes;
    # the scheduler does not, but stop_cinder stops the four together.
    stop_posix_backup
    stop_cinder
    step "Cinder services ready (without us)" start_cinder
    ! posix_backup_on || step "cinder-backup (posix)" start_posix_backup
    "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db \
        downgrade base || die "cinder-snapext-manage db downgrade failed"
    "$VENV/bin/pip" uninstall --disable-pip-version-check -y cinder-snapext \
        >>"$LOGS/pip.log" 2>&1 || die "pip uninstall failed: see" \
        "$LOGS/pip.log"
    log "cinder-snapext removed in $(secs $(($(now_ms) - t0)))s;" \
        "'$0 up' puts it back"
}

# The removal scenario (cinder_snapext/tests/lifecycle); the stack has
# no cinder-snapext afterwards until the next 'up'.
cmd_uninstall() {
    SCENARIO_PATH=$REPO/cinder_snapext/tests/lifecycle \
        SNAPEXT_SCENARIO=test_stack_uninstall cmd_demo
}
