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

"""The Ceph scenario: a volume's life with snapshots and backups.

Stock ``cinder`` CLI only (noauth), data written and checked through
librbd: create, write, snapshot, unmanage and manage back the snapshot,
full / incremental / snapshot backups, restores compared by checksum
with the data at backup time, then delete everything and find the
``volumes`` and ``backups`` pools empty.
"""

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data

SIZE_GB = 1
# (offset MiB, length MiB, seed): the data before the full backup...
FIRST = [(0, 32, 'first-a'), (512, 16, 'first-b')]
# ... and what is written between the full and the incremental backup.
MORE = [(256, 8, 'more')]


class CephScenarioTest(base.ScenarioTestCase):
    """create / snapshot / unmanage / manage / backup / restore on RBD."""

    # -- steps -----------------------------------------------------------

    @step
    def test_01_services_up(self):
        rows = cli.parse_table(self.cinder('service-list'))
        up = {(r['Binary'], r['Host']) for r in rows
              if r['Status'] == 'enabled' and r['State'] == 'up'}
        wants = [('cinder-scheduler', 'ci'), ('cinder-backup', 'ci')]
        wants += [('cinder-volume', h) for h in self.stack.ceph_hosts()]
        for want in wants:
            self.assertIn(want, up, rows)

    @step
    def test_02_extension_listed(self):
        rows = cli.parse_table(self.cinder('list-extensions'))
        aliases = {r.get('Alias') for r in rows}
        self.assertIn('os-snapext', aliases)
        # Cinder's own extensions are still there: ours came second.
        self.assertIn('os-snapshot-manage', aliases)

    @step
    def test_03_create_volume(self):
        out = self.cinder('create', '--volume-type', 'ceph',
                          '--name', self.name('vol'), str(SIZE_GB))
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.ctx['volume'] = vol_id
        vol = self.wait_status('volume', vol_id, 'available')
        self.assertEqual('ceph', vol['volume_type'])
        # In a cluster, any member may be the volume's host.
        self.assertIn(vol['os-vol-host-attr:host'],
                      [h + '#ceph' for h in self.stack.ceph_hosts()])
        # The RBD image exists, empty.
        self.assertEqual(
            data.expected_sha256(SIZE_GB * data.GiB, []),
            self.image_sha256(self.volume_image(vol_id)))

    @step
    def test_04_write_data(self):
        image = self.volume_image(self.ctx['volume'])
        for off, length, seed in FIRST:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        expected = data.expected_sha256(SIZE_GB * data.GiB, FIRST)
        self.assertEqual(expected, self.image_sha256(image))
        self.ctx['sha_first'] = expected

    @step
    def test_05_snapshot(self):
        out = self.cinder('snapshot-create', '--name', self.name('snap'),
                          self.ctx['volume'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.ctx['snapshot'] = snap_id
        self.wait_status('snapshot', snap_id, 'available')
        image = self.volume_image(self.ctx['volume'])
        self.assertIn('snapshot-%s' % snap_id, self.rbd_snaps(image))
        self.assertEqual(self.ctx['sha_first'],
                         self.image_sha256(image, 'snapshot-%s' % snap_id))

    @step
    def test_06_unmanage_snapshot(self):
        snap_id = self.ctx['snapshot']
        self.cinder('snapshot-unmanage', snap_id)
        self.ctx['unmanaged'] = 'snapshot-%s' % snap_id
        self.wait_gone('snapshot', snap_id)
        self.made['snapshot'].remove(snap_id)
        # Gone from Cinder, still on Ceph.
        rows = cli.parse_table(self.cinder(
            'snapshot-list', '--volume-id', self.ctx['volume']))
        self.assertNotIn(snap_id, [r['ID'] for r in rows])
        image = self.volume_image(self.ctx['volume'])
        self.assertIn(self.ctx['unmanaged'], self.rbd_snaps(image))

    @step
    def test_06a_manage_bad_reference_refused_at_once(self):
        # Stock Cinder answers 202 and errors the snapshot later, holding
        # quota; cinder-snapext asks the volume service first.
        mine = list(self.made['volume'])
        before = self.snapshot_rows_of(mine)
        rc, out, err = self.cinder(
            'snapshot-manage', '--id-type', 'source-name',
            self.ctx['volume'], 'no-such-snapshot', check=False)
        self.assertNotEqual(0, rc)
        self.assertIn('no-such-snapshot', err)
        self.assertIn('400', err)
        self.assertEqual(before, self.snapshot_rows_of(mine))

    @step
    def test_06b_delete_volume_refused_while_exported(self):
        # Stock Cinder deletes it and moves the image, snapshot included,
        # to the RBD trash.
        rc, out, err = self.cinder('delete', self.ctx['volume'], check=False)
        self.assertNotEqual(0, rc)
        self.assertIn(self.ctx['unmanaged'], out + err)
        self.wait_status('volume', self.ctx['volume'], 'available')
        image = self.volume_image(self.ctx['volume'])
        self.assertIn(self.ctx['unmanaged'], self.rbd_snaps(image))

    @step
    def test_07_manage_snapshot(self):
        out = self.cinder('snapshot-manage', '--id-type', 'source-name',
                          '--name', self.name('snap-managed'),
                          self.ctx['volume'], self.ctx['unmanaged'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.ctx['managed'] = snap_id
        del self.ctx['unmanaged']
        snap = self.wait_status('snapshot', snap_id, 'available')
        self.assertEqual(self.ctx['volume'], snap['volume_id'])
        # The RBD driver renames the snapshot after its new id.
        image = self.volume_image(self.ctx['volume'])
        self.assertIn('snapshot-%s' % snap_id, self.rbd_snaps(image))
        self.assertEqual(self.ctx['sha_first'],
                         self.image_sha256(image, 'snapshot-%s' % snap_id))

    def _backup(self, what, *args):
        out = self.cinder('backup-create', '--name', self.name(what),
                          *(args + (self.ctx['volume'],)))
        backup_id = cli.parse_properties(out)['id']
        self.made['backup'].append(backup_id)
        backup = self.wait_status('backup', backup_id, 'available')
        self.wait_status('volume', self.ctx['volume'], 'available')
        return backup_id, backup

    @step
    def test_08_backup_full(self):
        backup_id, backup = self._backup('bk-full')
        self.assertEqual('False', backup['is_incremental'])
        self.ctx['bk_full'] = (backup_id, self.ctx['sha_first'])

    @step
    def test_09_write_more(self):
        image = self.volume_image(self.ctx['volume'])
        for off, length, seed in MORE:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        expected = data.expected_sha256(SIZE_GB * data.GiB, FIRST + MORE)
        self.assertNotEqual(self.ctx['sha_first'], expected)
        self.assertEqual(expected, self.image_sha256(image))
        self.ctx['sha_more'] = expected

    @step
    def test_10_backup_incremental(self):
        backup_id, backup = self._backup('bk-incr', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self.ctx['bk_incr'] = (backup_id, self.ctx['sha_more'])

    @step
    def test_11_backup_snapshot(self):
        backup_id, backup = self._backup(
            'bk-snap', '--snapshot-id', self.ctx['managed'])
        self.assertEqual(self.ctx['managed'], backup['snapshot_id'])
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_first'])

    @step
    def test_11a_incremental_of_older_snapshot_refused(self):
        # Every backup is newer than the managed snapshot: stock Cinder
        # would take one of them as the parent.
        rc, out, err = self.cinder(
            'backup-create', '--incremental', '--snapshot-id',
            self.ctx['managed'], '--name', self.name('bk-bad-parent'),
            self.ctx['volume'], check=False)
        self.assertNotEqual(0, rc)
        self.assertIn('no backup predates snapshot %s' % self.ctx['managed'],
                      err)
        self.wait_status('snapshot', self.ctx['managed'], 'available')

    @step
    def test_12_restore_full(self):
        self.restore_backup('bk_full')

    @step
    def test_13_restore_incremental(self):
        self.restore_backup('bk_incr')

    @step
    def test_14_restore_snapshot_backup(self):
        self.restore_backup('bk_snap')

    @step(always=True)
    def test_15_delete_everything(self):
        if self.ctx.get('unmanaged'):
            # Managing it back failed: take it back so Cinder can delete
            # it with its volume.
            self.take_back(self.ctx['volume'], self.ctx.pop('unmanaged'))
        self.sweep_made()

    @step(always=True)
    def test_16_pools_empty(self):
        # Of this scenario's images (each named after its volume): other
        # classes may run beside it. tools/stack.sh demo checks the whole
        # pools once every class has ended.
        ids = [obj_id for made in (self.swept, self.made)
               for ids in made.values() for obj_id in ids]
        self.assertNotEqual([], ids)
        for pool in ('volumes', 'backups'):
            listing = self.rbd('ls', pool)
            mine = tuple([name for name in listing[key]
                          if any(obj_id in name for obj_id in ids)]
                         for key in ('images', 'trash'))
            self.assertEqual(([], []), mine, 'pool %s is not empty' % pool)
