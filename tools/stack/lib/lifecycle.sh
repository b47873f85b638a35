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

# The life-cycle commands of tools/stack.sh: an earlier cinder-snapext put
# in and upgraded in place, cinder-snapext removed as the install guide
# says, and their scenarios (sourced).

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
    # cinder-api, cinder-volume and both cinder-backups load our classes,
    # the scheduler only on a cluster; stop_cinder stops them together.
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
    SNAPEXT_SCENARIO_PATH=cinder_snapext/tests/lifecycle \
        SNAPEXT_SCENARIO=test_stack_uninstall cmd_demo
}

# The release the upgrade scenario starts from: the last commit of the
# 2026-11-22 session, whose CI passed, with exports, restore points,
# protection and assisted snapshots, before the exports table (0002).
UPGRADE_FROM=${SNAPEXT_UPGRADE_FROM:-ef6d2a5}
UPGRADE_FROM_SCHEMA=0001

# Stop every Cinder service of this deployment that runs our code.
# Cinder B (part-peer.sh), a deployment of its own on its own database,
# keeps running what it loaded.
stop_our_services() {
    stop_posix_backup
    stop_cinder
}

start_our_services() {
    step "Cinder services ready" start_cinder
    ! posix_backup_on || step "cinder-backup (posix)" start_posix_backup
}

# Cinder on cinder-snapext as of $UPGRADE_FROM (a commit of this
# repository): our schema down to that release's head, its package in
# the venv, Cinder restarted.
cmd_downgrade_plugin() {
    local src=$STATE/upgrade-from
    stack_running || die "the stack is not running: '$0 up' first"
    rm -rf "$src"
    mkdir -p "$src"
    git -C "$REPO" archive "$UPGRADE_FROM" | tar -x -C "$src" ||
        die "no commit $UPGRADE_FROM in $REPO"
    stop_our_services
    "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db \
        downgrade "$UPGRADE_FROM_SCHEMA" >>"$LOGS/db-sync.log" 2>&1 ||
        die "db downgrade failed: see $LOGS/db-sync.log"
    # No git metadata in the archive: pbr takes the version from here.
    PBR_VERSION=0.0.1 pip_install --no-deps --force-reinstall "$src"
    # The next 'up' puts this checkout back.
    echo "$UPGRADE_FROM" >"$STATE/venv.stamp"
    start_our_services
    log "cinder-snapext $UPGRADE_FROM runs (schema $UPGRADE_FROM_SCHEMA)"
}

# The upgrade as the install guide orders it: the package, db sync, then
# cinder-volume (which records the exports the new API reads), then
# cinder-backup, then cinder-api; every member of each (part-cluster.sh)
# before the next service. STAGE 'services' stops before cinder-api,
# leaving the mixed window (new volume and backup services, the old API
# still running what it loaded) for a test to look at; 'api' finishes.
cmd_upgrade_plugin() {
    local s stage=${1:-all}
    case $stage in
        all|services|api) ;;
        *) die "usage: $0 upgrade-plugin [services|api]" ;;
    esac
    stack_running || die "the stack is not running: '$0 up' first"
    if [ "$stage" != api ]; then
        pip_install --no-deps --force-reinstall "$REPO"
        source_stamp | sha1sum | cut -d' ' -f1 >"$STATE/venv.stamp"
        "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db \
            sync >>"$LOGS/db-sync.log" 2>&1 ||
            die "db sync failed: see $LOGS/db-sync.log"
        for s in volume backup; do
            cmd_stop "$s"
            cmd_start "$s"
            run_hooks restart "$s"
            if [ "$s" = backup ] && posix_backup_on; then
                stop_posix_backup
                start_posix_backup
            fi
        done
    fi
    if [ "$stage" = services ]; then
        log "mixed window: cinder-volume and -backup upgraded, cinder-api" \
            "not yet"
        return 0
    fi
    cmd_stop api
    cmd_start api
    run_hooks restart api
    log "cinder-snapext upgraded to this checkout"
}

# The upgrade scenario (cinder_snapext/tests/lifecycle): ends on this
# checkout.
cmd_upgrade() {
    SNAPEXT_SCENARIO_PATH=cinder_snapext/tests/lifecycle \
        SNAPEXT_SCENARIO=test_stack_upgrade cmd_demo
}
