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

"""One volume per driver, every share of the table backed up on it in turn.

``backup_throughput.py --steps``: where ``snapshot_backups.chain`` fills
a volume and makes its full backup for each measured incremental (at 10
GiB, minutes of set-up per row), a stepped chain does that once per
driver:

1. a volume filled with random data, snapshot S0, then the measured full
   backup of S0 (a backup of a snapshot, as the increments are);
2. for each step (4 KiB in the middle, then each share of ``--fractions``
   in 4 MiB extents spread out): the rewrite, snapshot Sk, the measured
   incremental backup of Sk, whose parent is the backup of S(k-1): it
   holds what changed since S(k-1), the step's rewrite alone.

Cinder 29's driver copies the whole volume for every backup of a
snapshot, always into the image ``volume-<id>.backup.base``: a second
backup of a snapshot of the same volume fails with ``ImageExists`` while
the first exists (seen on the stack). So for Cinder's driver the
measured full backup of S0 is deleted and a full backup of the volume
(not measured; an image of its own) is the parent of its steps, as in
``snapshot_backups.chain``; each step backup is deleted once measured,
with the image its delete leaves. Ours keep their parent chain (clones
of clones), as a deployment's would.
"""

import os
import sys
import uuid

import snapshot_backups as sb


def _figures(stack, log_name, backup_id, label, seconds, written, shown):
    return {'driver': label, 'incr_s': seconds,
            'service_s': stack.service_seconds(log_name, backup_id),
            'copy_s': stack.copy_seconds(log_name, backup_id),
            'marks': stack.marks(log_name, backup_id),
            'written': written, 'load': os.getloadavg(),
            'is_incremental': shown['is_incremental']}


def _delete(stack, kind, obj_id):
    cmd, listing = {'backup': ('backup-delete', 'backup-list'),
                    'snapshot': ('snapshot-delete', 'snapshot-list'),
                    'volume': ('delete', 'list')}[kind]
    stack.cinder(cmd, obj_id)
    sb.wait('%s %s deleted' % (kind, obj_id),
            lambda: obj_id not in stack.cinder(listing))


def chain(stack, ceph, label, size_gib, steps, verify, az=None,
          service=None, ours=True):
    """The stepped chain of one driver; returns (full, [step results]).

    steps: [(fraction, rewrite_bytes or None)]; verify: 'every' step's
    restore point against its snapshot by SHA-256, the 'last' one only
    (it holds every step through its parents), or 'none'.
    """
    run = uuid.uuid4().hex[:6]
    log_name = 'cinder-backup%s.log' % ('-' + service if service else '')
    vol_id = sb.properties(stack.cinder(
        'create', '--name', 'bench-%s-%s' % (label.replace(' ', ''), run),
        str(size_gib)))['id']
    sb.wait_status(stack, 'volume', vol_id, 'available')
    image = 'volume-%s' % vol_id
    ceph.fill(image, 'bench-fill')
    snaps, kept = [], []

    def snapshot(n):
        snap = sb.properties(stack.cinder(
            'snapshot-create', '--name', 'bench-s%d-%s' % (n, run),
            vol_id))['id']
        sb.wait_status(stack, 'snapshot', snap, 'available')
        snaps.append(snap)
        return snap

    def measured(n, snap, incremental):
        before_images = ceph.images('backups')
        before = ceph.pool_written('backups')
        backup_id, seconds, shown = sb.measured_backup(
            stack, vol_id, 'bench-b%d-%s' % (n, run), snap, az,
            incremental=incremental)
        ceph.restore_point_delay(vol_id, backup_id,
                                 timeout=60 if ours else 0)
        written = ceph.pool_written('backups') - before
        new_images = sorted(ceph.images('backups') - before_images)
        return backup_id, _figures(stack, log_name, backup_id, label,
                                   seconds, written, shown), new_images

    try:
        s0 = snapshot(0)
        full_id, full, _ = measured(0, s0, incremental=False)
        full['volume_bytes'] = size_gib * sb.GiB
        if ours:
            kept.append(full_id)
        else:
            _delete(stack, 'backup', full_id)
            parent_id, _, _ = sb.backup(
                stack, vol_id, 'bench-parent-%s' % run,
                *(('--availability-zone', az) if az else ()))
            kept.append(parent_id)
            sb.wait_status(stack, 'volume', vol_id, 'available')
        results = []
        for n, (fraction, nbytes) in enumerate(steps, start=1):
            seed = 'bench-step-%d' % n
            rewritten = (ceph.poke(image, nbytes, seed) if nbytes
                         else ceph.rewrite(image, fraction, seed))
            snap = snapshot(n)
            backup_id, result, new_images = measured(n, snap, True)
            result.update(fraction=fraction, rewritten=rewritten)
            if verify == 'every' or (verify == 'last' and n == len(steps)):
                result['verified'] = sb.verify_restore_point(
                    ceph, image, 'snapshot-%s' % snap, new_images)
            results.append(result)
            if ours:
                kept.append(backup_id)
            else:
                _delete(stack, 'backup', backup_id)
                for name in new_images:
                    if name in ceph.images('backups'):
                        ceph.remove('backups', name)
        return full, results
    finally:
        # Newest first: Cinder refuses to delete a parent before its
        # dependent backups. What fails here is printed, not raised: the
        # error that brought us here is the one to see.
        for kind, obj_id in ([('backup', b) for b in reversed(kept)] +
                             [('snapshot', s) for s in snaps] +
                             [('volume', vol_id)]):
            try:
                _delete(stack, kind, obj_id)
            except SystemExit as e:
                print('clean-up: %s' % e, file=sys.stderr)
        for name in ceph.images('backups'):
            if vol_id in name:
                ceph.remove('backups', name)
