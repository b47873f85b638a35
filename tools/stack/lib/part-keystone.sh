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

# Optional part of tools/stack.sh: Keystone 30 in front of Cinder.
#
# AUTH=keystone (default noauth; unset, it keeps what the stack was last
# brought up with, like DB and BACKUP) serves Keystone from PyPI with
# gunicorn on 127.0.0.1:5000 + 10 x SLOT, its database in the stack's
# database server, bootstrapped with the admin, member and reader roles;
# registers the cinder service user and the block-storage v3 endpoint,
# and switches Cinder to auth_strategy = keystone (keystonemiddleware).
# <state>/openrc then authenticates as admin through Keystone, and
# <state>/keystone/demo-openrc as the member user demo; both work with
# the stock openstack and cinder CLIs.
#
#   SNAPEXT_STACK_KEYSTONE_PORT    port (default 5000 + 10 x SLOT)
#   SNAPEXT_STACK_ADMIN_PASSWORD   Keystone's admin (default snapext-admin)

AUTH=${AUTH:-${SNAPEXT_STACK_AUTH:-$(cat "$STATE/auth" 2>/dev/null ||
    true)}}
AUTH=${AUTH:-noauth}
case $AUTH in
    noauth|keystone) ;;
    *) echo "AUTH=$AUTH: use noauth or keystone" >&2; exit 2 ;;
esac

KS_DIR=$STATE/keystone
# Into the stack's venv: a dry run there only adds packages (Keystone 30
# and Cinder 29 agree on every shared one), and saves a second download
# of the oslo libraries. Should that change, set this to a venv of its own.
KS_VENV=$VENV
KS_PORT=${SNAPEXT_STACK_KEYSTONE_PORT:-$((5000 + OFFSET))}
KS_URL=http://127.0.0.1:$KS_PORT
KS_ADMIN_PASSWORD=${SNAPEXT_STACK_ADMIN_PASSWORD:-snapext-admin}
KS_SERVICE_PASSWORD=snapext-cinder
KS_DEMO_PASSWORD=snapext-demo
KS_PACKAGES="keystone==30.* gunicorn python-openstackclient"
KS_PACKAGES="$KS_PACKAGES psycopg2-binary PyMySQL"

if [ "$AUTH" = keystone ]; then
    CINDER_AUTH_STRATEGY=keystone
    CINDER_CLI_AUTH="OS_AUTH_TYPE=password OS_AUTH_URL=$KS_URL/v3"
    CINDER_CLI_AUTH+=" OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne"
    CINDER_CLI_AUTH+=" OS_USERNAME=admin OS_PASSWORD=$KS_ADMIN_PASSWORD"
    CINDER_CLI_AUTH+=" OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default"
    CINDER_CLI_AUTH+=" OS_PROJECT_DOMAIN_NAME=Default"
fi

keystone_db_url() {
    local auth=keystone:keystone@127.0.0.1
    case $DB in
        postgresql) echo "postgresql+psycopg2://$auth:$PG_PORT/keystone" ;;
        mariadb)
            echo "mysql+pymysql://$auth:$MY_PORT/keystone?charset=utf8mb4"
            ;;
        sqlite) echo "sqlite:///$KS_DIR/keystone.sqlite" ;;
    esac
}

keystone_create_db() {
    case $DB in
        postgresql)
            as_postgres "$(pg_bin)/psql" -X -q -h "$STATE/postgresql" \
                -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 \
                >/dev/null <<'EOF'
DO $$ BEGIN
IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keystone') THEN
CREATE ROLE keystone LOGIN PASSWORD 'keystone';
END IF;
END $$;
SELECT 'CREATE DATABASE keystone OWNER keystone'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'keystone')\gexec
EOF
            ;;
        mariadb)
            mariadb --no-defaults -S "$STATE/mariadb/mariadbd.sock" -uroot -e "
                CREATE DATABASE IF NOT EXISTS keystone CHARACTER SET utf8mb4;
                CREATE USER IF NOT EXISTS 'keystone'@'127.0.0.1'
                    IDENTIFIED BY 'keystone';
                GRANT ALL ON keystone.* TO 'keystone'@'127.0.0.1';"
            ;;
    esac
}

# Sets KS_CONF_CHANGED when keystone.conf changed: a running Keystone
# then restarts.
KS_CONF_CHANGED=""
keystone_write_conf() {
    mkdir -p "$KS_DIR"
    cat >"$KS_DIR/keystone.conf.new" <<EOF
# Written by tools/stack.sh (AUTH=keystone).
[DEFAULT]
log_file = $LOGS/keystone.log

[database]
connection = $(keystone_db_url)

[token]
provider = fernet

[fernet_tokens]
key_repository = $KS_DIR/fernet-keys

[fernet_receipts]
key_repository = $KS_DIR/fernet-keys

[credential]
key_repository = $KS_DIR/credential-keys

[cache]
enabled = false

[identity]
# Every password token checks a bcrypt hash: at the default 12 rounds that
# is a quarter second of CPU, many times over in a tempest run on two
# cores. A throwaway stack on loopback needs no more than the minimum.
password_hash_rounds = 4
EOF
    if cmp -s "$KS_DIR/keystone.conf.new" "$KS_DIR/keystone.conf"; then
        rm -f "$KS_DIR/keystone.conf.new"
    else
        mv "$KS_DIR/keystone.conf.new" "$KS_DIR/keystone.conf"
        KS_CONF_CHANGED=1
    fi
    # keystone.server parses sys.argv as oslo.config arguments when it is
    # imported: under gunicorn they are gunicorn's, and every worker
    # exits with code 2 without a traceback.
    cat >"$KS_DIR/snapext_keystone_wsgi.py" <<'EOF'
"""Keystone's WSGI application, with gunicorn's argv hidden from it."""
import sys

sys.argv = sys.argv[:1]
from keystone.wsgi.api import application  # noqa: E402,F401
EOF
}

keystone_install() {
    [ ! -x "$KS_VENV/bin/keystone-manage" ] || return 0
    log "Keystone 30 into $KS_VENV (pip log: $LOGS/pip-keystone.log)"
    # shellcheck disable=SC2086
    "$KS_VENV/bin/pip" install --disable-pip-version-check $KS_PACKAGES \
        >>"$LOGS/pip-keystone.log" 2>&1 ||
        die "pip install of Keystone failed: see $LOGS/pip-keystone.log"
}

keystone_manage() {
    "$KS_VENV/bin/keystone-manage" --config-file "$KS_DIR/keystone.conf" \
        "$@" >>"$LOGS/keystone-manage.log" 2>&1 ||
        die "keystone-manage $1 failed: see $LOGS/keystone-manage.log"
}

# db_sync and bootstrap are idempotent but take half a minute: once per
# database and URL (the marker holds both); the keys are made once.
keystone_bootstrap() {
    local marker=$KS_DIR/.bootstrapped
    if [ "$(cat "$marker" 2>/dev/null)" = "$(keystone_db_url) $KS_URL" ]; then
        return 0
    fi
    keystone_create_db
    keystone_manage db_sync
    if [ ! -e "$KS_DIR/fernet-keys/0" ]; then
        mkdir -p -m 700 "$KS_DIR/fernet-keys" "$KS_DIR/credential-keys"
        keystone_manage fernet_setup --keystone-user root \
            --keystone-group root
        keystone_manage credential_setup --keystone-user root \
            --keystone-group root
    fi
    keystone_manage bootstrap --bootstrap-password "$KS_ADMIN_PASSWORD" \
        --bootstrap-username admin --bootstrap-project-name admin \
        --bootstrap-role-name admin --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne \
        --bootstrap-public-url "$KS_URL/v3"
    echo "$(keystone_db_url) $KS_URL" >"$marker"
}

keystone_answers() {
    curl -fsS --max-time 3 -o /dev/null "$KS_URL/v3"
}

keystone_start() {
    if [ -z "$KS_CONF_CHANGED" ] && running keystone; then
        keystone_answers && return 0
    fi
    stop_group TERM keystone
    require_port_free "$KS_PORT" "Keystone"
    launch keystone env OS_KEYSTONE_CONFIG_FILES="$KS_DIR/keystone.conf" \
        "$KS_VENV/bin/gunicorn" --bind "127.0.0.1:$KS_PORT" --workers 2 \
        --timeout 120 --access-logfile "$LOGS/keystone-access.log" \
        --error-logfile "$LOGS/keystone-gunicorn.log" \
        --chdir "$KS_DIR" snapext_keystone_wsgi:application
    wait_until "Keystone on $KS_URL (see $LOGS/keystone-gunicorn.log)" \
        keystone_answers
}

keystone_openrc() {
    # keystone_openrc USER PASSWORD PROJECT: settings for the stock CLIs.
    cat <<EOF
# source this file to use the stock openstack and cinder CLIs as $1
export OS_AUTH_TYPE=password
export OS_AUTH_URL=$KS_URL/v3
export OS_IDENTITY_API_VERSION=3
export OS_REGION_NAME=RegionOne
export OS_USERNAME=$1
export OS_PASSWORD=$2
export OS_PROJECT_NAME=$3
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_VOLUME_API_VERSION=3.71
export PATH=$KS_VENV/bin:\$PATH
EOF
}

# The cinder service user, the block-storage endpoint and the demo user,
# in one openstacksdk process (each openstack CLI call costs seconds).
keystone_register() {
    SNAPEXT_KS_URL=$KS_URL/v3 SNAPEXT_KS_ADMIN_PASSWORD=$KS_ADMIN_PASSWORD \
        SNAPEXT_KS_CINDER_PASSWORD=$KS_SERVICE_PASSWORD \
        SNAPEXT_KS_DEMO_PASSWORD=$KS_DEMO_PASSWORD \
        SNAPEXT_KS_VOLUME_URL="http://127.0.0.1:$API_PORT/v3/%(project_id)s" \
        timeout 300 "$KS_VENV/bin/python" \
        "$REPO/tools/stack/keystone_setup.py" register \
        >>"$LOGS/keystone-register.log" 2>&1 ||
        die "Keystone registration failed: see $LOGS/keystone-register.log"
    keystone_openrc admin "$KS_ADMIN_PASSWORD" admin >"$KS_DIR/admin-openrc"
    keystone_openrc demo "$KS_DEMO_PASSWORD" demo >"$KS_DIR/demo-openrc"
}

hook_up_keystone() {
    echo "$AUTH" >"$STATE/auth"
    if [ "$AUTH" != keystone ]; then
        # Back to noauth: Cinder restarts with the new cinder.conf.
        stop_group TERM keystone
        return 0
    fi
    step "  Keystone install" keystone_install
    keystone_write_conf
    step "  Keystone db, keys, bootstrap" keystone_bootstrap
    step "  Keystone on $KS_URL" keystone_start
    step "  Keystone: cinder, endpoint, demo" keystone_register
}

hook_conf_sections_keystone() {
    [ "$AUTH" = keystone ] || return 0
    cat <<EOF

[keystone_authtoken]
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
username = cinder
password = $KS_SERVICE_PASSWORD
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = RegionOne
interface = public
EOF
}

hook_down_keystone() {
    stop_group TERM keystone
}

hook_running_keystone() {
    [ "$AUTH" != keystone ] || running keystone
}
