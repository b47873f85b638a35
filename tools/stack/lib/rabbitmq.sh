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

# The stack's RabbitMQ node (sourced by tools/stack.sh).

# ------------------------------------------------------------ RabbitMQ

# The node's settings, as RabbitMQ reads them from rabbitmq-env.conf,
# but in the state directory: /etc/rabbitmq is left alone.
write_rabbit_env() {
    cat >"$STATE/rabbitmq/env.sh" <<EOF
export HOME=/var/lib/rabbitmq
export RABBITMQ_NODENAME=$RABBIT_NODE
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$RABBIT_PORT
export RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000))
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=$EPMD_PORT
export RABBITMQ_MNESIA_BASE=$STATE/rabbitmq/mnesia
export RABBITMQ_LOG_BASE=$STATE/rabbitmq/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$STATE/rabbitmq/enabled_plugins
export RABBITMQ_CONFIG_FILE=$STATE/rabbitmq/rabbitmq.conf
EOF
}

rabbitmqctl_() {
    local cmd=". $STATE/rabbitmq/env.sh &&"
    cmd="$cmd exec /usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE $*"
    timeout 60 su rabbitmq -s /bin/sh -c "$cmd"
}

start_rabbitmq() {
    if running rabbitmq; then
        return 0
    fi
    require_port_free "$RABBIT_PORT" "AMQP"
    require_port_free $((RABBIT_PORT + 20000)) "Erlang distribution"
    mkdir -p "$STATE/rabbitmq/mnesia" "$STATE/rabbitmq/log"
    echo '[].' >"$STATE/rabbitmq/enabled_plugins"
    cat >"$STATE/rabbitmq/rabbitmq.conf" <<EOF
loopback_users.guest = true
distribution.listener.interface = 127.0.0.1
EOF
    write_rabbit_env
    chown -R rabbitmq: "$STATE/rabbitmq"
    # epmd in the foreground, ours, unless one already runs.
    if ! running epmd && ! port_busy "$EPMD_PORT"; then
        launch epmd su rabbitmq -s /bin/sh -c \
            "exec epmd -address 127.0.0.1 -port $EPMD_PORT"
        wait_until "epmd" port_busy "$EPMD_PORT"
    fi
    launch rabbitmq su rabbitmq -s /bin/sh -c "cd $STATE/rabbitmq &&
. ./env.sh && exec /usr/lib/rabbitmq/bin/rabbitmq-server"
    local end
    end=$((SECONDS + DEADLINE))
    until rabbitmqctl_ await_startup --timeout 10 >/dev/null 2>&1; do
        running rabbitmq || die "RabbitMQ died: see $LOGS/rabbitmq.out"
        [ "$SECONDS" -lt "$end" ] ||
            die "RabbitMQ: not ready within ${DEADLINE}s"
        sleep 0.5
    done
}
