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

# The stack's one-OSD Ceph cluster (sourced by tools/stack.sh).

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
mon_host = [v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]
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
bluestore_block_size = ${CEPH_OSD_GB}G
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
        --addv a "[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]" \
        "$tmp/monmap" >/dev/null
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
    ceph_ auth get-or-create client.$CEPH_USER mon 'profile rbd' \
        osd 'profile rbd pool=volumes, profile rbd pool=backups' \
        -o "$CEPH/ceph.client.$CEPH_USER.keyring"
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

# Ready: the OSD is up and every PG of every pool is active and clean,
# whatever else it does meanwhile (snaptrim, snaptrim_wait, scrubbing:
# after a run that deleted many snapshots the OSD trims for minutes, and
# the PGs serve I/O all along). The expected PG count is the sum of
# pg_num in the mon's OSD map: "ceph pg stat" comes from the mgr and can
# lag behind newly created pools.
ceph_ready() {
    local dump status
    dump=$(ceph_ osd dump -f json) || return 1
    status=$(ceph_ status -f json) || return 1
    "$VENV/bin/python" - "$dump" "$status" <<'EOF'
import json, sys
dump, status = json.loads(sys.argv[1]), json.loads(sys.argv[2])
want = sum(p["pg_num"] for p in dump["pools"])
clean = sum(s["count"] for s in status["pgmap"].get("pgs_by_state", [])
            if {"active", "clean"} <= set(s["state_name"].split("+")))
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
        require_port_free "$MON_PORT" "ceph-mon v2"
        require_port_free "$MON_V1_PORT" "ceph-mon v1"
        ceph_bootstrap
    else
        if ! running ceph-mon; then
            require_port_free "$MON_PORT" "ceph-mon v2"
            launch ceph-mon ceph-mon -c "$CEPH_CONF" -f -i a
        fi
        running ceph-mgr || launch ceph-mgr ceph-mgr -c "$CEPH_CONF" -f -i x
        running ceph-osd || launch ceph-osd ceph-osd -c "$CEPH_CONF" -f -i 0
    fi
    wait_until "Ceph: OSD up and every PG active+clean" ceph_ready
    # os-brick's RBD connector (used by cinder-backup) only looks for
    # keyrings in /etc/ceph/<cluster>.client.<user>.keyring.
    mkdir -p /etc/ceph
    local link=/etc/ceph/ceph.client.$CEPH_USER.keyring
    if [ -e "$link" ] && [ ! -L "$link" ]; then
        log "WARNING: $link is not ours; leaving it (backups may fail)"
    else
        ln -sfn "$CEPH/ceph.client.$CEPH_USER.keyring" "$link"
    fi
}
