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

# Redis on 127.0.0.1, the cluster's DLM (sourced by tools/stack.sh; only
# part-cluster.sh starts it).

REDIS_PORT=$((6379 + OFFSET))
# Locks only: nothing to keep across a restart, so no persistence.
REDIS_DIR=$STATE/redis

redis_ready() {
    [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping \
        2>/dev/null)" = PONG ]
}

start_redis() {
    running redis && return 0
    require_port_free "$REDIS_PORT" "Redis"
    mkdir -p "$REDIS_DIR"
    launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
        --dir "$REDIS_DIR" --save "" --appendonly no \
        --daemonize no --protected-mode yes --logfile "$LOGS/redis.log"
    wait_until "Redis on 127.0.0.1:$REDIS_PORT (see $LOGS/redis.log)" \
        redis_ready
}

# tooz's redis driver needs the client library; Cinder does not pull it.
install_redis_client() {
    "$VENV/bin/python" -c 'import redis' 2>/dev/null && return 0
    log "installing the redis client (tooz's driver) into $VENV"
    pip_install redis
}
