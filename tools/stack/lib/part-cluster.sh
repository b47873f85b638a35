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

# An active-active cluster on Cinder's own engine (sourced part).
#
# CLUSTER=1 turns the one-process-per-service stack into what an operator
# who outgrew one storage node runs, on this machine:
#
#   redis              the DLM (redis.sh); [coordination] backend_url
#                      names it (tooz's redis driver, as Cinder documents)
#   cinder-volume      host 'ci', [DEFAULT] cluster = ci-cluster, RBD only
#   cinder-volume-2    host 'ci2', the same cluster, the same RBD backend
#   cinder-volume-nfs  host 'ci', the NFS backend(s) alone (a share with
#                      per-host mounts cannot be active-active)
#   cinder-backup-2    host 'ci2', the same backup driver and zone as
#                      cinder-backup; cinder-scheduler skips a dead one
#                      (SnapextHostManager)
#   cinder-api         two workers
#   cinder-volume-nfs-2  host 'ci2', a spare for cinder-volume-nfs that
#                      only 'start volume-nfs-2' starts, as an operator
#                      replaces a dead node ('cinder-manage volume
#                      update_host' first)
#
# Every member reads the same cinder.conf; an override file per process
# (<state>/cluster/*.conf) holds only host, cluster name and backends.
#
#   CLUSTER  1 or 0 (default); unset, keeps what the running stack was
#            brought up with. 'down' forgets it (CI switches one lane to
#            the cluster and must not leave the next run's lanes on it).

CLUSTER_DIR=$STATE/cluster
CLUSTER=${CLUSTER:-${SNAPEXT_STACK_CLUSTER:-$(cat "$CLUSTER_DIR/enabled" \
    2>/dev/null || true)}}
CLUSTER=${CLUSTER:-0}
case $CLUSTER in
    0|1) ;;
    *) echo "CLUSTER=$CLUSTER: use 1 or 0" >&2; exit 2 ;;
esac
CLUSTER_NAME=$HOST_NAME-cluster
CLUSTER_HOST2=${HOST_NAME}2
# The Cinder processes this part adds: record names, each with its log.
CLUSTER_RECORDS="cinder-volume-2 cinder-volume-nfs cinder-backup-2"
# Not part of the running topology: only 'start volume-nfs-2' starts it.
CLUSTER_SPARE=cinder-volume-nfs-2
declare -A CLUSTER_OFFSET=()

cluster_on() { [ "$CLUSTER" = 1 ]; }

# The backends that stay out of the cluster, in cinder-volume-nfs.
cluster_solo_backends() { stack_backends | grep -vx ceph || true; }

write_cluster_confs() {
    local solo
    solo=$(cluster_solo_backends | paste -sd,)
    cat >"$CLUSTER_DIR/volume-1.conf" <<EOF
# Written by tools/stack.sh (part-cluster.sh): read after cinder.conf.
[DEFAULT]
cluster = $CLUSTER_NAME
enabled_backends = ceph
EOF
    cat >"$CLUSTER_DIR/volume-2.conf" <<EOF
# Written by tools/stack.sh (part-cluster.sh): read after cinder.conf.
[DEFAULT]
host = $CLUSTER_HOST2
cluster = $CLUSTER_NAME
enabled_backends = ceph
EOF
    cat >"$CLUSTER_DIR/backup-2.conf" <<EOF
# Written by tools/stack.sh (part-cluster.sh): read after cinder.conf.
[DEFAULT]
host = $CLUSTER_HOST2
EOF
    if [ -n "$solo" ]; then
        cat >"$CLUSTER_DIR/volume-nfs.conf" <<EOF
# Written by tools/stack.sh (part-cluster.sh): read after cinder.conf.
[DEFAULT]
enabled_backends = $solo
EOF
        cat >"$CLUSTER_DIR/volume-nfs-2.conf" <<EOF
# Written by tools/stack.sh (part-cluster.sh): read after cinder.conf.
[DEFAULT]
host = $CLUSTER_HOST2
enabled_backends = $solo
EOF
    else
        rm -f "$CLUSTER_DIR/volume-nfs.conf" "$CLUSTER_DIR/volume-nfs-2.conf"
    fi
    # Read by the integration tests: the hosts that serve RBD volumes.
    printf '%s\n' "$HOST_NAME@ceph" "$CLUSTER_HOST2@ceph" \
        >"$CLUSTER_DIR/ceph-hosts"
}

# Cinder members: stopped, launched, heard from.
stop_cluster_members() {
    # shellcheck disable=SC2086
    stop_group TERM $CLUSTER_RECORDS $CLUSTER_SPARE
}

# launch_member RECORD SERVICE CONF: one more Cinder process, its own log.
launch_member() {
    local log=$LOGS/$1.log
    touch "$log"
    CLUSTER_OFFSET[$1]=$(stat -c %s "$log")
    launch_cinder "$1" "$2" "$CINDER_CONF" --config-file "$3" \
        --log-file "$log"
}

# member_rpc_up RECORD: that volume process logged its RPC server up.
member_rpc_up() {
    local n want=1
    n=$(tail -c +"$((${CLUSTER_OFFSET[$1]:-0} + 1))" "$LOGS/$1.log" |
        grep -cF "Driver post RPC initialization completed successfully" ||
        true)
    case $1 in
        cinder-volume-nfs*) want=$(cluster_solo_backends | wc -l) ;;
    esac
    [ "${n:-0}" -ge "$want" ]
}

# spare_ready OFFSET: the scheduler heard from every backend of the spare
# since OFFSET of its log. Not cinder_ready: that also wants the host the
# spare replaces, which is down for good when an operator starts it.
spare_ready() {
    local b news
    news=$(tail -c +"$(($1 + 1))" "$LOGS/cinder-scheduler.log" |
        grep -E "Received volume service update from" | cut -c1-400)
    for b in $(cluster_solo_backends); do
        grep -Eq "update from *$CLUSTER_HOST2@$b:" <<<"$news" || return 1
    done
}

# -------------------------------------------------------------- hooks

hook_packages_cluster() {
    cluster_on || return 0
    echo redis-server redis-tools
}

hook_coordination_url_cluster() {
    cluster_on || return 0
    echo "redis://127.0.0.1:$REDIS_PORT"
}

# Several backup services: the scheduler sends new backups to live ones.
hook_conf_default_cluster() {
    local cls=cinder_snapext.backup.host_manager.SnapextHostManager
    ! cluster_on || echo "scheduler_host_manager = $cls"
}

# A backup service of the zone that dies has its unfinished backups
# taken over by a live one (cinder_snapext/backup/takeover.py) once it is
# down (service_down_time) and the live one looks again: every 10 s here.
hook_conf_sections_cluster() {
    cluster_on || return 0
    cat <<EOF

[snapext]
backup_takeover_interval = 10
EOF
}

hook_api_workers_cluster() {
    cluster_on || return 0
    echo 2
}

# The main cinder-volume: member 1, RBD only.
hook_volume_args_cluster() {
    cluster_on || return 0
    echo "--config-file $CLUSTER_DIR/volume-1.conf"
}

hook_main_volume_backends_cluster() {
    cluster_on || return 0
    echo ceph
}

# What cinder_ready waits for besides the main services.
hook_service_hosts_cluster() {
    cluster_on || return 0
    echo "cinder-volume $CLUSTER_HOST2@ceph"
    echo "cinder-backup $CLUSTER_HOST2"
}

hook_cinder_records_cluster() {
    cluster_on || return 0
    # No cinder-volume-nfs to watch with NFS=0 (unless one still runs).
    [ -f "$CLUSTER_DIR/volume-nfs.conf" ] || running cinder-volume-nfs ||
        { echo "${CLUSTER_RECORDS/ cinder-volume-nfs/}"; return 0; }
    echo "$CLUSTER_RECORDS"
}

# Started with the main Cinder processes, before the scheduler.
hook_launch_cluster() {
    cluster_on || return 0
    launch_member cinder-volume-2 volume "$CLUSTER_DIR/volume-2.conf"
    launch_member cinder-backup-2 backup "$CLUSTER_DIR/backup-2.conf"
    [ ! -f "$CLUSTER_DIR/volume-nfs.conf" ] || launch_member \
        cinder-volume-nfs volume "$CLUSTER_DIR/volume-nfs.conf"
}

# upgrade-plugin: the members of SERVICE (volume, backup, api) that this
# part adds, restarted one by one after the main process, so that the
# documented rolling order holds on the whole cluster.
hook_restart_cluster() {
    local rec conf since offset
    cluster_on || return 0
    for rec in $CLUSTER_RECORDS; do
        [[ $rec == "cinder-$1" || $rec == "cinder-$1"-* ]] || continue
        conf=$CLUSTER_DIR/${rec#cinder-}.conf
        [ -f "$conf" ] || continue
        since=$(date +%s)
        offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
        stop_group TERM "$rec"
        launch_member "$rec" "$1" "$conf"
        [ "$1" != volume ] || wait_until "$rec RPC" member_rpc_up "$rec"
        wait_until "$rec ready" cinder_ready "$since" "$offset" \
            "$(service_hosts_of "$1" "$conf")"
        log "$rec restarted"
    done
}

hook_rpc_up_cluster() {
    cluster_on || return 0
    member_rpc_up cinder-volume-2 || return 1
    [ ! -f "$CLUSTER_DIR/volume-nfs.conf" ] ||
        member_rpc_up cinder-volume-nfs
}

hook_up_cluster() {
    local b
    mkdir -p "$CLUSTER_DIR"
    echo "$CLUSTER" >"$CLUSTER_DIR/enabled"
    if cluster_on; then
        install_redis_client
        start_redis
        write_cluster_confs
        # Its rows stay in Cinder's database until a single-member 'up'.
        touch "$CLUSTER_DIR/second-node"
        return 0
    fi
    stop_cluster_members
    if running redis; then
        # Cinder's processes leave the DLM as they stop (tooz): stopped
        # after Redis, each waited 30 s for it before a second TERM
        # (about 60 s of CI's upgrade lane). They restart below on a
        # cinder.conf without the DLM anyway.
        stop_cinder
        stop_posix_backup
    fi
    stop_group TERM redis
    rm -f "$CLUSTER_DIR/ceph-hosts"
    [ -f "$CLUSTER_DIR/second-node" ] || return 0
    # Back to one member: Cinder would keep addressing new volumes to the
    # cluster (its service row keeps the cluster's name), and the second
    # node's rows would stay 'down'. With Cinder stopped, the cluster and
    # its services go; ci@ceph registers again when it starts. Volumes
    # still in the cluster (none after a clean scenario) stay there.
    stop_cinder
    "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" cluster remove \
        --recursive cinder-volume "$CLUSTER_NAME@ceph" >/dev/null 2>&1 || true
    "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" service \
        remove cinder-backup "$CLUSTER_HOST2" >/dev/null 2>&1 || true
    # The spare's rows, if it ever ran.
    for b in $(cluster_solo_backends); do
        "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" service \
            remove cinder-volume "$CLUSTER_HOST2@$b" >/dev/null 2>&1 || true
    done
    rm -f "$CLUSTER_DIR/second-node"
}

hook_down_cluster() {
    stop_cluster_members
    stop_group TERM redis
    [ ! -d "$CLUSTER_DIR" ] || echo 0 >"$CLUSTER_DIR/enabled"
    rm -f "$CLUSTER_DIR/ceph-hosts"
}

hook_running_cluster() {
    local r
    cluster_on || return 0
    running redis || return 1
    for r in $CLUSTER_RECORDS; do
        [ "$r" != cinder-volume-nfs ] ||
            [ -f "$CLUSTER_DIR/volume-nfs.conf" ] || continue
        running "$r" || return 1
    done
}
