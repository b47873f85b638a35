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

"""An active-active cluster under load: one volume member against two.

The stack of ``CLUSTER=1 tools/stack.sh up`` (two cinder-volume members
of one cluster on RBD, two cinder-backup, two API workers, Redis as the
DLM). Each flow is one worker of a thread pool doing, through Cinder's
REST API: create a 1 GiB volume, write a little data into it (rbd
bench), snapshot it, export the snapshot (unmanage), import it back
(manage), back the snapshot up, restore the backup to a new volume,
delete all of it. N flows (10, 25, 50) run at once, with both members
up and with one (cinder-volume-2 stopped; both cinder-backup services
stay up, see set_members); per wave: flows per minute, p50 / p95 of
each operation, CPU of each process of the stack, database
transactions per second and connections, the Ceph monitor's commits,
the load average. Statuses are read from the
database by one poller for every flow, so waiting adds no API load.

Usage: python benchmarks/cluster_scale.py [--flows 10,25,50]
       [--members 2,1] [--write-mib 4] [--step-deadline 600]
       [--http-timeout 120] [--doc PATH]
Environment: SNAPEXT_STACK_SLOT / SNAPEXT_STACK_DIR as for tools/stack.sh.

Over 300 lines on purpose: a benchmark is one command that a reader
checks top to bottom, method and numbers in one file.
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import assisted_snapshots as single
import bench_stack
import cluster_scale_probe as probe
import cluster_scale_report as report

OPS = report.OPS
POLL = 0.5
KINDS = ('volume', 'snapshot', 'backup')
RBD = shutil.which('rbd') or '/usr/bin/rbd'


class Cinder:
    """The stack's REST API (noauth) and a poller of the database."""

    def __init__(self, state, http_timeout):
        import sqlalchemy
        self.state, self.http_timeout = state, http_timeout
        conf = os.path.join(state, 'cinder.conf')
        port = single.conf_value(conf, 'DEFAULT', 'osapi_volume_listen_port')
        self.api = 'http://127.0.0.1:%s/v3' % port
        self.db = sqlalchemy.create_engine(
            single.conf_value(conf, 'database', 'connection'))
        self.ceph_conf = os.path.join(state, 'ceph', 'ceph.conf')
        self.watched = {k: set() for k in KINDS}
        self.seen = {k: {} for k in KINDS}
        self.cond = threading.Condition()
        self.polls = 0          # the poller's own database transactions
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def call(self, method, path, body=None, ok=(200, 202, 204)):
        return single.http_call(method, self.api + path, body, ok,
                                self.http_timeout)

    def _poll(self):
        import sqlalchemy
        sql = {k: sqlalchemy.text(
            'SELECT id, status, deleted FROM %ss WHERE id IN :ids' % k  # noqa: S608
            ).bindparams(sqlalchemy.bindparam('ids', expanding=True))
            for k in KINDS}
        while not self._stop.wait(POLL):
            with self.cond:
                ids = {k: list(v) for k, v in self.watched.items() if v}
            if not ids:
                continue
            try:
                with self.db.connect() as conn:
                    found = {k: {r.id: None if r.deleted else r.status
                                 for r in conn.execute(sql[k], {'ids': v})}
                             for k, v in ids.items()}
            except Exception as e:  # noqa: BLE001 (next poll tries again)
                print('poll: %s' % e, file=sys.stderr)
                continue
            with self.cond:
                self.polls += 1
                for k, v in ids.items():
                    for obj_id in v:
                        self.seen[k][obj_id] = found[k].get(obj_id)
                self.cond.notify_all()

    def wait(self, kind, obj_id, want, deadline):
        """Until obj_id's status is want (None: deleted), or raise."""
        end = time.monotonic() + deadline
        with self.cond:
            self.watched[kind].add(obj_id)
            self.seen[kind].pop(obj_id, '')
            try:
                while True:
                    now = self.seen[kind].get(obj_id, '')
                    if now == want:
                        return
                    if now and now != want and now.startswith('error'):
                        raise RuntimeError('%s %s is %s' % (kind, obj_id,
                                                            now))
                    left = end - time.monotonic()
                    if left <= 0:
                        raise RuntimeError('%s %s not %s within %gs (%s)' % (
                            kind, obj_id, want or 'gone', deadline, now))
                    self.cond.wait(left)
            finally:
                self.watched[kind].discard(obj_id)

    def close(self):
        self._stop.set()
        self._thread.join(10)


class Flow:
    """One worker's create -> ... -> delete, each step timed."""

    def __init__(self, cinder, name, args):
        self.c, self.name, self.args = cinder, name, args
        self.times = {}
        self.made = {'volume': [], 'snapshot': [], 'backup': []}
        self.exported = None        # (volume id, rbd snapshot name)
        self.error = None

    def step(self, op, fn):
        start = time.monotonic()
        try:
            result = fn()
        except Exception as e:
            raise RuntimeError('%s: %s' % (op, e)) from e
        self.times[op] = time.monotonic() - start
        return result

    def wait(self, kind, obj_id, want):
        self.c.wait(kind, obj_id, want, self.args.step_deadline)

    def run(self):
        started = time.monotonic()
        try:
            self._run()
        except Exception as e:  # noqa: BLE001 (recorded, then cleaned up)
            self.error = '%s: %s' % (self.name, e)
        finally:
            self.clean_up()
        self.total = time.monotonic() - started
        return self

    def _run(self):
        vol = self.step('create', self.create)
        if self.args.write_mib:
            self.step('write', lambda: self.write(vol))
        snap = self.step('snapshot', lambda: self.snapshot(vol))
        self.step('export', lambda: self.export(snap))
        snap = self.step('import', lambda: self.take_back())
        backup = self.step('backup', lambda: self.backup(vol, snap))
        self.step('restore', lambda: self.restore(backup))
        self.step('delete', self.delete_all)

    def create(self):
        _, body = self.c.call('POST', '/volumes', {'volume': {
            'size': 1, 'name': self.name, 'volume_type': 'ceph'}})
        vol = body['volume']['id']
        self.made['volume'].append(vol)
        self.wait('volume', vol, 'available')
        return vol

    def write(self, vol):
        subprocess.run(  # noqa: S603 (Debian's rbd CLI, fixed args)
            [RBD, '-c', self.c.ceph_conf, 'bench', '--io-type', 'write',
             '--io-size', '1M', '--io-total', '%dM' % self.args.write_mib,
             '--io-pattern', 'rand', 'volumes/volume-%s' % vol],
            capture_output=True, check=True, timeout=self.args.step_deadline)

    def snapshot(self, vol):
        _, body = self.c.call('POST', '/snapshots', {'snapshot': {
            'volume_id': vol, 'name': self.name}})
        snap = body['snapshot']['id']
        self.made['snapshot'].append(snap)
        self.wait('snapshot', snap, 'available')
        return snap

    def export(self, snap):
        vol = self.made['volume'][0]
        self.c.call('POST', '/snapshots/%s/action' % snap,
                    {'os-unmanage': None})
        self.exported = (vol, 'snapshot-%s' % snap)
        self.wait('snapshot', snap, None)
        self.made['snapshot'].remove(snap)

    def take_back(self):
        vol, ref = self.exported
        _, body = self.c.call('POST', '/manageable_snapshots', {'snapshot': {
            'volume_id': vol, 'ref': {'source-name': ref},
            'name': self.name}})
        snap = body['snapshot']['id']
        self.exported = None
        self.made['snapshot'].append(snap)
        self.wait('snapshot', snap, 'available')
        return snap

    def backup(self, vol, snap):
        _, body = self.c.call('POST', '/backups', {'backup': {
            'volume_id': vol, 'snapshot_id': snap, 'name': self.name}})
        backup = body['backup']['id']
        self.made['backup'].append(backup)
        self.wait('backup', backup, 'available')
        self.wait('snapshot', snap, 'available')
        return backup

    def restore(self, backup):
        _, body = self.c.call('POST', '/backups/%s/restore' % backup,
                              {'restore': {'name': self.name + '-restored'}})
        vol = body['restore']['volume_id']
        self.made['volume'].append(vol)
        self.wait('volume', vol, 'available')
        self.wait('backup', backup, 'available')

    def delete_all(self):
        # Backups, then snapshots, then volumes; restored volume last of
        # all volumes is not needed: they are independent images.
        for kind in ('backup', 'snapshot', 'volume'):
            ids = list(self.made[kind])
            for obj_id in ids:
                self.c.call('DELETE', '/%ss/%s' % (kind, obj_id))
            for obj_id in ids:
                self.wait(kind, obj_id, None)
                self.made[kind].remove(obj_id)

    def clean_up(self):
        """After a failure: take the export back, delete what is left."""
        if self.exported:
            try:
                self.take_back()
            except Exception as e:  # noqa: BLE001
                self.note('take back: %s' % e)
        for kind in ('backup', 'snapshot', 'volume'):
            for obj_id in list(self.made[kind]):
                try:
                    self.wait(kind, obj_id, self.settled(kind, obj_id))
                    self.c.call('DELETE', '/%ss/%s' % (kind, obj_id),
                                ok=(202, 204, 404))
                    self.wait(kind, obj_id, None)
                    self.made[kind].remove(obj_id)
                except Exception as e:  # noqa: BLE001
                    self.note('clean-up %s %s: %s' % (kind, obj_id, e))

    def settled(self, kind, obj_id):
        code, body = self.c.call('GET', '/%ss/%s' % (kind, obj_id),
                                 ok=(200, 404))
        status = body[kind]['status'] if code == 200 else None
        if status and status.startswith('error'):
            # Cinder deletes an object in error; reset nothing.
            return status
        return None if status is None else 'available'

    def note(self, text):
        self.error = (self.error or self.name) + '; ' + text


def set_members(state, count, deadline):
    """Both volume members up (2), or cinder-volume-2 stopped (1).

    Both cinder-backup services stay up: Cinder 29's scheduler keeps
    placing backups on a backup service that stopped reporting (it
    never forgets one), so a stopped one would fail backups rather than
    leave the other to carry them. The cluster's volume queue needs no
    such care: a stopped member just stops consuming from it.
    """
    env = bench_stack.stack_env(state, SNAPEXT_STACK_TIMEOUT=str(deadline))
    subprocess.run(  # noqa: S603 (this repository's own tool)
        [os.path.join(bench_stack.REPO, 'tools', 'stack.sh'),
         'start' if count == 2 else 'stop', 'volume-2'],
        env=env, check=True, timeout=deadline)


def wave(cinder, state, members, n, args, run_id):
    """n flows at once; their times, errors and the servers' costs."""
    names = ['scale-%s-%dm-%d-%d' % (run_id, members, n, i)
             for i in range(n)]
    load_start = report.loadavg()
    polls_start = cinder.polls
    with probe.Probe(state, cinder.db) as costs:
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            flows = list(pool.map(
                lambda name: Flow(cinder, name, args).run(), names))
        wall = time.monotonic() - start
    result = {
        'members': members, 'flows': n, 'wall': wall,
        'ok': sum(1 for f in flows if not f.error),
        'times': {op: [f.times[op] for f in flows if op in f.times]
                  for op in OPS},
        'flow_times': [f.total for f in flows if not f.error],
        'errors': [f.error for f in flows if f.error],
        'load': '%s / %s' % (load_start, report.loadavg()),
        'costs': costs.result(cinder.polls - polls_start)}
    print(report.wave_line(result), flush=True)
    return result


def named(cinder, run_id):
    """Kind -> ids of the Cinder objects this run named."""
    found = {}
    for kind in KINDS:
        _, body = cinder.call('GET', '/%ss?all_tenants=1' % kind)
        found[kind] = [o['id'] for o in body['%ss' % kind]
                       if (o.get('name') or '').startswith('scale-' + run_id)]
    return found


def sweep(cinder, run_id, args):
    """Delete what a flow could not: one whose create answer timed out."""
    flow = Flow(cinder, 'sweep', args)
    found = named(cinder, run_id)
    flow.made = {kind: list(ids) for kind, ids in found.items()}
    flow.clean_up()
    return found


def leftovers(cinder, state, run_id):
    """What this run left: Cinder objects by name, images in the pools."""
    found = ['%s %s' % (kind, i)
             for kind, ids in named(cinder, run_id).items() for i in ids]
    conf = os.path.join(state, 'ceph', 'ceph.conf')
    for pool in ('volumes', 'backups'):
        for sub in ([], ['trash']):
            out = subprocess.run(  # noqa: S603 (Debian's rbd CLI)
                [RBD, '-c', conf] + sub + ['ls', pool], text=True,
                capture_output=True, check=True, timeout=60).stdout.split()
            found += ['rbd %s%s/%s' % (pool, ' trash' if sub else '', name)
                      for name in out]
    return found


def main():
    bench_stack.in_stack_venv()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--flows', default='10,25,50',
                        help='flows in parallel, one wave each')
    parser.add_argument('--members', default='2,1',
                        help='volume (and backup) members, in this order')
    parser.add_argument('--write-mib', type=int, default=4,
                        help='MiB written into each volume (0: none)')
    parser.add_argument('--step-deadline', type=float, default=600.0,
                        help='seconds for each step of a flow')
    parser.add_argument('--http-timeout', type=float, default=120.0,
                        help='seconds for the API to answer one request')
    parser.add_argument('--doc', default=os.path.join(
        bench_stack.REPO, 'doc', 'source', 'benchmarks', 'cluster-scale.rst'))
    parser.add_argument('--from-raw', metavar='JSON',
                        help="write the page again from a run's record "
                        '(<state>/logs/bench-cluster-scale-*.json), '
                        'running nothing')
    args = parser.parse_args()
    if args.from_raw:
        with open(args.from_raw) as f:
            raw = json.load(f)
        print(report.write_doc(
            args.doc, raw['waves'], raw.get('errors', []), raw['elapsed'],
            argparse.Namespace(**raw.get('args', vars(args))),
            when=os.path.getmtime(args.from_raw)))
        return 0
    state = bench_stack.state_dir()
    try:
        with open(os.path.join(state, 'cluster', 'enabled')) as f:
            clustered = f.read().strip() == '1'
    except OSError:
        clustered = False
    if not clustered:
        sys.exit('bring the stack up with CLUSTER=1 tools/stack.sh up first')
    cinder = Cinder(state, args.http_timeout)
    run_id = time.strftime('%H%M%S')
    raw = os.path.join(state, 'logs', 'bench-cluster-scale-%s.json' % run_id)
    started = time.time()
    waves, errors = [], []
    try:
        for members in [int(m) for m in args.members.split(',')]:
            set_members(state, members, 300)
            for n in [int(c) for c in args.flows.split(',')]:
                waves.append(wave(cinder, state, members, n, args, run_id))
                with open(raw, 'w') as f:
                    json.dump({'waves': waves}, f, default=str)
    except Exception as e:  # noqa: BLE001 (the page says what was run)
        errors.append('run stopped: %s' % e)
    try:
        set_members(state, 2, 300)
    except Exception as e:  # noqa: BLE001
        errors.append('members not started again: %s' % e)
    swept = sweep(cinder, run_id, args)
    if any(swept.values()):
        errors.append('deleted at the end, named by the run but not by a '
                      'flow that finished: %s' % ', '.join(
                          '%s %s' % (kind, i)
                          for kind, ids in swept.items() for i in ids))
    left = leftovers(cinder, state, run_id)
    cinder.close()
    errors += ['left behind: %s' % ', '.join(left)] if left else []
    elapsed = time.time() - started
    with open(raw, 'w') as f:
        json.dump({'waves': waves, 'errors': errors, 'elapsed': elapsed,
                   'args': vars(args)}, f, default=str)
    text = report.write_doc(args.doc, waves, errors, elapsed, args)
    print(text)
    print('raw: %s; page written to %s' % (raw, args.doc))
    return 1 if errors or any(w['errors'] for w in waves) else 0


if __name__ == '__main__':
    sys.exit(main())
