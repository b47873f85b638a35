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

# A real single-node Cinder 29 with cinder-snapext: RabbitMQ, a private
# PostgreSQL (or MariaDB, or SQLite), a one-OSD Ceph 16.2 cluster on a
# sparse file, and cinder-api, -scheduler, -volume (RBD) and -backup (Ceph
# or posix driver), all on 127.0.0.1, configured as a deployer would.
#
# Usage: tools/stack.sh up [--no-wait]|down|status|logs [SERVICE] [-f]|demo
#        tools/stack.sh help
#        tools/stack.sh remove-plugin|uninstall
#        tools/stack.sh downgrade-plugin|upgrade-plugin|upgrade
#        tools/stack.sh stop|start api|scheduler|volume|backup
#        tools/stack.sh start volume-2|backup-2|volume-nfs|volume-nfs-2
#                                          (CLUSTER=1)
#
#   up      install what is missing (Debian packages, <state>/venv with
#           this repo, Cinder 29 and python-cinderclient), start
#           everything, wait until Cinder can place volumes and backups;
#           --no-wait (LVM=1): the LVM guest boots and starts its
#           services in a background job of the stack (lvm-ready, by
#           pid); the next 'LVM=1 tools/stack.sh up' or 'demo' waits
#           for it
#   down    stop the processes this tool started (recorded by pid, with
#           everything they spawned), with a deadline
#   status  what runs, Cinder's and Ceph's view of it, peak memory;
#           exit status 3 when the stack is not (fully) running
#   logs    list the logs, or print one (-f follows it)
#   stop    stop one Cinder service of a running stack (by its recorded
#           pid, with everything it spawned); Cinder's service table
#           says it is down after service_down_time (20 s here)
#   start   start it again, wait until the scheduler hears from it
#   demo    up if needed, run the scenario with the stock cinder CLI
#           (cinder_snapext/tests/integration), print a PASS/FAIL table,
#           the boot time and each service's peak memory
#   remove-plugin  take cinder-snapext out of the running stack as the
#           install guide's "Removing it" says (cinder.conf, restart,
#           db downgrade base, pip uninstall; Cinder B stops); the
#           next 'up' puts it back
#   uninstall  up if needed, then the removal scenario
#           (cinder_snapext/tests/lifecycle/test_stack_uninstall.py),
#           which runs remove-plugin; reported like demo
#   downgrade-plugin  cinder-snapext of SNAPEXT_UPGRADE_FROM (a commit,
#           default ef6d2a5) into the running stack, our schema down
#           to its head, Cinder restarted (Cinder B keeps running)
#   upgrade-plugin [services|api]  this checkout again as the install
#           guide orders it: package, db sync, cinder-volume, -backup,
#           then -api, every member of each (CLUSTER=1) before the next;
#           'services' stops before -api (the mixed window), 'api'
#           finishes
#   upgrade  up if needed, then the upgrade scenario
#           (cinder_snapext/tests/lifecycle/test_stack_upgrade.py),
#           which runs both with work in flight; reported like demo
#
# Environment:
#   SNAPEXT_STACK_SLOT     0 (default) to 9: a stack of its own, with its
#                          own state directory (<repo>/.stack-SLOT), ports
#                          shifted by 10 x SLOT, RabbitMQ node and Ceph
#                          user, so several stacks can run side by side
#   SNAPEXT_STACK_DIR      state directory (default <repo>/.stack)
#   DB                     postgresql (default), mariadb or sqlite
#   BACKUP                 ceph (default) or posix; both, when unset, keep
#                          what the stack was last brought up with
#   SNAPEXT_STACK_PYTHON   a CPython 3.11 for the venv (Debian's rados and
#                          rbd modules are built for 3.11)
#   SNAPEXT_STACK_TIMEOUT  deadline in seconds for each wait (default 120)
#   SNAPEXT_CEPH_OSD_GB    size of the OSD's file in GiB (default 10),
#                          fixed when the Ceph cluster is first made; sparse
#                          at first, it can grow to all of it on disk
#   SNAPEXT_SCENARIO       demo: run only the integration tests that match
#                          this stestr filter (default: all of them)
#   SNAPEXT_SCENARIO_WORKERS  demo: stestr workers (default 1: one
#                          class at a time); classes never split, the NFS
#                          ones together, those that stop a service alone
#                          at the end (tools/stack/lib/scenario.sh)
#   SNAPEXT_SCENARIO_PATH  demo: the scenarios' folder in the repository
#                          (default cinder_snapext/tests/integration;
#                          tools/faults.sh sets cinder_snapext/tests/faults)
#   SNAPEXT_STACK_PG_PORT, SNAPEXT_STACK_MYSQL_PORT  (15433, 13307)
#   AUTH                   noauth (default) or keystone: Keystone 30 in
#                          front of Cinder (tools/stack/lib/part-keystone.sh);
#                          when unset, keeps what the stack was brought up with
#   NFS                    1 (default) or 0: the NFS backend on a bind-mounted
#                          folder and the Nova emulator (part-nfs.sh);
#                          NFS_STOCK=1 adds Cinder's own NFS driver beside
#                          it (benchmarks); both remembered like DB
#   PEER                   1 (default) or 0: a second Cinder deployment on
#                          the same Ceph pool (tools/stack/lib/part-peer.sh);
#                          unset, keeps what the stack was last brought up with
#   THREADING              0 (default) or 1: every Cinder service on native
#                          threads (OS_CINDER_DISABLE_EVENTLET_PATCHING),
#                          cinder-api under gunicorn; remembered like DB
#   CLUSTER                0 (default) or 1: an active-active cluster
#                          (part-cluster.sh): Redis as the DLM, two
#                          cinder-volume members of one cluster on RBD,
#                          NFS in a volume service of its own, two
#                          cinder-backup and two cinder-api workers;
#                          remembered like DB
#   POSIX_BACKUP           1 (default) or 0: with BACKUP=ceph, a second
#                          cinder-backup with the posix driver in
#                          availability zone 'posix' (part-posix-backup.sh);
#                          unset, keeps what the stack was last brought up with
#   LVM                    0 (default) or 1: an LVM storage node, a qemu
#                          guest under TCG running cinder-volume with
#                          backends lvm-thick and lvm-thin (part-lvm.sh);
#                          remembered like DB
#
# Host-level changes, all needed by the packages or by os-brick: Debian
# packages, RabbitMQ's Erlang cookie in /var/lib/rabbitmq, and the
# symlink /etc/ceph/ceph.client.cinder.keyring into the state directory.

set -eu -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for _lib in slot settings; do
    # shellcheck disable=SC1090
    . "$REPO/tools/stack/lib/$_lib.sh"
done

# ---------------------------------------------------------------- libraries

# shellcheck source=tools/stack/lib/common.sh
# The core (common install rabbitmq redis db ceph cinder_conf cinder), the
# commands (inspect commands), then the optional parts. A part plugs in by
# defining functions named after these hooks (hook_up_nfs, ...), each of
# which checks itself whether it is enabled:
#   hook_packages_*       print Debian packages to install
#   hook_backends_*       print volume backend names (enabled_backends)
#   hook_conf_default_*   print lines for cinder.conf [DEFAULT]
#   hook_conf_sections_*  print whole cinder.conf sections
#   hook_up_*             start what must run before Cinder starts
#   hook_ready_*          configure once Cinder is ready (types, ...)
#   hook_down_*           stop or undo, after Cinder has stopped
#   hook_running_*        fail when the part should run but does not
# and, for a part that changes the shape of Cinder itself (part-cluster):
#   hook_coordination_url_*      print [coordination] backend_url
#   hook_api_workers_*           print the number of cinder-api workers
#   hook_volume_args_*           print extra arguments of cinder-volume
#   hook_main_volume_backends_*  print the backends cinder-volume serves
#   hook_service_hosts_*         print "binary host" pairs to wait for
#   hook_cinder_records_*        print the pid records of extra services
#   hook_launch_*                start extra Cinder services
#   hook_rpc_up_*                fail until those services answer RPC
#   hook_restart_* SERVICE       restart its extra processes of SERVICE
#                                (upgrade-plugin's rolling order)
for _lib in common install rabbitmq redis db ceph cinder_conf cinder \
    inspect commands scenario lifecycle; do
    # shellcheck disable=SC1090
    . "$REPO/tools/stack/lib/$_lib.sh"
done
for _lib in "$REPO"/tools/stack/lib/part-*.sh; do
    [ -e "$_lib" ] || continue
    # shellcheck disable=SC1090
    . "$_lib"
done
unset _lib

usage() {
    sed -n '/^# Usage:/,/^# Host-level/p' "$0" | sed 's/^# \{0,1\}//' |
        head -n -1
}

main() {
    local cmd=${1:-help}
    [ $# -eq 0 ] || shift
    case $cmd in
        up)
            case ${1:-} in
                --no-wait) LVM_NO_WAIT=1 ;;
                '') ;;
                *) usage >&2; exit 2 ;;
            esac
            cmd_up
            ;;
        # The background job of 'up --no-wait' (tools/stack/lvm/ready.sh).
        lvm-ready) cmd_lvm_ready ;;
        down) cmd_down ;;
        status) cmd_status ;;
        logs) cmd_logs "$@" ;;
        demo) cmd_demo ;;
        stop) cmd_stop "$@" ;;
        start) cmd_start "$@" ;;
        remove-plugin) cmd_remove_plugin ;;
        uninstall) cmd_uninstall ;;
        downgrade-plugin) cmd_downgrade_plugin ;;
        upgrade-plugin) cmd_upgrade_plugin "$@" ;;
        upgrade) cmd_upgrade ;;
        help|-h|--help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
