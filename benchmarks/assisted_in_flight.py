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

"""Many assisted snapshots in flight at once, ours vs Cinder 29's, on NFS.

The stack of benchmarks/assisted_snapshots.py (tools/stack.sh with
NFS_STOCK=1: backend ``nfs`` runs cinder-snapext's driver, ``nfs_stock``
Cinder 29's NfsDriver, under one volume manager, the emulated Nova of
tools/stack/nova_emulator.py). For each count N (10, 50, 100) and each
backend in turn, N attached volumes are sent an online snapshot create at
the same moment, then, once all are settled, N deletes at the same moment.
Per wave: the HTTP answer time of the requests and of Nova's callbacks,
5xx answers, the time from each final callback to the snapshot row being
``available`` or deleted (one clock: the emulator's send time and the
row's updated_at / deleted_at), greenthreads asleep in the driver and
volume locks held while Nova works, database transactions per second
while Nova works (pg_stat_database, against the idle rate measured just
before) and the stock driver's polls, and whether every snapshot settles
(``available`` / gone, or ``error`` with a user message) by a deadline.

Usage: python benchmarks/assisted_in_flight.py [--counts 10,50,100]
       [--nova 10] [--deadline 300] [--doc PATH]
Environment: SNAPEXT_STACK_SLOT / SNAPEXT_STACK_DIR as for tools/stack.sh.

Over 300 lines on purpose: a benchmark is one command that a reader
checks top to bottom, method and numbers in one file.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import re
import sys
import threading
import time

import assisted_in_flight_report as report
import assisted_snapshots as single
import bench_stack

BACKENDS = single.BACKENDS
SETTLED = {'create': ('available', 'error'),
           'delete': ('error_deleting', 'error', None)}
# Where cinder-volume starts ours' completion: the volume's lock, asked
# for by the manager's *_snapshot_assisted_complete (debug log).
PICKUP = re.compile(r'^(\S+ \S+) \d+ DEBUG cinder\.coordination .*Acquiring '
                    r'lock "[^"]*/cinder-nfs-([0-9a-f-]{36})" by '
                    r'"(create|delete)_snapshot_assisted_complete"')
TX_SQL = ('SELECT xact_commit + xact_rollback FROM pg_stat_database '
          'WHERE datname = current_database()')


class Wave:
    """N creates or deletes sent at once on one backend, then awaited."""

    def __init__(self, stack, backend, op, targets, nova, deadline):
        self.stack, self.backend, self.op = stack, backend, op
        self.targets = targets      # volume ids (create), snapshot ids
        self.nova, self.deadline = nova, deadline
        self.answers, self.codes, self.snapshots = [], [], []
        self.lock = threading.Lock()

    def transactions(self):
        import sqlalchemy
        with self.stack.db.connect() as conn:
            return conn.execute(sqlalchemy.text(TX_SQL)).scalar()

    def send(self, target, gate):
        gate.wait(60)
        if self.op == 'create':
            method, path, body = 'POST', '/snapshots', {'snapshot': {
                'volume_id': target, 'name': 'inflight', 'force': True}}
        else:
            method, path, body = 'DELETE', '/snapshots/%s' % target, None
        start = time.monotonic()
        try:
            code, answer = self.stack.cinder(method, path, body, ok=None)
        except OSError as e:
            code, answer = 'no answer (%s)' % e, None
        took = time.monotonic() - start
        with self.lock:
            self.answers.append(took)
            self.codes.append(code)
            if self.op == 'delete':
                self.snapshots.append(target)
            elif code == 202:
                self.snapshots.append(answer['snapshot']['id'])

    def run(self):
        """Send, look while Nova works, wait for every snapshot to settle."""
        idle_start, idle_tx = time.monotonic(), self.transactions()
        time.sleep(3)
        idle = (self.transactions() - idle_tx) / (time.monotonic() -
                                                  idle_start)
        log = os.path.join(self.stack.state, 'logs', 'cinder-volume.log')
        log_start = os.path.getsize(log)
        gate = threading.Barrier(len(self.targets) + 1)
        sent_at = time.time()
        pool = concurrent.futures.ThreadPoolExecutor(len(self.targets))
        for target in self.targets:
            pool.submit(self.send, target, gate)
        gate.wait(60)
        pool.shutdown(wait=True)
        answered = time.time()
        # Nova works until sent_at + nova x 0.9 at the earliest: once the
        # wave is with Nova (or half of that is gone), count transactions
        # and look, without polling the database ourselves meanwhile.
        window_end = sent_at + self.nova * 0.9
        with_nova = self.with_nova(sent_at + self.nova / 2)
        tx_start, tx_from = self.transactions(), time.time()
        look = None
        if self.op == 'create' and with_nova:
            look = self.look(with_nova)
        time.sleep(max(0.0, window_end - time.time()))
        span = time.time() - tx_from
        busy = ((self.transactions() - tx_start) / span if span >= 1
                else float('nan'))
        rows = self.wait_settled()
        return {
            'backend': self.backend, 'op': self.op,
            'count': len(self.targets), 'answers': self.answers,
            'codes': [str(c) for c in self.codes],
            'send_s': answered - sent_at, 'look': look,
            'tx_idle': idle, 'tx_nova': busy, 'tx_span': span,
            'polls': single.stock_polls(self.stack.state, log_start),
            **self.outcome(rows, self.pickups(log, log_start))}

    def at_nova(self):
        """Volumes of this wave whose snapshot Nova works on now.

        From the emulator's record: asking the database would add to what
        is counted.
        """
        return {e['volume_id'] for e in self.stack.emulator(
            'GET', '/emulator/events')['events']
            if e['snapshot_id'] in self.snapshots and e['op'] == self.op
            and not e['callbacks']}

    def with_nova(self, until):
        """Requests of this wave Nova works on, once all are or at until."""
        while True:
            count = len(self.at_nova())
            if count >= len(self.snapshots) or time.time() >= until:
                return count
            time.sleep(0.25)

    def look(self, with_nova):
        pids = single.backend_pids(self.stack.state)
        # Locks of the volumes Nova works on only: a create still in its
        # begin holds its volume's lock for that begin, by design.
        volumes = {self.backend: [(v, None) for v in self.at_nova()]}
        parked = single.threads_waiting(
            self.stack.state, {self.backend: pids[self.backend]},
            'eventlet', volumes)[self.backend]
        # (at Nova, in driver, asleep, locks held, greenthreads, native)
        return (with_nova,) + tuple(parked)

    def rows(self):
        import sqlalchemy
        sql = sqlalchemy.text(
            'SELECT id, status, deleted, updated_at, deleted_at '
            'FROM snapshots WHERE id IN :ids').bindparams(
                sqlalchemy.bindparam('ids', expanding=True))
        with self.stack.db.connect() as conn:
            return {r.id: r for r in conn.execute(
                sql, {'ids': self.snapshots})}

    def settled(self, row):
        status = None if row.deleted else row.status
        return status in SETTLED[self.op]

    def wait_settled(self):
        end = time.monotonic() + self.deadline
        while True:
            rows = self.rows() if self.snapshots else {}
            if all(self.settled(r) for r in rows.values()):
                return rows
            if time.monotonic() > end:
                return rows
            time.sleep(0.5)

    def pickups(self, log, start):
        """Volume id -> when cinder-volume began ours' completion."""
        found = {}
        with open(log) as f:
            f.seek(start)
            for line in f:
                m = PICKUP.match(line)
                if m and m.group(3) == self.op:
                    when = datetime.datetime.strptime(
                        m.group(1), '%Y-%m-%d %H:%M:%S.%f')
                    found.setdefault(m.group(2), single.epoch(when))
        return found

    def outcome(self, rows, pickups):
        """Done latencies, statuses, and the user messages of errors.

        queued: from the API's answer to Nova's callback (its cast sent)
        to cinder-volume beginning ours' completion (none for stock).
        """
        events = {}
        for e in self.stack.emulator('GET', '/emulator/events')['events']:
            if e['op'] == self.op and e['snapshot_id'] in rows:
                events[e['snapshot_id']] = e
        done, callbacks, statuses, errored, queued = [], [], {}, [], []
        for snapshot_id, row in rows.items():
            status = 'deleted' if row.deleted else row.status
            statuses[status] = statuses.get(status, 0) + 1
            if status.startswith('error'):
                errored.append(snapshot_id)
            event = events.get(snapshot_id)
            if not event or not event['callbacks']:
                continue
            last = event['callbacks'][-1]
            callbacks.append((last['answered'] - last['sent'],
                              str(last['code'])))
            finished = row.deleted_at if row.deleted else (
                row.updated_at if status == 'available' else None)
            if finished is not None:
                done.append(single.epoch(finished) - last['sent'])
            picked = pickups.get(event['volume_id'])
            if picked is not None:
                queued.append(picked - last['answered'])
        stuck = sum(1 for r in rows.values() if not self.settled(r))
        five_xx = sum(1 for c in self.codes + [c for _, c in callbacks]
                      if not str(c).isdigit() or int(c) >= 500)
        final = {i: 'deleted' if r.deleted else r.status
                 for i, r in rows.items()}
        return {'done': done, 'callbacks': callbacks, 'statuses': statuses,
                'stuck': stuck, 'errored': errored, 'five_xx': five_xx,
                'queued': queued,
                'snapshot_ids': list(self.snapshots), 'final': final,
                'messages': self.messages(errored)}

    def messages(self, snapshot_ids):
        """User messages (Cinder's messages table) for these snapshots."""
        if not snapshot_ids:
            return 0
        import sqlalchemy
        sql = sqlalchemy.text(
            'SELECT count(DISTINCT resource_uuid) FROM messages '
            'WHERE resource_uuid IN :ids AND deleted = false').bindparams(
                sqlalchemy.bindparam('ids', expanding=True))
        with self.stack.db.connect() as conn:
            return conn.execute(sql, {'ids': snapshot_ids}).scalar()


def volumes_for(stack, count, run_id):
    """count attached volumes (each with a first snapshot) per backend."""
    names = [(b, 'inflight-%s-%s-%d' % (run_id, b, i))
             for b in BACKENDS for i in range(count)]
    found = {b: [] for b in BACKENDS}
    errors = []
    # A few at a time: this is set-up, not the measured burst.
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        futures = {pool.submit(single.attached_volume, stack, b, n): b
                   for b, n in names}
        for future in concurrent.futures.as_completed(futures):
            try:
                found[futures[future]].append(future.result())
            except Exception as e:
                errors.append('set-up: %s' % e)
    return found, errors


def run(stack, args, run_id, raw):
    counts = [int(c) for c in args.counts.split(',')]
    stack.emulator('DELETE', '/emulator/behaviour')
    stack.emulator('PUT', '/emulator/behaviour', {'delay': 0.1})
    print('set-up: %d attached volumes per backend' % max(counts),
          flush=True)
    volumes, errors = volumes_for(stack, max(counts), run_id)
    waves = []
    try:
        stack.emulator('PUT', '/emulator/behaviour',
                       {'delay': args.nova, 'jitter': args.jitter})
        for n in counts:
            # Alternate which backend goes first, so neither always
            # meets the other's tail.
            order = BACKENDS if len(waves) % 4 == 0 else BACKENDS[::-1]
            for backend in order:
                ids = [v for v, _ in volumes[backend][:n]]
                if len(ids) < n:
                    errors.append('%s: only %d volumes for %d in flight'
                                  % (backend, len(ids), n))
                    continue
                create = Wave(stack, backend, 'create', ids, args.nova,
                              args.deadline).run()
                keep(raw, waves, create)
                time.sleep(single.SETTLE)
                ready = [s for s in create['snapshot_ids']
                         if create['final'].get(s) == 'available']
                if ready:
                    delete = Wave(stack, backend, 'delete', ready, args.nova,
                                  args.deadline).run()
                    keep(raw, waves, delete)
    finally:
        stack.emulator('PUT', '/emulator/behaviour', {'delay': 0.1})
        clean_up(stack, volumes)
        stack.emulator('DELETE', '/emulator/behaviour')
    return waves, errors


def keep(raw, waves, wave):
    """Record a wave at once: a failure later loses nothing measured."""
    waves.append(wave)
    print(report.wave_line(wave), flush=True)
    with open(raw, 'w') as f:
        json.dump({'waves': waves}, f, default=str)


def clean_up(stack, volumes):
    """Detach every volume, then delete them with their snapshots.

    assisted_snapshots.clean_up, a few volumes at a time: one by one,
    200 volumes took longer than every wave together.
    """
    for backend in BACKENDS:
        for _, attachment_id in volumes[backend]:
            try:
                stack.cinder('DELETE', '/attachments/%s' % attachment_id,
                             ok=None)
            except OSError as e:
                print('clean-up: %s' % e, file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        for backend in BACKENDS:
            for volume in volumes[backend]:
                pool.submit(single.clean_up, stack,
                            {'nfs': [volume], 'nfs_stock': []})


def main():
    bench_stack.in_stack_venv()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--counts', default='10,50,100',
                        help='snapshots in flight at once, per wave')
    parser.add_argument('--nova', type=float, default=20.0,
                        help='seconds the emulated Nova takes')
    parser.add_argument('--jitter', type=float, default=0.1)
    parser.add_argument('--deadline', type=float, default=300.0,
                        help='seconds for every snapshot of a wave to '
                        'settle after the last request was answered')
    parser.add_argument('--no-stack-up', action='store_true')
    parser.add_argument('--doc', default=os.path.join(
        single.REPO, 'doc', 'source', 'benchmarks',
        'assisted-in-flight.rst'))
    args = parser.parse_args()
    state = bench_stack.state_dir()
    if bench_stack.stack_mode(state) != 'eventlet':
        sys.exit('the stack runs on native threads: bring it up with '
                 'THREADING=0 (this benchmark counts greenthreads)')
    if not args.no_stack_up:
        single.ensure_stack(state, 'eventlet')
    run_id = time.strftime('%H%M%S')
    started, load_start = time.time(), report.loadavg()
    raw = os.path.join(state, 'logs', 'bench-in-flight-%s.json' % run_id)
    waves, errors = run(single.Stack(state), args, run_id, raw)
    elapsed = time.time() - started
    with open(raw, 'w') as f:
        json.dump({'waves': waves, 'errors': errors, 'elapsed': elapsed},
                  f, default=str)
    load = '%s then %s' % (load_start, report.loadavg())
    text = report.write_doc(args.doc, waves, errors, elapsed, args, load)
    print(text)
    print('raw: %s; page written to %s' % (raw, args.doc))
    bad = errors or any(w['stuck'] or w['five_xx'] for w in waves)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
