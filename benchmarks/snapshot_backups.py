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

"""Incremental backups of RBD snapshots: Cinder 29's Ceph driver vs ours.

One command, on a running stack (``tools/stack.sh up``, BACKUP=ceph)::

  SNAPEXT_STACK_SLOT=N tools/stack.sh up
  .stack-N/venv/bin/python benchmarks/snapshot_backups.py --stack .stack-N

Run with the stack's venv Python (it needs Debian's rados/rbd modules and
Cinder). Two parts:

1. Backup data path. For each driver: a 2 GiB RBD volume filled with
   data, snapshot S1, a full backup of the volume, 1 % of the volume
   rewritten (4 MiB extents at spread offsets), snapshot S2, then the
   measured step: an incremental backup of S2 (its parent is the full
   backup). Measured: wall time from ``cinder backup-create`` to
   ``available``, then how much later the backup's restore point exists
   (ours takes it after reporting the backup done), bytes the backups
   pool received (RADOS pool write counter, read once it has settled) and
   the bytes the new backup image holds itself. Stock Cinder runs in a
   second cinder-backup process on host ``<host>-stock`` with
   ``backup_driver =
   cinder.backup.drivers.ceph.CephBackupDriver`` and the stack's own
   cinder.conf otherwise, serving an availability zone of its own
   (``--availability-zone`` on its backups sends them there).
2. Parent selection. N = 10, 100, 1,000 available backups of one volume
   inserted into the stack's database; the median time of Cinder 29's
   scan (every backup row of the volume loaded as an object, the newest
   data older than the snapshot kept) and of our single query.

Prints a reStructuredText table of each part.

Over 300 lines on purpose: a benchmark is one command that a reader
checks top to bottom, method and numbers in one file.
"""

import argparse
import configparser
import datetime
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import types
import urllib.request
import uuid

import bench_stack

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK = 4 * MiB
POLL = 0.5
# Polling of the measured backup: over HTTP from this process when the
# stack runs without Keystone (a CLI call costs a second of Python start-up
# on a busy host, which would swamp a backup of a few seconds).
FAST_POLL = 0.05
STOCK_DRIVER = 'cinder.backup.drivers.ceph.CephBackupDriver'
STOCK_AZ = 'bench-stock'


class Stack:
    """The stack's files, its cinder CLI and its Ceph, as an operator."""

    def __init__(self, state):
        self.state = os.path.abspath(state)
        self.venv = os.path.join(self.state, 'venv')
        self.conf_file = os.path.join(self.state, 'cinder.conf')
        self.conf = configparser.ConfigParser(interpolation=None,
                                              strict=False)
        self.conf.read(self.conf_file)
        self.host = self.conf.get('DEFAULT', 'host')
        self.env = dict(os.environ)
        with open(os.path.join(self.state, 'openrc')) as f:
            for line in f:
                if line.startswith('export ') and '=' in line:
                    key, value = line[len('export '):].strip().split('=', 1)
                    if key != 'PATH':
                        self.env[key] = value
        self.mode = bench_stack.stack_mode(self.state)
        self.ceph_conf = self.env['CEPH_CONF']
        self.ceph_id = self.env.get('SNAPEXT_CEPH_ID', 'cinder')

    def cinder(self, *args, check=True):
        proc = subprocess.run(  # noqa: S603 (the stack's own CLI)
            ['timeout', '120', os.path.join(self.venv, 'bin', 'cinder')] +
            list(args), env=self.env, capture_output=True, text=True)
        if check and proc.returncode:
            sys.exit('cinder %s failed: %s%s' % (' '.join(args), proc.stdout,
                                                  proc.stderr))
        return proc.stdout

    def api(self, method, path, body=None):
        """One request to the volume API, or None without noauth."""
        if self.env.get('OS_AUTH_TYPE') != 'noauth':
            return None
        request = urllib.request.Request(  # noqa: S310 (the stack's API)
            self.env['CINDER_ENDPOINT'].rstrip('/') + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={'X-Auth-Token': '%s:%s' % (self.env['OS_USER_ID'],
                                                self.env['OS_PROJECT_ID']),
                     'OpenStack-API-Version': 'volume %s' % self.env.get(
                         'OS_VOLUME_API_VERSION', '3.71'),
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa
            return json.loads(answer.read())

    def service_seconds(self, log_name, backup_id):
        """'Create backup started' to 'finished' in a cinder-backup log."""
        return self.marks(log_name, backup_id).get('finished')

    def marks(self, log_name, backup_id):
        """When the service logged each step of a backup of ours, in s.

        Seconds after "Create backup started": 'source' (our manager has
        the volume service's answer: the snapshot is read in place),
        'driver' (our driver logged the bytes it moved, its image and
        the backup's row saved), 'finished' (Cinder's _finish_backup).
        """
        patterns = {'started': 'Create backup started',
                    'source': ' in place.', 'driver': 'bytes moved in',
                    'finished': 'Create backup finished'}
        stamps = {}
        path = os.path.join(self.state, 'logs', log_name)
        with open(path, errors='replace') as f:
            for line in f:
                if backup_id not in line:
                    continue
                for mark, text in patterns.items():
                    if text in line:
                        stamps[mark] = datetime.datetime.strptime(
                            line[:23], '%Y-%m-%d %H:%M:%S.%f')
        if 'started' not in stamps:
            return {}
        return {mark: (at - stamps['started']).total_seconds()
                for mark, at in stamps.items() if mark != 'started'}

    def copy_seconds(self, log_name, backup_id):
        """The diff and copy's seconds our driver logged, or None."""
        path = os.path.join(self.state, 'logs', log_name)
        with open(path, errors='replace') as f:
            for line in f:
                found = re.search(r'bytes moved in ([\d.]+) s', line)
                if found and backup_id in line:
                    return float(found.group(1))
        return None

    def show(self, kind, obj_id):
        cmd = {'volume': 'show', 'snapshot': 'snapshot-show',
               'backup': 'backup-show'}[kind]
        return properties(self.cinder(cmd, obj_id))


def properties(text):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('|') and len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def wait(what, probe, timeout=900):
    end = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > end:
            sys.exit('%s: not reached within %ss' % (what, timeout))
        time.sleep(POLL)


def wait_status(stack, kind, obj_id, status, timeout=900):
    def probe():
        obj = stack.show(kind, obj_id)
        if obj['status'].startswith('error'):
            sys.exit('%s %s: %s (%s)' % (kind, obj_id, obj['status'],
                                         obj.get('fail_reason')))
        return obj if obj['status'] == status else None
    return wait('%s %s %s' % (kind, obj_id, status), probe, timeout)


# -- Ceph ---------------------------------------------------------------

class Ceph:
    def __init__(self, stack):
        import rados
        import rbd
        self.rbd = rbd
        self.cluster = rados.Rados(conffile=stack.ceph_conf,
                                   rados_id=stack.ceph_id)
        self.cluster.connect(timeout=30)

    def pool_written(self, pool):
        """Bytes written to pool so far, once the counter has settled.

        The counter comes from the OSDs' periodic reports to the manager:
        read until three reads two seconds apart agree.
        """
        with self.cluster.open_ioctx(pool) as ioctx:
            seen = []
            end = time.monotonic() + 120
            while time.monotonic() < end:
                seen.append(ioctx.get_stats()['num_wr_kb'])
                if len(seen) >= 3 and len(set(seen[-3:])) == 1:
                    return seen[-1] * 1024
                time.sleep(2)
            return seen[-1] * 1024

    def fill(self, image, seed):
        rnd = random.Random(seed)  # noqa: S311 (test data, not secrets)
        with self.cluster.open_ioctx('volumes') as ioctx, \
                self.rbd.Image(ioctx, image) as img:
            for off in range(0, img.size(), CHUNK):
                img.write(rnd.randbytes(CHUNK), off)
            img.flush()

    def rewrite(self, image, fraction, seed):
        """Rewrite fraction of the image in 4 MiB extents, spread out."""
        rnd = random.Random(seed)  # noqa: S311 (test data, not secrets)
        with self.cluster.open_ioctx('volumes') as ioctx, \
                self.rbd.Image(ioctx, image) as img:
            count = max(1, int(img.size() * fraction) // CHUNK)
            step = img.size() // count
            for i in range(count):
                img.write(rnd.randbytes(CHUNK), i * step)
            img.flush()
        return count * CHUNK

    def poke(self, image, length, seed):
        """Rewrite length bytes in the middle of the image."""
        rnd = random.Random(seed)  # noqa: S311 (test data, not secrets)
        with self.cluster.open_ioctx('volumes') as ioctx, \
                self.rbd.Image(ioctx, image) as img:
            img.write(rnd.randbytes(length), img.size() // 2)
            img.flush()
        return length

    def own_bytes(self, image):
        """Bytes allocated in an image of the backups pool, parent aside."""
        total = []
        with self.cluster.open_ioctx('backups') as ioctx, \
                self.rbd.Image(ioctx, image, read_only=True) as img:
            img.diff_iterate(0, img.size(), None,
                             lambda o, n, e: total.append(n if e else 0),
                             include_parent=False)
        return sum(total)

    def remove(self, pool, name):
        with self.cluster.open_ioctx(pool) as ioctx:
            with self.rbd.Image(ioctx, name) as img:
                for snap in list(img.list_snaps()):
                    img.remove_snap(snap['name'])
            self.rbd.RBD().remove(ioctx, name)

    def restore_point_delay(self, volume_id, backup_id, timeout):
        """Seconds from now until backup_id has its restore point, or None.

        Polled every FAST_POLL seconds on the volume's backup images.
        """
        prefix = 'backup.%s.snap.' % backup_id
        t0 = time.monotonic()
        while True:
            with self.cluster.open_ioctx('backups') as ioctx:
                for name in self.rbd.RBD().list(ioctx):
                    if volume_id not in name:
                        continue
                    with self.rbd.Image(ioctx, name, read_only=True) as img:
                        if any(snap['name'].startswith(prefix)
                               for snap in img.list_snaps()):
                            return time.monotonic() - t0
            if time.monotonic() - t0 >= timeout:
                return None
            time.sleep(FAST_POLL)

    def images(self, pool):
        with self.cluster.open_ioctx(pool) as ioctx:
            return set(self.rbd.RBD().list(ioctx))

    def sha256(self, pool, image, snap):
        digest = hashlib.sha256()
        with self.cluster.open_ioctx(pool) as ioctx, \
                self.rbd.Image(ioctx, image, snapshot=snap,
                               read_only=True) as img:
            for off in range(0, img.size(), CHUNK):
                digest.update(img.read(off, min(CHUNK, img.size() - off)))
        return digest.hexdigest()


# -- part 1: the data path --------------------------------------------------

def start_backup_service(stack, suffix, az, driver=None, snapext=None):
    """A second cinder-backup on host <host>-<suffix>; returns it.

    It serves an availability zone of its own: Cinder's scheduler places a
    backup on any backup service of the requested zone (the volume's by
    default), and ignores a disabled flag. driver: Cinder's own driver and
    manager instead of the stack's; snapext: [snapext] options.
    """
    override = os.path.join(stack.state, 'bench-%s-backup.conf' % suffix)
    lines = ['[DEFAULT]', 'host = %s-%s' % (stack.host, suffix),
             'storage_availability_zone = %s' % az,
             'log_file = cinder-backup-%s.log' % suffix]
    if driver:
        lines += ['backup_driver = %s' % driver,
                  'backup_manager = cinder.backup.manager.BackupManager']
    if snapext:
        lines += ['[snapext]'] + ['%s = %s' % kv for kv in snapext.items()]
    with open(override, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    proc = subprocess.Popen(  # noqa: S603 (the stack's own service)
        [os.path.join(stack.venv, 'bin', 'cinder-backup'), '--config-file',
         stack.conf_file, '--config-file', override],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env=bench_stack.service_env(stack.mode))
    return proc


def start_stock_backup(stack):
    """Cinder's own driver in a cinder-backup of its own; returns it."""
    return start_backup_service(stack, 'stock', STOCK_AZ, driver=STOCK_DRIVER)


def service_up(stack, host):
    out = stack.cinder('service-list', '--binary', 'cinder-backup')
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip('|').split('|')]
        if len(cells) > 4 and cells[1] == host:
            return cells[3] == 'enabled' and cells[4] == 'up'
    return False


def stop_stock_backup(stack, proc, suffix='stock'):
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    subprocess.run(  # noqa: S603 (the stack's own tool)
        [os.path.join(stack.venv, 'bin', 'cinder-manage'), '--config-file',
         stack.conf_file, 'service', 'remove', 'cinder-backup',
         '%s-%s' % (stack.host, suffix)], env=stack.env, capture_output=True,
        check=False)


def backup(stack, volume_id, name, *args):
    out = stack.cinder('backup-create', '--name', name, *args, volume_id)
    backup_id = properties(out)['id']
    t0 = time.monotonic()
    shown = wait_status(stack, 'backup', backup_id, 'available')
    return backup_id, time.monotonic() - t0, shown


def measured_backup(stack, volume_id, name, snapshot_id, az=None,
                    incremental=True):
    """The measured backup of a snapshot, timed over HTTP.

    From just before the API request to the first answer ``available``,
    polled every FAST_POLL seconds; through the CLI (POLL) when the stack
    has Keystone in front.
    """
    body = {'backup': {'volume_id': volume_id, 'name': name,
                       'incremental': incremental,
                       'snapshot_id': snapshot_id}}
    if az:
        body['backup']['availability_zone'] = az
    t0 = time.monotonic()
    created = stack.api('POST', '/backups', body)
    if created is None:
        return backup(stack, volume_id, name,
                      *(('--incremental',) if incremental else ()),
                      '--snapshot-id', snapshot_id,
                      *(('--availability-zone', az) if az else ()))
    backup_id = created['backup']['id']
    end = t0 + 900
    while True:
        shown = stack.api('GET', '/backups/%s' % backup_id)['backup']
        if shown['status'] == 'available':
            elapsed = time.monotonic() - t0
            break
        if shown['status'].startswith('error') or time.monotonic() > end:
            sys.exit('backup %s: %s (%s)' % (backup_id, shown['status'],
                                             shown.get('fail_reason')))
        time.sleep(FAST_POLL)
    return backup_id, elapsed, {'is_incremental': str(
        shown['is_incremental'])}


def chain(stack, ceph, label, size_gib, fraction, verify, az=None,
          service=None, ours=None, rewrite_bytes=None, pid=None):
    """The measured chain on one volume; returns its figures.

    az: the availability zone of a second backup service (stock Cinder by
    default), service: its host suffix and log name, ours: whether it
    takes restore points after the backup (our driver), rewrite_bytes:
    rewrite that many bytes in the middle instead of fraction, pid: the
    process of the backup service that serves az (the stack's
    cinder-backup by default), whose native threads are sampled.
    """
    if service is None and az:
        service = 'stock'
    if ours is None:
        ours = az is None
    az_args = ('--availability-zone', az) if az else ()
    run = uuid.uuid4().hex[:6]
    vol_id = properties(stack.cinder(
        'create', '--name', 'bench-%s-%s' % (label, run),
        str(size_gib)))['id']
    wait_status(stack, 'volume', vol_id, 'available')
    image = 'volume-%s' % vol_id
    ceph.fill(image, 'bench-fill')
    snaps = []
    s1 = properties(stack.cinder('snapshot-create', '--name',
                                 'bench-s1-%s' % run, vol_id))['id']
    wait_status(stack, 'snapshot', s1, 'available')
    snaps.append(s1)
    full_id, full_s, _ = backup(stack, vol_id, 'bench-full-%s' % run,
                                *az_args)
    wait_status(stack, 'volume', vol_id, 'available')
    if rewrite_bytes:
        rewritten = ceph.poke(image, rewrite_bytes, 'bench-rewrite')
    else:
        rewritten = ceph.rewrite(image, fraction, 'bench-rewrite')
    s2 = properties(stack.cinder('snapshot-create', '--name',
                                 'bench-s2-%s' % run, vol_id))['id']
    wait_status(stack, 'snapshot', s2, 'available')
    snaps.append(s2)

    before_images = ceph.images('backups')
    before = ceph.pool_written('backups')
    if pid is None:
        pid = bench_stack.recorded_pid(stack.state, 'cinder-backup')
    with bench_stack.ThreadPeak(pid) as threads:
        incr_id, incr_s, shown = measured_backup(
            stack, vol_id, 'bench-incr-%s' % run, s2, az)
    # Ours reports the backup available before its restore point (an RBD
    # snapshot, one monitor commit) exists; Cinder's takes it before.
    point_s = ceph.restore_point_delay(vol_id, incr_id,
                                       timeout=60 if ours else 0)
    written = ceph.pool_written('backups') - before
    new_images = sorted(ceph.images('backups') - before_images)
    held = sum(ceph.own_bytes(i) for i in new_images)
    log_name = 'cinder-backup%s.log' % ('-' + service if service else '')
    result = {'driver': label, 'mode': stack.mode,
              'threads': threads.peak, 'volume_bytes': size_gib * GiB,
              'rewritten': rewritten, 'full_s': full_s,
              'incr_s': incr_s, 'point_s': point_s,
              'written': written, 'held': held,
              'service_s': stack.service_seconds(log_name, incr_id),
              'copy_s': stack.copy_seconds(log_name, incr_id),
              'marks': stack.marks(log_name, incr_id),
              'load': os.getloadavg(),
              'is_incremental': shown['is_incremental'],
              'images': new_images}
    if verify and new_images:
        result['verified'] = verify_restore_point(
            ceph, image, 'snapshot-%s' % s2, new_images)
    for backup_id in (incr_id, full_id):
        stack.cinder('backup-delete', backup_id)
        wait('backup %s deleted' % backup_id,
             lambda b=backup_id: b not in stack.cinder('backup-list'))
    for snap in snaps:
        stack.cinder('snapshot-delete', snap)
        wait('snapshot %s deleted' % snap,
             lambda s=snap: s not in stack.cinder('snapshot-list'))
    stack.cinder('delete', vol_id)
    # What deleting the backups left in the backups pool: Cinder's driver
    # deletes a snapshot backup that has a parent from the parent's base
    # image and leaves its own. Removed here so that runs do not pile up.
    result['left'] = sorted(i for i in ceph.images('backups') if vol_id in i)
    result['left_bytes'] = sum(ceph.own_bytes(i) for i in result['left'])
    for name in result['left']:
        ceph.remove('backups', name)
    return result


def verify_restore_point(ceph, image, snap, backup_images):
    want = ceph.sha256('volumes', image, snap)
    for name in backup_images:
        with ceph.cluster.open_ioctx('backups') as ioctx, \
                ceph.rbd.Image(ioctx, name, read_only=True) as img:
            points = [s['name'] for s in img.list_snaps()]
        for point in points or [None]:
            if ceph.sha256('backups', name, point) == want:
                return True
    return False


def sweep(stack):
    """Delete what an interrupted run left (names bench-*)."""
    for kind, listing, delete in (('backup', 'backup-list', 'backup-delete'),
                                  ('snapshot', 'snapshot-list',
                                   'snapshot-delete'),
                                  ('volume', 'list', 'delete')):
        # Cinder refuses to delete a backup that has dependent backups,
        # and the listing's order does not always put them first (two
        # made in the same second): passes until a pass deletes nothing.
        while True:
            ids = [line.split('|')[1].strip()
                   for line in stack.cinder(listing).splitlines()
                   if '| bench-' in line]
            # The CLI says "Delete for <kind> <id> failed: ..." when Cinder
            # refuses; success prints nothing for snapshots.
            accepted = [obj_id for obj_id in ids if 'failed' not in
                        stack.cinder(delete, obj_id, check=False)]
            for obj_id in accepted:
                wait('%s %s deleted' % (kind, obj_id),
                     lambda o=obj_id, li=listing: o not in stack.cinder(li))
            if not accepted:
                break


def data_path(stack, size_gib, fraction, verify):
    ceph = Ceph(stack)
    stock_host = '%s-stock' % stack.host
    proc = start_stock_backup(stack)
    results = []
    try:
        wait('stock cinder-backup up', lambda: service_up(stack, stock_host),
             timeout=180)
        # The scheduler places backups once the service reported a working
        # driver (backup_driver_stats_polling_interval, 10 s on the stack).
        time.sleep(20)
        sweep(stack)
        results.append(chain(stack, ceph, 'stock', size_gib, fraction,
                             verify, STOCK_AZ, pid=proc.pid))
        results.append(chain(stack, ceph, 'snapext', size_gib, fraction,
                             verify))
    finally:
        stop_stock_backup(stack, proc)
    return results


# -- part 2: parent selection ----------------------------------------------

def parent_selection(stack, sizes, repeat):
    from cinder.common import config  # noqa: F401 (options before parsing)
    from cinder import context
    from cinder.db import api as db_api
    from cinder import objects
    from oslo_config import cfg

    from cinder_snapext.backup import parent

    cfg.CONF(['--config-file', stack.conf_file], project='cinder')
    objects.register_all()
    ctxt = context.get_admin_context()
    ctxt.project_id = 'bench-%s' % uuid.uuid4().hex[:8]
    volume_id = str(uuid.uuid4())
    base = datetime.datetime(2026, 1, 1)
    snapshot_time = base + datetime.timedelta(hours=1)
    # Cinder's objects hold aware times, its rows naive UTC ones.
    snapshot_aware = snapshot_time.replace(tzinfo=datetime.UTC)
    oldest = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
    volume = types.SimpleNamespace(id=volume_id)
    snapshot = types.SimpleNamespace(id=str(uuid.uuid4()),
                                     created_at=snapshot_time)
    rows = []
    results = []
    try:
        for n in sizes:
            while len(rows) < n:
                i = len(rows)
                rows.append(db_api.backup_create(ctxt, {
                    'volume_id': volume_id, 'project_id': ctxt.project_id,
                    'user_id': 'bench', 'status': 'available',
                    'size': 1, 'display_name': 'bench-%d' % i,
                    # Half of them predate the snapshot.
                    'data_timestamp': base + datetime.timedelta(
                        seconds=7200 * i / n),
                    'service': STOCK_DRIVER}).id)

            def stock():
                # What Cinder 29's backup API does to find the parent.
                backups = objects.BackupList.get_all_by_volume(
                    ctxt, volume_id, ctxt.project_id,
                    filters={'project_id': ctxt.project_id})
                return max(backups.objects, key=lambda b: (
                    b.data_timestamp if b.status == 'available' and
                    b.data_timestamp < snapshot_aware else oldest))

            def ours():
                # All that SnapextBackupAPI adds: the legacy-row fill (an
                # UPDATE) and the query.
                return parent.check_incremental_parent(ctxt, volume,
                                                       snapshot)

            if stock().id != ours().id:
                sys.exit('the two selections disagree at %d backups' % n)
            timings = {}
            for label, func in (('stock', stock), ('snapext', ours)):
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    func()
                    samples.append(time.perf_counter() - t0)
                timings[label] = statistics.median(samples)
            results.append((n, timings['stock'], timings['snapext']))
    finally:
        for backup_id in rows:
            db_api.backup_destroy(ctxt, backup_id)
    return results


# -- output -------------------------------------------------------------

def table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    line = ' '.join('=' * w for w in widths)
    out = [line, ' '.join(str(c).ljust(w)
                          for c, w in zip(header, widths)).rstrip(), line]
    out += [' '.join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
            for row in rows]
    return '\n'.join(out + [line])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stack', default=os.environ.get(
        'SNAPEXT_STACK_DIR', '.stack'))
    parser.add_argument('--size-gib', type=int, default=2)
    parser.add_argument('--changed', type=float, default=0.01)
    parser.add_argument('--no-verify', action='store_true')
    parser.add_argument('--skip-data-path', action='store_true')
    parser.add_argument('--repeat', type=int, default=15)
    parser.add_argument('--modes', default='eventlet,threading',
                        help='run the data path with the Cinder services in '
                        'each of these modes (tools/stack.sh THREADING=0 or '
                        '1), the stack restarted between them')
    args = parser.parse_args(argv)
    try:
        modes = bench_stack.parse_modes(args.modes)
    except ValueError as e:
        parser.error(str(e))
    stack = Stack(args.stack)
    print('date: %s, machine: %s, %s CPUs' % (
        datetime.datetime.now(datetime.UTC).isoformat(
            timespec='seconds'), os.uname().nodename, os.cpu_count()))
    if not args.skip_data_path:
        results = []
        first = stack.mode
        try:
            for mode in modes:
                if mode != stack.mode:
                    bench_stack.switch_mode(stack.state, mode)
                    stack.mode = mode
                results += data_path(stack, args.size_gib, args.changed,
                                     not args.no_verify)
        finally:
            if stack.mode != first:
                bench_stack.switch_mode(stack.state, first)
        print(json.dumps(results, indent=1))
        print(table(
            ['mode', 'driver', 'incremental of S2', 'is_incremental',
             'backups pool written (MiB)', 'held by new image (MiB)',
             'wall time (s)', 'restore point after (s)',
             'backup service (s)', 'native threads (peak)',
             'full backup (s)', 'restore point OK',
             'left after delete (MiB)', 'load average'],
            [[r['mode'], r['driver'], '%d GiB, %.1f MiB changed' % (
                r['volume_bytes'] // GiB, r['rewritten'] / MiB),
              r['is_incremental'], '%.1f' % (r['written'] / MiB),
              '%.1f' % (r['held'] / MiB), '%.2f' % r['incr_s'],
              '-' if r['point_s'] is None else '%.2f' % r['point_s'],
              '%.2f' % r['service_s'] if r['service_s'] else '-',
              r['threads'], '%.1f' % r['full_s'], r.get('verified', '-'),
              '%.0f' % (r['left_bytes'] / MiB),
              '%.1f' % r['load'][0]]
             for r in results]))
    # The parent query runs here, in this process: the same in both modes.
    sel = parent_selection(stack, [10, 100, 1000], args.repeat)
    print(table(['backups of the volume', 'Cinder 29 scan (ms)',
                 'cinder-snapext query (ms)'],
                [[n, '%.2f' % (s * 1000), '%.2f' % (o * 1000)]
                 for n, s, o in sel]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
