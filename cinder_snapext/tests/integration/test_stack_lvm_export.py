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

"""Spec 1 on real LVM, thick and thin: export, refusals, import back.

Stock ``cinder`` CLI only; the LVs and their data are checked in the
stack's LVM guest. A snapshot is exported (``snapshot-unmanage``: its LV
stays), imports that cannot be right are refused at once (HTTP 400,
nothing created), the volume cannot be deleted while the exported LV
remains (nor migrated), the driver itself refuses the delete of a volume
with a snapshot LV the API cannot know of (``VolumeIsBusy``: the volume
is ``available`` again, its data and the snapshot's intact), and the
snapshot imports back by ``source-name`` with its data.
"""

from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import lvm_base

SIZE_GB = 1
WRITES = [(0, 8, 0xa5), (600, 4, 0x3c)]
LATER = [(4, 4, 0x11)]


def load_tests(loader, standard_tests, pattern):
    return lvm_base.load_lvm_tests(loader, standard_tests, pattern)


class _ExportImport:
    """The steps; a subclass names the backend."""

    @step
    def test_01_backend_up(self):
        rows = cli.parse_table(self.cinder('service-list',
                                           '--binary', 'cinder-volume'))
        up = {r['Host'] for r in rows
              if r['Status'] == 'enabled' and r['State'] == 'up'}
        self.assertIn('%s@%s' % (lvm_base.HOST, self.BACKEND), up, rows)

    def _volume(self, what):
        out = self.cinder('create', '--volume-type', self.BACKEND,
                          '--name', self.name(what), str(SIZE_GB))
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        vol = self.wait_status('volume', vol_id, 'available')
        self.assertEqual('%s@%s#%s' % (lvm_base.HOST, self.BACKEND,
                                       self.BACKEND),
                         vol['os-vol-host-attr:host'])
        return vol_id

    def _snapshot(self, volume_id, what):
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          volume_id)
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.wait_status('snapshot', snap_id, 'available')
        return snap_id

    @step
    def test_02_volume_with_data(self):
        vol_id = self._volume('vol')
        self.ctx['volume'] = vol_id
        self.fill('volume-%s' % vol_id, WRITES)
        expected = data.fill_md5(SIZE_GB * data.GiB, WRITES)
        self.assertEqual(expected, self.digest('volume-%s' % vol_id))
        self.ctx['digest'] = expected

    @step
    def test_03_snapshot(self):
        snap_id = self._snapshot(self.ctx['volume'], 'snap')
        lv = '_snapshot-%s' % snap_id
        self.assertEqual('volume-%s' % self.ctx['volume'], self.lvs()[lv][1])
        # The volume moves on; the snapshot keeps the data it had.
        self.fill('volume-%s' % self.ctx['volume'], LATER)
        self.assertEqual(self.ctx['digest'], self.digest(lv))
        self.ctx['snapshot'] = snap_id

    @step
    def test_04_export(self):
        snap_id = self.ctx['snapshot']
        self.cinder('snapshot-unmanage', snap_id)
        self.wait_gone('snapshot', snap_id)
        self.made['snapshot'].remove(snap_id)
        self.ctx['exported'] = '_snapshot-%s' % snap_id
        # Gone from Cinder, still in the volume group, as a snapshot of
        # the volume's LV.
        self.assertEqual('volume-%s' % self.ctx['volume'],
                         self.lvs()[self.ctx['exported']][1])

    def _refused(self, reference, why):
        # The rows on the volume named, in any project: the other LVM
        # classes' snapshots change meanwhile (they run beside this one).
        before = self.snapshot_rows_of([self.ctx['volume']])
        rc, out, err = self.cinder(
            'snapshot-manage', '--id-type', 'source-name',
            self.ctx['volume'], reference, check=False)
        self.assertNotEqual(0, rc, out)
        self.assertIn('400', err)
        self.assertIn(why, err)
        self.assertEqual(before, self.snapshot_rows_of([self.ctx['volume']]))

    @step
    def test_05_import_refused_missing_name(self):
        self._refused('snapext-it-no-such-lv', 'does not exist')

    @step
    def test_06_import_refused_plain_lv(self):
        lv = 'snapext-it-%s-plain' % self.run_id
        if self.BACKEND == 'lvm-thin':
            self.guest('lvcreate -q -V 8m -T %s/%s-pool -n %s'
                       % (self.vg, self.vg, lv))
        else:
            self.guest('lvcreate -q -L 8m -n %s %s' % (lv, self.vg))
        self.ctx.setdefault('hand_made', []).append(lv)
        self._refused(lv, 'it is not a snapshot')

    @step
    def test_07_import_refused_managed_lv(self):
        self._refused('volume-%s' % self.ctx['volume'],
                      'Cinder already manages it as volume')

    @step
    def test_08_import_refused_other_volume_snapshot(self):
        other = self._volume('other')
        lv = 'snapext-it-%s-other-snap' % self.run_id
        size = '' if self.BACKEND == 'lvm-thin' else '-L 64m'
        self.guest('lvcreate -q -s %s -n %s %s/volume-%s'
                   % (size, lv, self.vg, other))
        self.ctx.setdefault('hand_made', []).insert(0, lv)
        self.ctx.update(other=other, other_snap=lv)
        self._refused(lv, 'its origin is volume-%s' % other)

    @step
    def test_09_delete_refused_by_driver(self):
        # The API refuses only what its table of exports names; an LV
        # snapshot it cannot know of (test_08's, made on the backend)
        # leaves the refusal to the driver, as with the API guard off.
        other, lv = self.ctx['other'], self.ctx['other_snap']
        self.fill('volume-%s' % other, WRITES)
        want = data.fill_md5(SIZE_GB * data.GiB, WRITES)
        seen = self.volume_log()
        self.cinder('delete', other)
        self.wait_status('volume', other, 'available')
        self.assertIn('Not deleting volume %s' % other,
                      self.volume_log(since=seen))
        self.assertEqual('volume-%s' % other, self.lvs()[lv][1])
        self.assertEqual(want, self.digest('volume-%s' % other))
        self.assertEqual(data.fill_md5(SIZE_GB * data.GiB, []),
                         self.digest(lv))

    @step
    def test_10_delete_and_migration_refused_while_exported(self):
        rc, out, err = self.cinder('delete', self.ctx['volume'], check=False)
        self.assertNotEqual(0, rc)
        self.assertIn(self.ctx['exported'], out + err)
        # cinderclient's migrate prints the API's refusal (HTTP 400) and
        # exits 0.
        out = self.cinder('migrate', self.ctx['volume'], self.OTHER_POOL)
        self.assertIn('Migration for volume %s failed' % self.ctx['volume'],
                      out)
        self.assertIn('400', out)
        self.assertIn(self.ctx['exported'], out)
        self.wait_status('volume', self.ctx['volume'], 'available')
        lvs = self.lvs()
        self.assertIn('volume-%s' % self.ctx['volume'], lvs)
        self.assertEqual(self.ctx['digest'], self.digest(self.ctx['exported']))

    @step
    def test_11_import_back(self):
        out = self.cinder('snapshot-manage', '--id-type', 'source-name',
                          '--name', self.name('snap-back'),
                          self.ctx['volume'], self.ctx['exported'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        del self.ctx['exported']
        snap = self.wait_status('snapshot', snap_id, 'available')
        self.assertEqual(self.ctx['volume'], snap['volume_id'])
        # Renamed after its new id, as Cinder's driver does; same data.
        lv = '_snapshot-%s' % snap_id
        self.assertIn(lv, self.lvs())
        self.assertEqual(self.ctx['digest'], self.digest(lv))

    @step(always=True)
    def test_12_clean_up(self):
        for lv in self.ctx.pop('hand_made', []):
            self.guest('lvremove -q -f %s/%s' % (self.vg, lv), check=False)
        if self.ctx.get('exported'):
            self.take_back(self.ctx['volume'], self.ctx.pop('exported'))
        # This run's LVs only: a stack may keep others' (a failed run's).
        ids = set(self.made['volume'] + self.made['snapshot'])
        ids.update(v for k, v in self.ctx.items()
                   if k in ('volume', 'snapshot'))
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        left = [lv for lv in self.lvs()
                if self.run_id in lv or any(i in lv for i in ids)]
        self.assertEqual([], left)


class LvmThickExportImportTest(_ExportImport,
                               lvm_base.LvmScenarioTestCase):
    """Spec 1 on the thick LVM backend."""

    BACKEND = 'lvm-thick'
    OTHER_POOL = 'lvm-node@lvm-thin#lvm-thin'


class LvmThinExportImportTest(_ExportImport,
                              lvm_base.LvmScenarioTestCase):
    """Spec 1 on the thin LVM backend."""

    BACKEND = 'lvm-thin'
    OTHER_POOL = 'lvm-node@lvm-thick#lvm-thick'
