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

# The files Cinder and the stack's clients read: cinder.conf (for this
# Cinder and part-peer.sh's B), api-paste.ini, rootwrap.conf, openrc and
# clouds.yaml (sourced by tools/stack.sh, not run).

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
    "$(stack_backends | paste -sd,)" "$(hook_output api_workers)")
log_dir = $LOGS

$backup_conf
# Without these, backups are refused for up to 60 s after cinder-backup
# starts: its first report says backend_state False.
backup_driver_stats_polling_interval = 10
backup_driver_init_check_interval = 5
$(hook_output conf_default)
$(cinder_conf_sections "$(db_url)" "$STATE" "$CINDER_CONF" \
    "$(hook_output coordination_url)")
$(hook_output conf_sections)
EOF
}

# cinder_conf_default HOST DIR AUTH VHOST PORT PASTE BACKENDS [WORKERS]:
# the [DEFAULT] lines every Cinder deployment of the stack (this one, B
# of part-peer.sh) shares: cinder-snapext enabled as a deployer does it,
# state in DIR/cinder, RabbitMQ vhost VHOST, the API on PORT with
# WORKERS processes (1 by default).
cinder_conf_default() {
    cat <<EOF
[DEFAULT]
# The services run with THREADING=$THREADING (1: native threads, not
# eventlet); a change restarts them.
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
osapi_volume_workers = ${8:-1}
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

# cinder_conf_sections DB_URL DIR CONF [COORDINATION]: the sections every
# deployment shares: the RBD backend 'ceph', its database, locks in
# DIR/cinder, tooz's coordination backend COORDINATION (files in
# DIR/cinder by default: one host), privsep helpers reading CONF.
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
backend_url = ${4:-file://$2/cinder/coordination}

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

# write_openrc FILE WHAT AUTH: an openrc for the stock cinder CLI against
# WHAT, with AUTH's "KEY=value" settings (as CINDER_CLI_AUTH holds them).
write_openrc() {
    ln -sfn "$RBDTOOL" "$STATE/rbdtool.py"
    cat >"$1" <<EOF
# source this file to use the stock cinder CLI against $2
$(printf 'export %s\n' $3)
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
