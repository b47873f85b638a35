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

"""Assisted snapshots: Nova's last callback to done, ours vs Cinder 29's.

One stack (tools/stack.sh, brought up with NFS_STOCK=1 when needed) has
two NFS backends under the same volume manager: ``nfs`` (cinder-snapext's
driver, completed by Nova's callback) and ``nfs_stock`` (Cinder 29's
NfsDriver, which polls the database). Attached volumes of both take
online snapshots side by side while tools/stack/nova_emulator.py plays
Nova with a given duration. For each snapshot create and delete we take
the time from the emulator sending its final status callback to the
database row saying ``available`` (its ``updated_at``) or deleted
(``deleted_at``): the same clock, no polling error. While Nova works, a
Guru Meditation Report of each cinder-volume backend process counts the
greenthreads parked in a driver's wait for Nova, /proc/locks the volume
locks held, /proc the native threads; the stock driver's database polls
are counted in its log. With ``--modes eventlet,threading`` (the
default) the whole run is made twice, the Cinder services on eventlet
and then on native threads (tools/stack.sh THREADING=0, then 1); on
native threads the native threads asleep in the kernel's nanosleep
replace the report's greenthreads (see threads_waiting).

Usage: python benchmarks/assisted_snapshots.py [--durations 0.1,5,30,90]
       [--rounds 4,3,2,2] [--volumes 5] [--modes eventlet,threading]
       [--doc PATH]
Environment: SNAPEXT_STACK_SLOT / SNAPEXT_STACK_DIR as for tools/stack.sh.

Over 300 lines on purpose: a benchmark is one command that a reader
checks top to bottom, method and numbers in one file.
"""

import argparse
import datetime
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import assisted_snapshots_report as report
import bench_stack

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
BACKENDS = ('nfs', 'nfs_stock')
HEADERS = {'Content-Type': 'application/json', 'Accept': 'application/json',
           'X-Auth-Token': 'admin:admin',
           'OpenStack-API-Version': 'volume 3.71'}
CONNECTOR = {'initiator': 'iqn.2026-11.bench:snapext', 'ip': '127.0.0.1',
             'host': 'ci', 'platform': 'x86_64', 'os_type': 'linux',
             'multipath': False}
POLL = 0.25
STAGGER = 0.5
SETTLE = 3.0
# A greenthread with a frame in a volume driver while Nova works waits
# for Nova there.
WAIT_FRAMES = ('/cinder/volume/drivers/', '/cinder_snapext/volume/drivers/')
SLEEP_FRAME = '/eventlet/greenthread.py:'  # ... in sleep
# Guru Meditation Report layout: "====  Green Threads  ====" sections,
# "------  Green Thread  ------" between threads.
SECTION = {'eventlet': re.compile(r'\n=+\s+Green Threads\s+=+\n')}
ANY_HEADER = re.compile(r'\n=+\s+[A-Z][\w ]*?\s+=+\n')
THREAD_RULE = {'eventlet': re.compile(r'-{6}\s+Green Thread\s+-{6}')}
STOCK_POLL_LOG = re.compile(r'(Status of snapshot \S+ is now creating|'
                            r'status of snapshot \S+ is still "deleting")')


def http_call(method, url, body=None, ok=(200, 202, 204), timeout=60):
    """(status, decoded JSON answer); raises when status is not in ok."""
    data = None if body is None else json.dumps(body).encode()
    # Only the stack's own http:// endpoints, read from cinder.conf.
    req = urllib.request.Request(url, data=data,  # noqa: S310
                                 method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            code, text = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        code, text = e.code, e.read()
    if ok and code not in ok:
        raise RuntimeError('%s %s: HTTP %s %s' % (method, url, code,
                                                  text[:300]))
    return code, (json.loads(text) if text else None)


def conf_value(conf, section, key):
    current = None
    with open(conf) as f:
        for line in f:
            line = line.strip()
            if line.startswith('['):
                current = line.strip('[]')
            elif current == section and line.startswith(key + ' ='):
                return line.split('=', 1)[1].strip()
    return None


class Stack:
    """The stack's API, emulated Nova and database, as this run uses them."""

    def __init__(self, state):
        import sqlalchemy
        self.state = state
        conf = os.path.join(state, 'cinder.conf')
        port = conf_value(conf, 'DEFAULT', 'osapi_volume_listen_port')
        self.api = 'http://127.0.0.1:%s/v3' % port
        self.nova = conf_value(conf, 'nova', 'endpoint').rsplit('/v2.1', 1)[0]
        self.db = sqlalchemy.create_engine(
            conf_value(conf, 'database', 'connection'))
        self.sql = sqlalchemy.text(
            'SELECT status, updated_at, deleted_at FROM snapshots '
            'WHERE id = :id')
        self.status_sql = {kind: sqlalchemy.text(
            'SELECT status, deleted FROM %ss WHERE id = :id' % kind)  # noqa: S608
            for kind in ('volume', 'snapshot')}

    def call(self, method, url, body=None, ok=(200, 202, 204)):
        return http_call(method, url, body, ok)

    def cinder(self, method, path, body=None, ok=(200, 202, 204)):
        return self.call(method, self.api + path, body, ok)

    def emulator(self, method, path, body=None):
        return self.call(method, self.nova + path, body)[1]

    def row(self, snapshot_id):
        with self.db.connect() as conn:
            return conn.execute(self.sql, {'id': snapshot_id}).one()

    def wait(self, what, probe, timeout):
        end = time.monotonic() + timeout
        while True:
            found = probe()
            if found:
                return found
            if time.monotonic() > end:
                raise RuntimeError('%s: not within %ss' % (what, timeout))
            time.sleep(POLL)

    def status(self, kind, obj_id):
        # From the database: polling through the API would load the very
        # process that handles Nova's callbacks.
        with self.db.connect() as conn:
            row = conn.execute(self.status_sql[kind],
                               {'id': obj_id}).one_or_none()
        return None if row is None or row.deleted else row.status

    def wait_status(self, kind, obj_id, status, timeout):
        def probe():
            now = self.status(kind, obj_id)
            if now != status and (now is None or now.startswith('error')):
                raise RuntimeError('%s %s is %s' % (kind, obj_id, now))
            return now == status
        self.wait('%s %s %s' % (kind, obj_id, status), probe, timeout)

    def wait_gone(self, kind, obj_id, timeout):
        def probe():
            now = self.status(kind, obj_id)
            if now and now.startswith('error'):
                raise RuntimeError('%s %s is %s' % (kind, obj_id, now))
            return now is None
        self.wait('%s %s gone' % (kind, obj_id), probe, timeout)

    def callback_sent(self, snapshot_id, op):
        events = [e for e in self.emulator(
            'GET', '/emulator/events?snapshot_id=%s' % snapshot_id)['events']
            if e['op'] == op and e['callbacks']]
        return events[-1]['callbacks'][-1]['sent'] if events else None


def epoch(db_time):
    return db_time.replace(tzinfo=datetime.UTC).timestamp()


def attached_volume(stack, backend, name):
    _, body = stack.cinder('POST', '/volumes', {'volume': {
        'size': 1, 'volume_type': backend, 'name': name}})
    volume_id = body['volume']['id']
    stack.wait_status('volume', volume_id, 'available', 120)
    _, body = stack.cinder('POST', '/attachments', {'attachment': {
        'volume_uuid': volume_id, 'connector': CONNECTOR, 'mode': 'rw'}})
    attachment_id = body['attachment']['id']
    stack.cinder('POST', '/attachments/%s/action' % attachment_id,
                 {'os-complete': None})
    stack.wait_status('volume', volume_id, 'in-use', 60)
    # A first snapshot stays under the measured ones, so deleting those
    # pulls a small overlay rather than flattening the whole volume.
    _, body = stack.cinder('POST', '/snapshots', {'snapshot': {
        'volume_id': volume_id, 'name': name + '-anchor', 'force': True}})
    stack.wait_status('snapshot', body['snapshot']['id'], 'available', 120)
    return volume_id, attachment_id


def snapshot_cycle(stack, volume_id, name, duration):
    """One online create and delete; seconds from callback to done."""
    _, body = stack.cinder('POST', '/snapshots', {'snapshot': {
        'volume_id': volume_id, 'name': name, 'force': True}})
    snapshot_id = body['snapshot']['id']
    stack.wait_status('snapshot', snapshot_id, 'available', duration + 120)
    row = stack.row(snapshot_id)
    create = epoch(row.updated_at) - stack.callback_sent(snapshot_id,
                                                         'create')
    # A delete sent the moment the snapshot reads 'available' can meet
    # the create's phase still open (it closes just after) and be
    # refused, leaving the snapshot 'creating': settle first.
    time.sleep(SETTLE)
    stack.cinder('DELETE', '/snapshots/%s' % snapshot_id)
    stack.wait_gone('snapshot', snapshot_id, duration + 120)
    row = stack.row(snapshot_id)
    delete = epoch(row.deleted_at) - stack.callback_sent(snapshot_id,
                                                         'delete')
    return create, delete


def backend_pids(state):
    """cinder-volume's child process of each backend (by its driver)."""
    with open(os.path.join(state, 'run', 'cinder-volume.pid')) as f:
        parent = f.read().split()[0]
    children = set()
    for pid in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % pid) as f:
                if f.read().rsplit(')', 1)[1].split()[1] == parent:
                    children.add(pid)
        except (OSError, IndexError):
            continue
    drivers = {}
    pattern = re.compile(r'^\S+ \S+ (\d+) INFO cinder\.volume\.manager .*'
                         r'Starting volume driver (\w+)')
    with open(os.path.join(state, 'logs', 'cinder-volume.log')) as f:
        for line in f:
            m = pattern.match(line)
            if m and m.group(1) in children:
                drivers[m.group(1)] = m.group(2)
    return {'nfs': [p for p, d in drivers.items() if d == 'SnapextNfsDriver'],
            'nfs_stock': [p for p, d in drivers.items() if d == 'NfsDriver']}


def threads_waiting(state, pids, mode, volumes):
    """Count each backend process's waiters while Nova works.

    Per backend: (threads in a driver, of them asleep, volume locks held,
    threads of the report, native threads). On eventlet a Guru Meditation
    Report of each process tells the first two and the fourth. On native
    threads such a report deadlocked a cinder-volume process (its signal
    handler's garbage collection waited for a lock while a psycopg2 call
    of another thread waited for the GIL), so nothing is asked of the
    process: a native thread counts as asleep when the kernel has it in
    nanosleep (time.sleep), and where it waits is not known ('-').
    """
    out = os.path.join(state, 'logs', 'cinder-volume.out')
    found = {}
    for backend, procs in pids.items():
        inside = sleeping = listed = native = 0
        for pid in procs:
            native += bench_stack.os_threads(int(pid))
            if mode == 'threading':
                sleeping += sum(1 for w in task_waits(pid) if 'nanosleep' in w)
                continue
            start = os.path.getsize(out)
            os.kill(int(pid), signal.SIGUSR2)
            time.sleep(2)
            with open(out) as f:
                f.seek(start)
                report = f.read()
            section = SECTION[mode].split(report, 1)[-1]
            section = ANY_HEADER.split(section, 1)[0]
            threads = THREAD_RULE[mode].split(section)[1:]
            listed += len(threads)
            for thread in threads:
                if not any(w in thread for w in WAIT_FRAMES):
                    continue
                inside += 1
                sleeping += SLEEP_FRAME in thread
        if mode == 'threading':
            inside = listed = '-'
        found[backend] = (inside, sleeping,
                          volume_locks(state, volumes[backend]), listed,
                          native)
    return found


def task_waits(pid):
    """Where the kernel has each thread of a process wait (wchan)."""
    waits = []
    for tid in os.listdir('/proc/%s/task' % pid):
        try:
            with open('/proc/%s/task/%s/wchan' % (pid, tid)) as f:
                waits.append(f.read())
        except OSError:
            continue
    return waits


def volume_locks(state, volume_ids):
    """Lock files of these volumes that someone holds (/proc/locks).

    Cinder's per-volume locks are file locks under the stack's lock and
    coordination folders; open file description locks carry no pid, so
    a lock is told by its file's inode and its volume by the file name.
    """
    with open('/proc/locks') as f:
        inodes = {int(line.split()[5].rsplit(':', 1)[1]) for line in f
                  if len(line.split()) > 5}
    held = 0
    for folder in ('locks', 'coordination'):
        folder = os.path.join(state, 'cinder', folder)
        for name in os.listdir(folder) if os.path.isdir(folder) else ():
            if not any(v in name for v, _ in volume_ids):
                continue
            try:
                held += os.stat(os.path.join(folder, name)).st_ino in inodes
            except OSError:
                continue
    return held


def with_nova(stack, backend_of, since):
    """Creates that Nova (the emulator) works on now, per backend."""
    count = dict.fromkeys(BACKENDS, 0)
    for event in stack.emulator('GET', '/emulator/events')['events']:
        if (event['op'] == 'create' and not event['callbacks'] and
                event['received'] >= since and not event['error'] and
                event['volume_id'] in backend_of):
            count[backend_of[event['volume_id']]] += 1
    return count


def stock_polls(state, start):
    count = 0
    with open(os.path.join(state, 'logs', 'cinder-volume.log')) as f:
        f.seek(start)
        for line in f:
            count += bool(STOCK_POLL_LOG.search(line))
    return count


# Set when the run is interrupted: workers stop after their cycle.
STOP = threading.Event()


def run_duration(stack, volumes, duration, rounds, run_id, jitter, mode):
    """Every volume of both backends cycles rounds times, staggered."""
    stack.emulator('PUT', '/emulator/behaviour', {'delay': duration,
                                                  'jitter': jitter})
    samples = {b: {'create': [], 'delete': []} for b in BACKENDS}
    errors = []
    lock = threading.Lock()

    def worker(backend, volume_id, index):
        time.sleep(index * STAGGER)
        for r in range(rounds):
            if STOP.is_set():
                return
            try:
                c, d = snapshot_cycle(stack, volume_id, 'bench-%s-%s-%g-%d-%d'
                                      % (run_id, backend, duration, index, r),
                                      duration)
            except Exception as e:
                with lock:
                    errors.append('%s %s: %s' % (backend, volume_id, e))
                return
            with lock:
                samples[backend]['create'].append(c)
                samples[backend]['delete'].append(d)

    log_file = os.path.join(stack.state, 'logs', 'cinder-volume.log')
    log_start = os.path.getsize(log_file)
    round_start = time.time()
    threads = []
    for backend in BACKENDS:
        for index, (volume_id, _) in enumerate(volumes[backend]):
            threads.append(threading.Thread(target=worker, args=(
                backend, volume_id, index), daemon=True))
    for t in threads:
        t.start()
    held = None
    backend_of = {v: b for b in BACKENDS for v, _ in volumes[b]}
    overlap = (len(volumes['nfs']) - 1) * STAGGER
    if duration >= 5:
        # Look once the most creates are with Nova, or at mid-wait.
        end = time.monotonic() + overlap + duration / 2
        now = with_nova(stack, backend_of, round_start)
        while (time.monotonic() < end and
               sum(now.values()) < len(backend_of)):
            time.sleep(POLL)
            now = with_nova(stack, backend_of, round_start)
        parked = threads_waiting(stack.state, backend_pids(stack.state),
                                 mode, volumes)
        # (creates with Nova, threads in a driver, of them asleep, volume
        # locks held, threads in the report, native threads)
        held = {b: (now[b],) + parked[b] for b in BACKENDS}
    for t in threads:
        while t.is_alive():
            t.join(1)
    return {'samples': samples, 'errors': errors, 'held': held,
            'stock_polls': stock_polls(stack.state, log_start)}


def ensure_stack(state, mode):
    """The stack up in mode with both NFS backends (a no-op when it runs)."""
    bench_stack.switch_mode(state, mode, NFS='1', NFS_STOCK='1')
    driver = conf_value(os.path.join(state, 'cinder.conf'), 'nfs',
                        'volume_driver')
    if not driver.startswith('cinder_snapext.'):
        sys.exit('backend nfs runs %s, not cinder-snapext\'s driver: '
                 'nothing to compare' % driver)


def run_mode(stack, args, mode, durations, rounds, run_id):
    """Every duration with the services in mode; [(mode, duration, r)]."""
    STOP.clear()
    volumes = {b: [] for b in BACKENDS}
    results = []
    try:
        stack.emulator('DELETE', '/emulator/behaviour')
        stack.emulator('PUT', '/emulator/behaviour', {'delay': 0.1})
        for backend in BACKENDS:
            for i in range(args.volumes):
                volumes[backend].append(attached_volume(
                    stack, backend, 'bench-%s-%s-%d' % (run_id, backend, i)))
        for duration, count in zip(durations, rounds):
            print('%s, Nova %gs: %d cycles on each of %d volumes per backend'
                  % (mode, duration, count, args.volumes), flush=True)
            result = run_duration(stack, volumes, duration, count, run_id,
                                  args.jitter, mode)
            results.append((mode, duration, result))
            for backend in BACKENDS:
                for op in ('create', 'delete'):
                    values = result['samples'][backend][op]
                    print('  ' + report.row_text(backend, op, values),
                          flush=True)
            print('  held while Nova works: %s; stock DB polls: %d; '
                  'errors: %s' % (result['held'], result['stock_polls'],
                                  result['errors'] or 'none'), flush=True)
    finally:
        STOP.set()
        for t in threading.enumerate():
            if t is not threading.current_thread():
                t.join(300)
        clean_up(stack, volumes)
        stack.emulator('DELETE', '/emulator/behaviour')
    return results


def main():
    bench_stack.in_stack_venv()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--durations', default='0.1,5,30,90')
    parser.add_argument('--rounds', default='4,3,3,2',
                        help='cycles per volume at each duration')
    parser.add_argument('--volumes', type=int, default=3,
                        help='attached volumes per backend')
    parser.add_argument('--doc', default=os.path.join(
        REPO, 'doc', 'source', 'benchmarks', 'assisted-snapshots.rst'))
    parser.add_argument('--jitter', type=float, default=0.1,
                        help='each Nova duration is drawn from duration x '
                        '(1 +/- jitter)')
    parser.add_argument('--modes', default='eventlet,threading',
                        help='run everything with the Cinder services in '
                        'each of these modes (THREADING=0 or 1), in turn')
    parser.add_argument('--no-stack-up', action='store_true')
    args = parser.parse_args()
    durations = [float(d) for d in args.durations.split(',')]
    rounds = [int(r) for r in args.rounds.split(',')]
    if len(rounds) != len(durations):
        parser.error('--rounds needs one count per duration')
    try:
        modes = bench_stack.parse_modes(args.modes)
    except ValueError as e:
        parser.error(str(e))
    state = bench_stack.state_dir()
    first = bench_stack.stack_mode(state)
    if args.no_stack_up and modes != [first]:
        parser.error('--no-stack-up: the stack runs in %s mode only' % first)
    run_id = time.strftime('%H%M%S')
    started = time.time()
    load_start = report.loadavg()
    results = []
    try:
        for mode in modes:
            if not args.no_stack_up:
                ensure_stack(state, mode)
            results += run_mode(Stack(state), args, mode, durations, rounds,
                                run_id)
    finally:
        if bench_stack.stack_mode(state) != first:
            ensure_stack(state, first)
    elapsed = time.time() - started
    table = '%s\n\n%s' % (report.latency_table(results),
                           report.held_table(results))
    print(table)
    raw = os.path.join(state, 'logs', 'bench-assisted-%s.json' % run_id)
    with open(raw, 'w') as f:
        json.dump({'results': results, 'elapsed': elapsed}, f, default=str)
    load = '%s then %s' % (load_start, report.loadavg())
    report.write_doc(args.doc, table, results, elapsed, args, load, SETTLE)
    print('raw samples: %s; table written to %s' % (raw, args.doc))
    return 1 if any(r['errors'] for _, _, r in results) else 0


def clean_up(stack, volumes):
    """Detach first: the rest then takes Cinder's offline paths."""
    for backend in BACKENDS:
        for volume_id, attachment_id in volumes[backend]:
            stack.cinder('DELETE', '/attachments/%s' % attachment_id,
                         ok=None)
    for backend in BACKENDS:
        for volume_id, _ in volumes[backend]:
            try:
                stack.wait_status('volume', volume_id, 'available', 60)
                stack.cinder('DELETE', '/volumes/%s?cascade=True'
                             % volume_id)
                stack.wait_gone('volume', volume_id, 120)
            except RuntimeError as e:
                print('clean-up: %s' % e, file=sys.stderr)


if __name__ == '__main__':
    sys.exit(main())
