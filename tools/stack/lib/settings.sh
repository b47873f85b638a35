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

# The stack's settings: what the environment chose (or the state
# directory remembers), the ports of the slot, the paths in the state
# directory. Sourced by tools/stack.sh after slot.sh.
# Unset, DB and BACKUP keep what the stack in STATE was made with.
DB=${DB:-${SNAPEXT_STACK_DB:-$(cat "$STATE/db" 2>/dev/null || true)}}
DB=${DB:-postgresql}
BACKUP=${BACKUP:-${SNAPEXT_STACK_BACKUP:-$(cat "$STATE/backup" 2>/dev/null ||
    true)}}
BACKUP=${BACKUP:-ceph}
# THREADING=1: the Cinder services on native threads; kept like DB.
THREADING=${THREADING:-${SNAPEXT_STACK_THREADING:-$(cat "$STATE/threading" \
    2>/dev/null || true)}}
THREADING=${THREADING:-0}
DEADLINE=${SNAPEXT_STACK_TIMEOUT:-120}
# Size of the OSD's BlueStore file, fixed when the cluster is made (a
# stack that has one keeps its size): benchmarks of 10 GiB volumes need
# more than the 10 GiB that fits CI's scenarios. The file starts sparse but
# keeps every block BlueStore ever wrote: a long benchmark fills it whole.
CEPH_OSD_GB=${SNAPEXT_CEPH_OSD_GB:-10}
case $CEPH_OSD_GB in
    '' | *[!0-9]* | 0*) echo "SNAPEXT_CEPH_OSD_GB: a whole number of GiB" \
        "from 1 up, not '$CEPH_OSD_GB'" >&2; exit 2 ;;
esac
# Slot 0 uses the usual ports; slot N shifts every one by 10 x N (the
# Ceph mon's v1 port downwards: the OSDs bind from 6800 up).
OFFSET=$((SLOT * 10))
PG_PORT=${SNAPEXT_STACK_PG_PORT:-$((15433 + OFFSET))}
MY_PORT=${SNAPEXT_STACK_MYSQL_PORT:-$((13307 + OFFSET))}
RABBIT_PORT=$((5672 + OFFSET))
EPMD_PORT=$((4369 + OFFSET))
API_PORT=$((8776 + OFFSET))
MON_PORT=$((3300 + OFFSET))
MON_V1_PORT=$((6789 - OFFSET))
HOST_NAME=ci
if [ "$SLOT" = 0 ]; then
    RABBIT_NODE=rabbit@localhost
    CEPH_USER=cinder
else
    RABBIT_NODE=snapext$SLOT@localhost
    CEPH_USER=cinder$SLOT
fi

VENV=$STATE/venv
RUN=$STATE/run
LOGS=$STATE/logs
CEPH=$STATE/ceph
CEPH_CONF=$CEPH/ceph.conf
CINDER_CONF=$STATE/cinder.conf
OPENRC=$STATE/openrc
RBDTOOL=$REPO/tools/stack/rbdtool.py
CINDER_SERVICES="api scheduler volume backup"

case $DB in
    postgres|postgresql|pg) DB=postgresql ;;
    mariadb|mysql) DB=mariadb ;;
    sqlite) ;;
    *) echo "DB=$DB: use postgresql, mariadb or sqlite" >&2; exit 2 ;;
esac
case $BACKUP in
    ceph|posix) ;;
    *) echo "BACKUP=$BACKUP: use ceph or posix" >&2; exit 2 ;;
esac
case $THREADING in
    0|1) ;;
    *) echo "THREADING=$THREADING: use 1 (native threads) or 0" >&2; exit 2 ;;
esac

export CEPH_CONF
export DEBIAN_FRONTEND=noninteractive
