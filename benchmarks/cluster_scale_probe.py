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

"""What a wave of benchmarks/cluster_scale.py costs the stack's servers.

CPU seconds of every process tools/stack.sh recorded (its tree, from
/proc), the machine's busy time (/proc/stat), the database's
transactions and connections (pg_stat_database) and the Ceph monitor's
Paxos commits (its admin socket), read before and after a wave, the
connections also sampled during it.
"""

import glob
import json
import os
import shutil
import subprocess
import threading
import time

import bench_stack

CLK_TCK = os.sysconf('SC_CLK_TCK')
CEPH = shutil.which('ceph') or '/usr/bin/ceph'
PG_SQL = ('SELECT xact_commit + xact_rollback, numbackends '
          'FROM pg_stat_database WHERE datname = current_database()')


def cpu_seconds(pid):
    """utime + stime of pid and of its children it waited for, 0 if gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    # Fields 14-17 of proc(5), counted from the state (field 3) here.
    return sum(int(v) for v in fields[11:15]) / CLK_TCK


def services(state):
    """Record name -> pid of what tools/stack.sh started (<state>/run)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(state, 'run', '*.pid'))):
        name = os.path.basename(path)[:-len('.pid')]
        try:
            found[name] = bench_stack.recorded_pid(state, name)
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_cpu(pid):
    return sum(cpu_seconds(p) for p in bench_stack.process_tree(pid))


def machine_busy():
    """(busy, total) jiffies of the whole machine since boot."""
    with open('/proc/stat') as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def mon_commits(state):
    """Paxos commits of the stack's monitor, None when not readable."""
    sock = os.path.join(state, 'ceph', 'run', 'ceph-mon.a.asok')
    try:
        out = subprocess.run(  # noqa: S603 (Debian's ceph CLI)
            [CEPH, '--admin-daemon', sock, 'perf', 'dump'],
            capture_output=True, text=True, timeout=30, check=True).stdout
        return int(json.loads(out)['paxos']['commit'])
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return None


class Probe:
    """Counters before and after a wave, connections sampled during it."""

    def __init__(self, state, db, every=2.0):
        self.state, self.db, self.every = state, db, every
        self.own_tx = 0         # transactions this probe itself made
        self.peak_backends = 0
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    def pg(self):
        import sqlalchemy
        with self.db.connect() as conn:
            row = conn.execute(sqlalchemy.text(PG_SQL)).one()
        with self._lock:
            self.own_tx += 1
        return int(row[0]), int(row[1])

    def snapshot(self):
        pids = services(self.state)
        tx, backends = self.pg()
        return {'at': time.monotonic(), 'machine': machine_busy(),
                'cpu': {n: tree_cpu(p) for n, p in pids.items()},
                'tx': tx, 'backends': backends,
                'mon': mon_commits(self.state)}

    def _sample(self):
        while not self._stop.wait(self.every):
            try:
                self.peak_backends = max(self.peak_backends, self.pg()[1])
            except Exception:  # noqa: S112 (a missed sample is no result)
                continue

    def __enter__(self):
        self.before = self.snapshot()
        self.peak_backends = self.before['backends']
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)
        self.after = self.snapshot()

    def result(self, benchmark_tx):
        """The wave's costs; benchmark_tx: the poller's own transactions."""
        b, a = self.before, self.after
        wall = a['at'] - b['at']
        busy = a['machine'][0] - b['machine'][0]
        total = a['machine'][1] - b['machine'][1]
        cpu = {n: a['cpu'][n] - b['cpu'].get(n, 0.0) for n in a['cpu']}
        theirs = (a['tx'] - b['tx']) - benchmark_tx - self.own_tx
        mon = (a['mon'] - b['mon'] if None not in (a['mon'], b['mon'])
               else None)
        return {'wall': wall, 'cpu': cpu,
                'machine_busy': busy / total if total else float('nan'),
                'tx_per_s': theirs / wall if wall else float('nan'),
                'backends_peak': self.peak_backends,
                'mon_commits': mon}
