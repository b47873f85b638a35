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

"""Snapshot backups against what the backups pool can write (rados bench).

One command, on a running stack (``tools/stack.sh up``, BACKUP=ceph)::

  SNAPEXT_STACK_SLOT=N tools/stack.sh up
  .stack-N/venv/bin/python benchmarks/backup_throughput.py --stack .stack-N

In one run:

1. The limit: ``rados bench`` writing 4 MiB objects, 16 in flight, into
   the stack's backups pool for ``--bench-seconds``.
2. For each fraction (``--fractions``, default 1 %, 10 %, 50 %) and each
   driver, the chain of ``snapshot_backups.chain``: a volume filled
   with data, snapshot S1, a full backup, the fraction rewritten in
   4 MiB extents, snapshot S2, then the measured incremental backup of
   S2. Drivers: cinder-snapext's copying one chunk at a time (a second
   cinder-backup with ``backup_copy_ops_in_flight = 1``), cinder-snapext
   as the stack runs it (its default window), and Cinder 29's
   ``CephBackupDriver`` (a third cinder-backup); with ``--drivers``
   also ``whole``: ours with ``backup_diff_whole_object = true``. Each
   second service serves an availability zone of its own.
3. The fixed cost: the same chain with a single 4 KiB change.
4. The copy alone, without Cinder: ``rbd_copy.copy_extents`` of a
   ``--engine-mib`` image (random data, every extent allocated) from the
   volumes pool into the backups pool, for each window of ``--depths``,
   twice in alternating order; and librbd's own copy of the same image
   (what ``rbd cp`` runs, 16 operations in flight) in each round: the
   limit of a copy, which reads what it writes from the same OSDs.

Prints a reStructuredText table: changed MiB per second of wall time and
of backup service time, beside the rados bench figure and the copy's.

Over 300 lines on purpose: one command that measures the limits and the
drivers in the same run, its method readable in one file.
"""

import argparse
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

import backup_steps
import snapshot_backups as sb

SERIAL_AZ = 'bench-serial'
CEPH_COPY = 'librbd copy (rbd cp, 16 in flight)'
WHOLE_AZ = 'bench-whole'
KiB = 1024


def rados_bench(stack, seconds, threads=16):
    """MiB/s that rados bench writes into the backups pool.

    rados prints "MB/sec" in units of 2^20 bytes.
    """
    base = ['rados', '-c', stack.ceph_conf, '--id', stack.ceph_id,
            '-p', 'backups']
    proc = subprocess.run(  # noqa: S603 (Ceph's own tool, our stack)
        ['timeout', str(seconds + 120)] + base + [
            'bench', str(seconds), 'write', '-t', str(threads),
            '--run-name', 'snapext-bench'],
        env=stack.env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit('rados bench failed: %s%s' % (proc.stdout, proc.stderr))
    found = re.search(r'Bandwidth \(MB/sec\):\s+([\d.]+)', proc.stdout)
    if not found:
        sys.exit('no bandwidth in rados bench output: %s' % proc.stdout)
    return float(found.group(1))


# key: (label, availability zone, service suffix, ours, [snapext] options
# of its second cinder-backup, or None for the stack's own service).
DRIVERS = {
    'stock': ('Cinder 29', sb.STOCK_AZ, 'stock', False, None),
    'serial': ('ours, serial', SERIAL_AZ, 'serial', True,
               {'backup_copy_ops_in_flight': 1}),
    'parallel': ('ours, parallel', None, None, True, None),
    'whole': ('ours, whole object', WHOLE_AZ, 'whole', True,
              {'backup_diff_whole_object': True}),
}


def _start(stack, key):
    if key == 'stock':
        return sb.start_stock_backup(stack)
    _, az, suffix, _, options = DRIVERS[key]
    return sb.start_backup_service(stack, suffix, az, snapext=options)


def measure(stack, size_gib, fractions, verify, keys, steps=False):
    """The chains of each driver: [result], and [full backup] with steps."""
    ceph = sb.Ceph(stack)
    services = {DRIVERS[k][2]: _start(stack, k) for k in keys
                if DRIVERS[k][2]}
    results, fulls = [], []
    try:
        for suffix in services:
            host = '%s-%s' % (stack.host, suffix)
            sb.wait('%s up' % host, lambda h=host: sb.service_up(stack, h),
                    timeout=180)
        # The scheduler places backups once a service reported a working
        # driver (backup_driver_stats_polling_interval, 10 s on the stack).
        time.sleep(20)
        sb.sweep(stack)
        for key in keys if steps else ():
            label, az, service, ours, _ = DRIVERS[key]
            full, found = backup_steps.chain(
                stack, ceph, label, size_gib, fractions, verify, az=az,
                service=service, ours=ours)
            fulls.append(full)
            results += found
            print(json.dumps([full] + found), flush=True)
        for fraction, nbytes in () if steps else fractions:
            for key in keys:
                label, az, service, ours, _ = DRIVERS[key]
                result = sb.chain(stack, ceph, label, size_gib, fraction,
                                  verify != 'none', az=az,
                                  service=service, ours=ours,
                                  rewrite_bytes=nbytes,
                                  pid=getattr(services.get(service), 'pid',
                                              None))
                result['fraction'] = fraction
                results.append(result)
                print(json.dumps(result), flush=True)
    finally:
        for suffix, proc in services.items():
            sb.stop_stock_backup(stack, proc, suffix)
    return results, fulls


def ceph_copy(rbd, src_ioctx, source, snapshot, dest_ioctx):
    """Seconds for librbd's own copy of source@snapshot (``rbd cp``).

    The limit of any copy on this cluster: the OSDs read what they write.
    In this process, as the copy alone runs, with the cluster handle's
    rbd_concurrent_management_ops (set by engine) in flight.
    """
    dest = 'bench-engine-rbd-copy'
    with rbd.Image(src_ioctx, source, snapshot=snapshot,
                   read_only=True) as src:
        started = time.monotonic()
        src.copy(dest_ioctx, dest)
        seconds = time.monotonic() - started
    rbd.RBD().remove(dest_ioctx, dest)
    return seconds


def engine(stack, size_mib, depths, rounds=2):
    """Seconds of rbd_copy.copy_extents per window, through librbd only.

    Also of Ceph's own copy (key CEPH_COPY), in the same rounds.
    """
    from cinder_snapext.backup import rbd_copy
    ceph = sb.Ceph(stack)
    rbd = ceph.rbd
    src_name = 'bench-engine-src'
    size = size_mib * sb.MiB
    timings = {depth: [] for depth in depths}
    # As 'rbd cp --rbd-concurrent-management-ops 16' would copy.
    ceph.cluster.conf_set('rbd_concurrent_management_ops', '16')
    with ceph.cluster.open_ioctx('volumes') as vols, \
            ceph.cluster.open_ioctx('backups') as backups:
        rbd.RBD().create(vols, src_name, size)
        try:
            with rbd.Image(vols, src_name) as img:
                rnd = random.Random('engine')  # noqa: S311 (test data)
                for off in range(0, size, sb.CHUNK):
                    img.write(rnd.randbytes(sb.CHUNK), off)
                img.create_snap('s')
            for n in range(rounds):
                timings.setdefault(CEPH_COPY, []).append(
                    ceph_copy(rbd, vols, src_name, 's', backups))
                order = depths if n % 2 == 0 else list(reversed(depths))
                for depth in order:
                    dest = 'bench-engine-dest-%d' % depth
                    rbd.RBD().create(backups, dest, size)
                    try:
                        with rbd.Image(vols, src_name, snapshot='s',
                                       read_only=True) as src, \
                                rbd.Image(backups, dest) as dst:
                            extents = rbd_copy.changed_extents(src, None)
                            t0 = time.monotonic()
                            rbd_copy.copy_extents(src, dst, extents,
                                                  in_flight=depth)
                            timings[depth].append(time.monotonic() - t0)
                    finally:
                        rbd.RBD().remove(backups, dest)
        finally:
            ceph.remove('volumes', src_name)
    return {depth: statistics.median(t) for depth, t in timings.items()}


def rate(nbytes, seconds):
    return '%.1f' % (nbytes / sb.MiB / seconds) if seconds else '-'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--stack', default=os.environ.get(
        'SNAPEXT_STACK_DIR', '.stack'))
    parser.add_argument('--size-gib', type=int, default=2)
    parser.add_argument('--fractions', default='0.01,0.1,0.5',
                        help="shares rewritten, or 'none'")
    parser.add_argument('--bench-seconds', type=int, default=15)
    parser.add_argument('--no-fixed-cost', action='store_true')
    parser.add_argument('--fixed-cost-chains', type=int, default=1,
                        help='chains with one 4 KiB change, per driver')
    parser.add_argument('--no-verify', action='store_true')
    parser.add_argument(
        '--steps', action='store_true',
        help='one volume per driver, its full backup of a snapshot '
             'measured, then the 4 KiB change and each fraction as '
             'incrementals on it in turn (backup_steps.py)')
    parser.add_argument(
        '--verify-last', action='store_true',
        help='with --steps: SHA-256 of the last restore point of each '
             'chain only (each step\'s reads the volume twice)')
    parser.add_argument('--engine-mib', type=int, default=512)
    parser.add_argument('--depths', default='1,4,10,16')
    parser.add_argument(
        '--drivers', default='stock,serial,parallel',
        help='which of %s, in this order (whole: whole-object diffs, '
             'with fast-diff on the stack\'s images)' % ','.join(DRIVERS))
    args = parser.parse_args(argv)
    stack = sb.Stack(args.stack)
    print('date: %s, machine: %s, %s CPUs, load %.1f' % (
        datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds'),
        os.uname().nodename, os.cpu_count(), os.getloadavg()[0]))
    run_started = time.monotonic()
    limit = rados_bench(stack, args.bench_seconds)
    print('rados bench write, backups pool: %.1f MiB/s' % limit, flush=True)
    fractions = [(float(f), None) for f in args.fractions.split(',')
                 if f and f != 'none']
    if not args.no_fixed_cost:
        # First in a stepped chain: its 4 KiB is then the only change.
        fixed = [(0.0, 4 * KiB)] * args.fixed_cost_chains
        fractions = fixed + fractions if args.steps else fractions + fixed
    verify = ('none' if args.no_verify else
              'last' if args.verify_last else 'every')
    keys = args.drivers.split(',')
    unknown = set(keys) - set(DRIVERS)
    if unknown:
        parser.error('unknown drivers: %s' % ', '.join(sorted(unknown)))
    started = time.monotonic()
    results, fulls = measure(stack, args.size_gib, fractions, verify, keys,
                             steps=args.steps)
    depths = [int(d) for d in args.depths.split(',')]
    copy_started = time.monotonic()
    copy_s = engine(stack, args.engine_mib, depths)
    limit_after = rados_bench(stack, args.bench_seconds)
    print('rados bench write, backups pool, after: %.1f MiB/s' % limit_after)
    copy_limit = args.engine_mib / copy_s[CEPH_COPY]
    rows = []
    for r in results:
        wall_rate = r['rewritten'] / sb.MiB / r['incr_s']
        rows.append([
            '%.0f %%' % (r['fraction'] * 100) if r['fraction']
            else '4 KiB', '%.1f' % (r['rewritten'] / sb.MiB), r['driver'],
            '%.2f' % r['incr_s'],
            '%.2f' % r['service_s'] if r['service_s'] else '-',
            '%.2f' % r['copy_s'] if r.get('copy_s') else '-',
            '%.1f' % wall_rate, rate(r['rewritten'], r['service_s']),
            '%.0f %%' % (100 * wall_rate / limit),
            '%.0f %%' % (100 * wall_rate / copy_limit),
            '%.1f' % (r['written'] / sb.MiB), r.get('verified', '-'),
            '%.1f' % r['load'][0]])
    print(sb.table(
        ['changed', 'changed MiB', 'driver', 'wall (s)', 'service (s)',
         'diff and copy (s)',
         'changed MiB/s (wall)', 'changed MiB/s (service)',
         'of rados bench', 'of rbd cp', 'pool written MiB', 'matches S2',
         'load'],
        rows))
    print(sb.table(
        ['copy window', '%d MiB copied (s)' % args.engine_mib, 'MiB/s',
         'of rados bench', 'of rbd cp'],
        [[d, '%.2f' % copy_s[d], '%.1f' % (args.engine_mib / copy_s[d]),
          '%.0f %%' % (100 * args.engine_mib / copy_s[d] / limit),
          '%.0f %%' % (100 * args.engine_mib / copy_s[d] / copy_limit)]
         for d in depths + [CEPH_COPY]]))
    fixed = [r for r in results if not r['fraction'] and r.get('marks')]
    if fixed:
        # Where the fixed cost goes, by the service's own log: from
        # "Create backup started" to each step of our path.
        print(sb.table(
            ['4 KiB, driver', 'service (s)', 'to the source (s)',
             'driver (s)', 'of it diff and copy (s)', 'finish (s)',
             'load'],
            [[r['driver'], '%.2f' % r['service_s'],
              '%.2f' % r['marks']['source'],
              '%.2f' % (r['marks']['driver'] - r['marks']['source']),
              '%.2f' % r['copy_s'],
              '%.2f' % (r['marks']['finished'] - r['marks']['driver']),
              '%.1f' % r['load'][0]]
             for r in fixed if len(r['marks']) == 3 and r['copy_s']]))
    if fulls:
        print(sb.table(
            ['full backup of S0', 'wall (s)', 'service (s)',
             'MiB/s (wall)', 'of rados bench', 'of rbd cp',
             'pool written MiB', 'load'],
            [[f['driver'], '%.2f' % f['incr_s'],
              '%.2f' % f['service_s'] if f['service_s'] else '-',
              rate(f['volume_bytes'], f['incr_s']),
              '%.0f %%' % (100 * f['volume_bytes'] / sb.MiB / f['incr_s']
                           / limit),
              '%.0f %%' % (100 * f['volume_bytes'] / sb.MiB / f['incr_s']
                           / copy_limit),
              '%.1f' % (f['written'] / sb.MiB), '%.1f' % f['load'][0]]
             for f in fulls]))
    print('limit: rados bench %.1f MiB/s before, %.1f MiB/s after; '
          'a copy: rbd cp %.1f MiB/s' % (limit, limit_after, copy_limit))
    print('backups took %.0f s, the whole run %.0f s' % (
        copy_started - started, time.monotonic() - run_started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
