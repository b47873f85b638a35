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

# What 'status' and 'logs' show, and the memory table 'demo' prints too.

# Peak resident memory (VmHWM) of a record's live processes, in kB.
hwm_kb() {
    local p sum=0 v
    for p in $(members "$1"); do
        v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null) ||
            continue
        sum=$((sum + ${v:-0}))
    done
    echo "$sum"
}

mem_table() {
    local n kb total=0 count
    printf '%-22s %6s %14s\n' SERVICE PROCS "PEAK RSS MiB"
    for n in rabbitmq epmd postgresql mariadb redis ceph-mon ceph-mgr \
        ceph-osd cinder-api cinder-scheduler cinder-volume cinder-volume-2 \
        cinder-volume-nfs cinder-backup cinder-backup-2 \
        cinder-backup-posix lvm-guest; do
        running "$n" || [ -n "$(members "$n")" ] || continue
        count=$(members "$n" | wc -w)
        kb=$(hwm_kb "$n")
        total=$((total + kb))
        printf '%-22s %6s %14s\n' "$n" "$count" "$((kb / 1024))"
    done
    printf '%-22s %6s %14s\n' TOTAL "" "$((total / 1024))"
    # Inside lvm-guest's memory, not added to the total a second time.
    ! declare -F lvm_mem_rows >/dev/null || lvm_mem_rows
}

cmd_status() {
    local n pid
    echo "state: $STATE (DB=$(cat "$STATE/db" 2>/dev/null || echo "?"))"
    for n in $(all_records); do
        if pid=$(recorded "$n"); then
            printf '  %-22s running  pid %-8s processes %s\n' "$n" "$pid" \
                "$(members "$n" | wc -w)"
        else
            printf '  %-22s stopped\n' "$n"
        fi
    done
    if running cinder-api; then
        cinder_ service-list || true
    fi
    if running ceph-mon; then
        ceph_ -s || true
    fi
    stack_running || { echo "stack: not (fully) running"; return 3; }
    mem_table
    echo "stack: up (source $OPENRC to use it)"
}

log_file() {
    case $1 in
        api|scheduler|volume|backup) echo "$LOGS/cinder-$1.log" ;;
        ceph-mon|mon) echo "$CEPH/log/ceph-mon.a.log" ;;
        ceph-mgr|mgr) echo "$CEPH/log/ceph-mgr.x.log" ;;
        ceph-osd|osd) echo "$CEPH/log/ceph-osd.0.log" ;;
        ceph) echo "$CEPH/log/ceph.log" ;;
        rabbitmq) echo "$STATE/rabbitmq/log/$RABBIT_NODE.log" ;;
        mariadb) echo "$LOGS/mariadb.log" ;;
        *)
            local f
            for f in "$LOGS/$1.log" "$LOGS/$1.out" "$LOGS/$1"; do
                [ ! -f "$f" ] || { echo "$f"; return 0; }
            done
            return 1
            ;;
    esac
}

cmd_logs() {
    local svc=${1:-} f
    if [ -z "$svc" ]; then
        echo "usage: $0 logs SERVICE [-f]"
        echo "services: api scheduler volume backup ceph-mon ceph-mgr" \
            "ceph-osd ceph rabbitmq postgresql mariadb epmd scenario," \
            "or a file name under $LOGS:"
        ls -l "$LOGS" 2>/dev/null
        return 0
    fi
    f=$(log_file "$svc") && [ -f "$f" ] ||
        die "no log for '$svc' yet: run '$0 logs' for the list"
    if [ "${2:-}" = -f ]; then
        exec tail -n 50 -F "$f"
    fi
    tail -n 200 "$f"
}
