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

# The Cinder services, their cinder.conf writer and the readiness checks
# of tools/stack.sh (sourced, not run).

# -------------------------------------------------------------- Cinder

# How Cinder authenticates requests, and the settings the stack's own
# cinder calls (and <state>/openrc) use: an auth part (part-keystone.sh)
# replaces both. Values hold no spaces.
CINDER_AUTH_STRATEGY=noauth
CINDER_CLI_AUTH="OS_AUTH_TYPE=noauth OS_USER_ID=admin OS_PROJECT_ID=admin"
CINDER_CLI_AUTH+=" CINDER_ENDPOINT=http://127.0.0.1:$API_PORT/v3"

write_cinder_conf() {
    local out=$1 backup_conf
    local drivers=cinder.backup.drivers ours=cinder_snapext.backup
    if [ "$BACKUP" = ceph ]; then
        backup_conf="backup_driver = $ours.drivers.ceph.SnapextCephBackupDriver
backup_manager = $ours.manager.SnapextBackupManager
backup_ceph_conf = $CEPH_CONF
backup_ceph_user = $CEPH_USER
backup_ceph_pool = backups"
    else
        backup_conf="backup_driver = $drivers.posix.PosixBackupDriver
backup_posix_path = $STATE/cinder/backups-posix"
    fi
    cat >"$out" <<EOF
# Written by tools/stack.sh (DB=$DB BACKUP=$BACKUP).
$(cinder_conf_default "$HOST_NAME" "$STATE" "$CINDER_AUTH_STRATEGY" "" \
    "$API_PORT" "$STATE/cinder/api-paste.ini" \
    "$(stack_backends | paste -sd,)")
log_dir = $LOGS

$backup_conf
# Without these, backups are refused for up to 60 s after cinder-backup
# starts: its first report says backend_state False.
backup_driver_stats_polling_interval = 10
backup_driver_init_check_interval = 5
$(hook_output conf_default)
$(cinder_conf_sections "$(db_url)" "$STATE" "$CINDER_CONF")
$(hook_output conf_sections)
EOF
}

# cinder_conf_default HOST DIR AUTH VHOST PORT PASTE BACKENDS: the
# [DEFAULT] lines every Cinder deployment of the stack (this one, B of
# part-peer.sh) shares: cinder-snapext enabled as a deployer does it,
# state in DIR/cinder, RabbitMQ vhost VHOST, the API on PORT.
cinder_conf_default() {
    cat <<EOF
[DEFAULT]
# cinder-snapext, as a deployer enables it: Cinder's standard extensions
# first (setting the option replaces its default), then ours.
osapi_volume_extension = cinder.api.contrib.standard_extensions
osapi_volume_extension = cinder_snapext.api.extension.SnapextExtension
volume_manager = cinder_snapext.volume.manager.SnapextVolumeManager
backup_api_class = cinder_snapext.backup.api.SnapextBackupAPI

host = $1
my_ip = 127.0.0.1
state_path = $2/cinder
auth_strategy = $3
transport_url = rabbit://guest:guest@127.0.0.1:$RABBIT_PORT/$4
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $5
osapi_volume_workers = 1
api_paste_config = $6
resource_query_filters_file = $VENV/etc/cinder/resource_filters.json
rootwrap_config = $STATE/cinder/rootwrap.conf
enabled_backends = $7
default_volume_type = ceph
debug = True
# Periodic tasks (capability reports to the scheduler among them) tick
# every periodic_interval after a random delay of up to
# periodic_fuzzy_delay, both 60 s by default: a report lost while the
# scheduler starts would delay readiness by up to two minutes.
periodic_interval = 10
periodic_fuzzy_delay = 5
# A stopped service shows down in Cinder's service table after
# service_down_time (60 s by default); the scenarios that stop one wait
# that long. Heartbeats every 4 s keep a loaded service up.
report_interval = 4
service_down_time = 20

quota_volumes = -1
quota_snapshots = -1
quota_gigabytes = -1
quota_backups = -1
quota_backup_gigabytes = -1
quota_groups = -1
EOF
}

# cinder_conf_sections DB_URL DIR CONF: the sections every deployment
# shares: the RBD backend 'ceph', its database, locks and coordination
# files in DIR/cinder, privsep helpers reading CONF.
cinder_conf_sections() {
    cat <<EOF

[ceph]
volume_driver = cinder_snapext.volume.drivers.rbd.SnapextRBDDriver
volume_backend_name = ceph
rbd_pool = volumes
rbd_user = $CEPH_USER
rbd_ceph_conf = $CEPH_CONF

[database]
connection = $1

[oslo_concurrency]
lock_path = $2/cinder/locks

[coordination]
backend_url = file://$2/cinder/coordination

# cinder-rootwrap is in the venv, not on sudo's secure_path (and a clean
# image may have no sudo): run the privsep helpers directly as root.
[privsep_osbrick]
helper_command = $VENV/bin/privsep-helper --config-file $3

[cinder_sys_admin]
helper_command = $VENV/bin/privsep-helper --config-file $3

[oslo_messaging_rabbit]
heartbeat_timeout_threshold = 60
EOF
}

# The volume backends: ceph, then those of the optional parts.
stack_backends() {
    echo ceph
    hook_output backends
}

# Cinder's api-paste.ini with tools/stack/noauth_discovery.py before
# noauth: the openstack CLI and openstacksdk can discover the API.
write_api_paste() {
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig
print(sysconfig.get_paths()["purelib"])')
    mkdir -p "$STATE/pystack"
    ln -sf "$REPO/tools/stack/noauth_discovery.py" "$STATE/pystack/"
    echo "$STATE/pystack" >"$site/zz-snapext-stack.pth"
    sed -e 's/^\(noauth = .*\) \(noauth apiv3\)$/\1 tokenrequired \2/' \
        "$VENV/etc/cinder/api-paste.ini" >"$STATE/cinder/api-paste.ini.new"
    cat >>"$STATE/cinder/api-paste.ini.new" <<EOF

[filter:tokenrequired]
paste.filter_factory = noauth_discovery:TokenRequired.factory
EOF
    grep -q ' tokenrequired noauth apiv3$' "$STATE/cinder/api-paste.ini.new" ||
        die "api-paste.ini of Cinder has no noauth pipeline to extend"
    mv "$STATE/cinder/api-paste.ini.new" "$STATE/cinder/api-paste.ini"
}

write_rootwrap_conf() {
    mkdir -p "$STATE/cinder/locks" "$STATE/cinder/coordination" \
        "$STATE/cinder/backups-posix"
    cat >"$STATE/cinder/rootwrap.conf" <<EOF
[DEFAULT]
filters_path = $VENV/etc/cinder/rootwrap.d
exec_dirs = $VENV/bin,/sbin,/usr/sbin,/bin,/usr/bin,/usr/local/bin
use_syslog = False
EOF
}

write_openrc() {
    ln -sfn "$RBDTOOL" "$STATE/rbdtool.py"
    cat >"$OPENRC" <<EOF
# source this file to use the stock cinder CLI against the stack
$(printf 'export %s\n' $CINDER_CLI_AUTH)
export OS_VOLUME_API_VERSION=3.71
export CEPH_CONF=$CEPH_CONF
export SNAPEXT_CEPH_ID=$CEPH_USER
export PATH=$VENV/bin:\$PATH
EOF
}

# <state>/clouds.yaml and <state>/cloudrc: the same access for the
# openstack CLI and openstacksdk, cloud 'snapext', from CINDER_CLI_AUTH.
# Noauth Cinder reads a "user:project" token: keystoneauth's admin_token
# plugin sends one (its 'none' plugin sends none, and Cinder's noauth
# answers 204 to that). URLs have no project id, as cinderclient's.
write_clouds_yaml() {
    local kv key val auth_type="" user="" project="" endpoint="" auth=""
    local extra="" nl=$'\n'
    for kv in $CINDER_CLI_AUTH; do
        key=${kv%%=*}
        val=${kv#*=}
        case $key in
            OS_AUTH_TYPE) auth_type=$val ;;
            OS_USER_ID) user=$val ;;
            OS_PROJECT_ID) project=$val ;;
            CINDER_ENDPOINT) endpoint=$val ;;
            OS_REGION_NAME) extra+="    region_name: '$val'$nl" ;;
            OS_IDENTITY_API_VERSION)
                extra+="    identity_api_version: '$val'$nl" ;;
            OS_*)
                key=${key#OS_}
                auth+="      ${key,,}: '$val'$nl" ;;
        esac
    done
    if [ "$auth_type" = noauth ]; then
        auth_type=admin_token
        auth="      endpoint: '$endpoint'$nl"
        auth+="      token: '$user:$project'$nl"
        extra+="    block_storage_endpoint_override: '$endpoint'$nl"
    fi
    cat >"$STATE/clouds.yaml" <<EOF
# Written by tools/stack.sh: cloud 'snapext' for the openstack CLI and
# openstacksdk (source $STATE/cloudrc, or openstack.connect('snapext')
# with OS_CLIENT_CONFIG_FILE set to this file).
clouds:
  snapext:
    auth_type: $auth_type
    auth:
${auth}    block_storage_api_version: '3'
${extra}
EOF
    # In the openstack CLI, OS_* variables override clouds.yaml: the rc
    # file clears those that openrc sets.
    cat >"$STATE/cloudrc" <<EOF
# source this file to use the openstack CLI and openstacksdk
unset OS_AUTH_TYPE OS_AUTH_URL OS_USER_ID OS_PROJECT_ID OS_USERNAME
unset OS_PASSWORD OS_PROJECT_NAME OS_USER_DOMAIN_NAME OS_PROJECT_DOMAIN_NAME
unset OS_IDENTITY_API_VERSION OS_REGION_NAME OS_VOLUME_API_VERSION OS_TOKEN
unset CINDER_ENDPOINT
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
export OS_CLOUD=snapext
export PATH=$VENV/bin:\$PATH
EOF
}

cinder_() {
    # shellcheck disable=SC2086
    env -u OS_CLOUD -u OS_AUTH_URL -u OS_TOKEN $CINDER_CLI_AUTH \
        OS_VOLUME_API_VERSION=3.71 timeout 60 "$VENV/bin/cinder" "$@"
}

cinder_running() {
    local s
    for s in $CINDER_SERVICES; do
        running "cinder-$s" || return 1
    done
}

stop_cinder() {
    # Together: stopping the scheduler first removes its fanout exchange
    # and the others then log NOT_FOUND errors.
    stop_group TERM cinder-volume cinder-backup cinder-scheduler cinder-api
}

api_ready() {
    "$VENV/bin/python" - "$API_PORT" <<'EOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen('http://127.0.0.1:%s/' % sys.argv[1], timeout=5)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 300 else 1)
except OSError:
    sys.exit(1)
EOF
}

# The API answers and the three services are up (a running stack).
cinder_up() {
    api_ready && cinder_ready 0 -1
}

# The scheduler has every volume backend's capabilities and a
# backend_state True report from cinder-backup (it places backups only
# after that), and all three services have reported since they started.
# The log comes first: service-list asks the scheduler for pools over
# RPC, and waits rpc_response_timeout (60 s) if no scheduler consumes.
cinder_ready() {
    local since=$1 offset=$2 list news b backends
    backends=$(stack_backends | xargs)
    if [ "$offset" -ge 0 ]; then
        news=$(tail -c +"$((offset + 1))" "$LOGS/cinder-scheduler.log" |
            grep -E "Received [a-z]* service update from" | cut -c1-400)
        for b in $backends; do
            grep -Eq "volume service update from +$HOST_NAME@$b:" \
                <<<"$news" || return 1
        done
        grep -Eq "backup service update from $HOST_NAME: .*'backend_state'\
: True" <<<"$news" || return 1
    fi
    list=$(cinder_ service-list) || return 1
    "$VENV/bin/python" - "$since" "$list" "$HOST_NAME" $backends <<'EOF'
import datetime, sys
since = datetime.datetime.fromtimestamp(int(sys.argv[1]),
                                        datetime.timezone.utc)
want = {('cinder-scheduler', sys.argv[3]), ('cinder-backup', sys.argv[3])}
want |= {('cinder-volume', '%s@%s' % (sys.argv[3], b))
         for b in sys.argv[4:]}
for line in sys.argv[2].splitlines():
    cols = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cols) < 6:
        continue
    binary, host, state, updated = cols[0], cols[1], cols[4], cols[5]
    if (binary, host) not in want:
        continue
    when = datetime.datetime.fromisoformat(updated.replace('Z', ''))
    when = when.replace(tzinfo=datetime.timezone.utc)
    if state == 'up' and when >= since:
        want.discard((binary, host))
sys.exit(1 if want else 0)
EOF
}

# volume_rpc_up OFFSET: every backend's cinder-volume process (one each)
# has logged, after byte OFFSET, that its RPC server is up.
volume_rpc_up() {
    local n
    n=$(tail -c +"$(($1 + 1))" "$LOGS/cinder-volume.log" |
        grep -cF "Driver post RPC initialization completed successfully" ||
        true)
    [ "${n:-0}" -ge "$(stack_backends | wc -l)" ]
}

start_cinder() {
    local s since offset voffset
    mkdir -p "$STATE/cinder"
    write_rootwrap_conf
    write_api_paste
    if cinder_running; then
        wait_until "Cinder services up" cinder_up
        return 0
    fi
    stop_cinder
    require_port_free "$API_PORT" "cinder-api"
    local t0
    t0=$(now_ms)
    "$VENV/bin/cinder-manage" --config-file "$CINDER_CONF" db sync \
        >>"$LOGS/db-sync.log" 2>&1 ||
        die "cinder-manage db sync failed: see $LOGS/db-sync.log"
    "$VENV/bin/cinder-snapext-manage" --config-file "$CINDER_CONF" db sync \
        >>"$LOGS/db-sync.log" 2>&1 ||
        die "cinder-snapext-manage db sync failed: see $LOGS/db-sync.log"
    log "$(printf '%-34s %6ss' "db sync (cinder, then snapext)" \
        "$(secs $(($(now_ms) - t0)))")"
    since=$(date +%s)
    touch "$LOGS/cinder-scheduler.log" "$LOGS/cinder-volume.log"
    offset=$(stat -c %s "$LOGS/cinder-scheduler.log")
    voffset=$(stat -c %s "$LOGS/cinder-volume.log")
    for s in api volume backup; do
        launch "cinder-$s" "$VENV/bin/cinder-$s" --config-file "$CINDER_CONF"
    done
    # The scheduler asks every volume service for its capabilities when
    # it starts; a volume service whose RPC server is not up yet misses
    # that and reports only after backend_stats_polling_interval (60 s,
    # read when Cinder's module is imported, so cinder.conf cannot lower
    # it). Hence the scheduler starts once cinder-volume listens.
    wait_until "cinder-volume RPC (see $LOGS/cinder-volume.log)" \
        volume_rpc_up "$voffset"
    launch cinder-scheduler "$VENV/bin/cinder-scheduler" \
        --config-file "$CINDER_CONF"
    wait_until "cinder-api on 127.0.0.1:$API_PORT" api_ready
    local end
    end=$((SECONDS + DEADLINE))
    until cinder_ready "$since" "$offset" >/dev/null 2>&1; do
        for s in $CINDER_SERVICES; do
            running "cinder-$s" ||
                die "cinder-$s died: see $LOGS/cinder-$s.log and .out"
        done
        [ "$SECONDS" -lt "$end" ] ||
            die "Cinder: services not ready within ${DEADLINE}s"
        sleep 0.5
    done
}

# One volume type per backend, named after it.
configure_cinder() {
    local b spec
    for b in $(stack_backends); do
        cinder_ type-show "$b" >/dev/null 2>&1 ||
            cinder_ type-create "$b" >/dev/null
        spec=$(cinder_ type-show "$b")
        case $spec in
            *"volume_backend_name : $b"*) ;;
            *) cinder_ type-key "$b" set volume_backend_name="$b" ;;
        esac
    done
    cinder_ quota-class-update --volumes -1 --snapshots -1 --gigabytes -1 \
        --backups -1 --backup-gigabytes -1 default >/dev/null
}
