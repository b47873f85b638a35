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

"""Export and import of qcow2 snapshots on the stack's NFS backend.

Stock ``cinder`` CLI (noauth) plus one REST call for the spec's export
route. The volume is a file on the share (a bind-mounted folder): data is
written straight into it while it is raw, with ``qemu-io`` once a qcow2
overlay is active, and read back with ``qemu-img convert`` of a file's
whole chain. A snapshot's reference is its overlay's file name; exporting
keeps the file, deleting the volume is then refused, bad references are
refused before any row exists, and importing brings back the very data,
also after Nova (the stack's emulator) pulled an exported overlay into
the active file of the attached volume.

Over 300 lines on purpose: one scenario, whose steps build on each
other in order (one volume, its chain, its exports); split, each part
would repeat the set-up it needs.
"""

import json
import os

from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import nfs_base
from cinder_snapext.tests.integration.nfs_base import ATTACH_ARGS
from cinder_snapext.tests.integration.nfs_base import BACKEND
from cinder_snapext.tests.integration.nfs_base import HOST
from cinder_snapext.tests.integration.nfs_base import SIZE_GB


class NfsImportExportTest(nfs_base.NfsScenarioTestCase):
    """unmanage / safe delete / bad references / manage on NFS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Every volume this run made, for the final look at the share.
        cls.volumes_seen = []

    # -- helpers --------------------------------------------------------

    def create_volume(self, what, *args):
        out = self.cinder('create', '--volume-type', BACKEND, '--name',
                          self.name(what), *(args + (str(SIZE_GB),)))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.volumes_seen.append(volume_id)
        return self.wait_status('volume', volume_id, 'available')

    def manage(self, what, reference):
        out = self.cinder('snapshot-manage', '--id-type', 'source-name',
                          '--name', self.name(what), self.ctx['volume'],
                          reference)
        snapshot_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snapshot_id)
        return snapshot_id

    def left_exported(self):
        """Overlays in the volume's chain that no live snapshot owns."""
        volume_id = self.ctx.get('volume')
        if not volume_id or not os.path.exists(self.path(self.active())):
            return []
        chain, name = [], self.active()
        while True:
            backing = self.image_info(name).get('backing-filename')
            if not backing:
                break
            chain.append(name)
            name = backing
        info = self.info()
        live = {r['ID'] for r in cli.parse_table(self.cinder(
            'snapshot-list', '--volume-id', volume_id))}
        return [n for n in chain if not any(
            info.get(s) == n for s in live)]

    def quota_usage(self):
        rows = cli.parse_table(self.cinder('quota-usage',
                                            self.env['OS_PROJECT_ID']))
        return {r['Type']: (r['In_use'], r['Reserved']) for r in rows}

    def accounting(self):
        """What a refused request must leave as it was."""
        return {
            'snapshots': self.snapshot_rows_of(self.volumes_seen),
            'quota': self.quota_usage(),
            'share': sorted(os.listdir(self.share_dir)),
            'info': self.info(),
        }

    # -- a volume with two offline snapshots ----------------------------

    @step
    def test_01_create_volume_with_data(self):
        volume = self.create_volume('vol')
        self.ctx['volume'] = volume['id']
        self.assertEqual(HOST + '#' + BACKEND,
                         volume['os-vol-host-attr:host'])
        self.assertEqual(['volume-%s' % volume['id']],
                         self.files_of(volume['id']))
        self.assertEqual('raw', self.image_info(self.active())['format'])
        self.write(0, 8, 0x11)
        self.write(512, 4, 0x22)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_02_first_snapshot_then_more_data(self):
        snap = self.snapshot('snap1')
        overlay = 'volume-%s.%s' % (self.ctx['volume'], snap)
        self.ctx['snap1'], self.ctx['overlay1'] = snap, overlay
        self.ctx['sha1'] = self.expected()
        self.assertEqual({'active': overlay, snap: overlay}, self.info())
        image = self.image_info(overlay)
        self.assertEqual(('qcow2', 'volume-%s' % self.ctx['volume']),
                         (image['format'], image['backing-filename']))
        self.write(0, 4, 0x33)
        self.write(300, 4, 0x44)
        self.assertNotEqual(self.ctx['sha1'], self.expected())
        self.assertEqual(self.ctx['sha1'], self.overlay_sha(overlay))

    @step
    def test_03_second_snapshot_then_more_data(self):
        snap = self.snapshot('snap2')
        overlay = 'volume-%s.%s' % (self.ctx['volume'], snap)
        self.ctx['snap2'], self.ctx['overlay2'] = snap, overlay
        self.ctx['sha2'] = self.expected()
        self.assertEqual(self.ctx['overlay1'],
                         self.image_info(overlay)['backing-filename'])
        self.write(100, 4, 0x55)
        self.assertEqual(self.ctx['sha2'], self.overlay_sha(overlay))
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.ctx['files'] = self.files_of(self.ctx['volume'])
        self.ctx['quota_with_snapshots'] = self.quota_usage()

    # -- export ---------------------------------------------------------

    @step
    def test_04_export_through_the_spec_route(self):
        snap = self.ctx['snap1']
        status, body = self.api('POST', '/os-snapshot-manage/%s/action'
                                % snap, {'os-unmanage': {}})
        self.assertEqual(202, status, body)
        self.assertEqual({'source-name': self.ctx['overlay1']},
                         body['snapshot']['reference'])
        self.assertEqual(self.ctx['volume'], body['snapshot']['volume_id'])
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        self.ctx.setdefault('exported', []).append(self.ctx['overlay1'])

    @step
    def test_05_export_with_the_cli(self):
        snap = self.ctx['snap2']
        self.cinder('snapshot-unmanage', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        self.ctx['exported'].append(self.ctx['overlay2'])

    @step
    def test_06_exported_overlays_stay_on_the_share(self):
        rows = cli.parse_table(self.cinder(
            'snapshot-list', '--volume-id', self.ctx['volume']))
        self.assertEqual([], rows)
        # Nothing on the share moved: files, .info, chain, data.
        self.assertEqual(self.ctx['files'],
                         self.files_of(self.ctx['volume']))
        self.assertEqual(self.ctx['overlay2'], self.active())
        self.assertEqual(self.ctx['sha1'],
                         self.overlay_sha(self.ctx['overlay1']))
        self.assertEqual(self.ctx['sha2'],
                         self.overlay_sha(self.ctx['overlay2']))
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        # The two snapshots no longer count against the quota.
        before = self.ctx['quota_with_snapshots']
        after = self.quota_usage()
        for kind in ('snapshots', 'snapshots_' + BACKEND):
            self.assertEqual(int(before[kind][0]) - 2, int(after[kind][0]),
                             (kind, before, after))

    @step
    def test_06b_exported_overlays_listed_as_manageable(self):
        # Cinder's NFS driver cannot list manageable snapshots at all.
        rows = cli.parse_table(self.cinder(
            'snapshot-manageable-list', '--detailed', 'True',
            HOST))
        listed = {json.loads(r['reference'].replace("'", '"'))
                  ['source-name']: r for r in rows}
        for overlay in self.ctx['exported']:
            row = listed[overlay]
            self.assertEqual(
                ('True', 'volume-%s' % self.ctx['volume']),
                (row['safe_to_manage'], json.loads(
                    row['source_reference'].replace("'", '"'))
                 ['source-name']), row)
            self.assertIn(self.ctx['volume'], row['extra_info'])

    @step
    def test_07_delete_volume_refused_while_exported(self):
        # Stock Cinder removes the active file and .info and leaves the
        # rest of the chain orphaned on the share.
        files = self.files_of(self.ctx['volume'])
        rc, out, err = self.cinder('delete', self.ctx['volume'], check=False)
        self.assertNotEqual(0, rc)
        # 'cinder delete' prints each volume's failure on stdout.
        self.assertIn('(HTTP 400)', out)
        for overlay in self.ctx['exported']:
            self.assertIn(overlay, out)
        self.assertEqual('available',
                         self.show('volume', self.ctx['volume'])['status'])
        self.assertEqual(files, self.files_of(self.ctx['volume']))
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    # -- bad references -------------------------------------------------

    @step
    def test_08_other_volume_and_stray_file(self):
        other = self.create_volume('other')['id']
        self.ctx['other'] = other
        other_snap = self.snapshot('other-snap', volume_id=other)
        self.ctx['other_snap'] = other_snap
        self.ctx['other_overlay'] = 'volume-%s.%s' % (other, other_snap)
        self.assertTrue(os.path.isfile(self.path(self.ctx['other_overlay'])))
        # A qcow2 file beside the chain, named like an overlay, on the
        # volume's own base file: only .info and the chain say it is not.
        stray = 'volume-%s.%s' % (self.ctx['volume'], self.run_id)
        self.ctx['stray'] = stray
        cli.run(['qemu-img', 'create', '-f', 'qcow2', '-b',
                  'volume-%s' % self.ctx['volume'], '-F', 'raw',
                  self.path(stray)], env=self.env)

    def assert_refused(self, reference, why):
        before = self.accounting()
        rc, out, err = self.cinder(
            'snapshot-manage', '--id-type', 'source-name', '--name',
            self.name('bad'), self.ctx['volume'], reference, check=False)
        self.assertNotEqual(0, rc, out)
        self.assertIn('HTTP 400', err)
        self.assertIn(reference, err)
        self.assertIn(why, err)
        self.assertEqual(before, self.accounting())

    @step
    def test_09_file_not_in_the_chain_refused(self):
        self.assert_refused(self.ctx['stray'], 'not in the chain')

    @step
    def test_10_other_volumes_overlay_refused(self):
        # Both volumes live on the same share: the file is there, beside
        # the chain.
        self.assert_refused(self.ctx['other_overlay'], 'not in the chain')

    @step
    def test_11_nonexistent_file_refused(self):
        self.assert_refused('volume-%s.no-such-file' % self.ctx['volume'],
                            'no such file')

    @step
    def test_12_base_file_and_paths_refused(self):
        self.assert_refused('volume-%s' % self.ctx['volume'],
                            'the volume itself')
        self.assert_refused('../%s' % self.ctx['overlay1'],
                            'without a directory')

    # -- import back ----------------------------------------------------

    @step
    def test_13_import_each_overlay_back(self):
        quota = self.quota_usage()
        for key in ('1', '2'):
            overlay = self.ctx['overlay' + key]
            snap = self.manage('imported' + key, overlay)
            self.ctx['imported' + key] = snap
            managed = self.wait_status('snapshot', snap, 'available')
            self.ctx['exported'].remove(overlay)
            self.assertEqual((self.ctx['volume'], str(SIZE_GB)),
                             (managed['volume_id'], managed['size']))
            self.assertEqual(overlay, self.info()[snap])
            # The old id's entry went with the import.
            self.assertNotIn(self.ctx['snap' + key], self.info())
        # Not a file was renamed or removed.
        self.assertEqual(sorted(self.ctx['files'] + [self.ctx['stray']]),
                         self.files_of(self.ctx['volume']))
        after = self.quota_usage()
        for kind in ('snapshots', 'snapshots_' + BACKEND):
            self.assertEqual(int(quota[kind][0]) + 2, int(after[kind][0]),
                             (kind, quota, after))

    @step
    def test_14_already_managed_overlay_refused(self):
        self.assert_refused(self.ctx['overlay1'], 'already manages it')

    @step
    def test_15_volumes_from_imported_snapshots_hold_their_data(self):
        for key in ('1', '2'):
            clone = self.create_volume(
                'from-imported' + key, '--snapshot-id',
                self.ctx['imported' + key])['id']
            self.assertEqual(['volume-%s' % clone], self.files_of(clone))
            self.assertEqual('raw', self.image_info(
                'volume-%s' % clone)['format'])
            self.assertEqual(self.ctx['sha' + key],
                             self.sha_of('volume-%s' % clone))
            self.cinder('delete', clone)
            self.wait_gone('volume', clone)
            self.made['volume'].remove(clone)
            self.assertEqual([], self.files_of(clone))

    # -- delete everything ----------------------------------------------

    @step
    def test_16_delete_imported_snapshots_keeps_volume_data(self):
        for key in ('2', '1'):
            snap = self.ctx['imported' + key]
            self.cinder('snapshot-delete', snap)
            self.wait_gone('snapshot', snap)
            self.made['snapshot'].remove(snap)
        self.assertEqual({'active': 'volume-%s' % self.ctx['volume']},
                         self.info())
        self.assertEqual(sorted(['volume-%s' % self.ctx['volume'],
                                 'volume-%s.info' % self.ctx['volume'],
                                 self.ctx['stray']]),
                         self.files_of(self.ctx['volume']))
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        os.unlink(self.path(self.ctx.pop('stray')))

    # -- attached: Nova pulls an exported overlay away --------------------

    @step
    def test_17_online_snapshots(self):
        # Cinder's online paths, through the stack's emulated Nova.
        self.nova('PUT', '/emulator/behaviour', {
            'volume_id': self.ctx['volume'], 'delay': 0.5, 'failure': None,
            'compute_snapshot_status': False, 'duplicates': 0})
        out = self.cinder('attachment-create', *ATTACH_ARGS,
                          self.ctx['volume'])
        self.ctx['attachment'] = cli.parse_properties(out)['id']
        self.cinder('attachment-complete', self.ctx['attachment'])
        self.wait_status('volume', self.ctx['volume'], 'in-use')
        for key, byte in (('3', 0x66), ('4', 0x77)):
            snap = self.snapshot('online' + key)
            self.ctx['snap' + key] = snap
            self.ctx['sha' + key] = self.expected()
            overlay = 'volume-%s.%s' % (self.ctx['volume'], snap)
            self.ctx['overlay' + key] = overlay
            self.assertEqual(overlay, self.active())
            self.assertEqual(['create'], [e['op'] for e in self.nova(
                'GET', '/emulator/events?snapshot_id=%s' % snap)['events']])
            self.write(600 + int(key) * 10, 4, byte)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_18_export_then_online_delete_pulls_its_overlay(self):
        status, body = self.api('POST', '/os-snapshot-manage/%s/action'
                                % self.ctx['snap3'], {'os-unmanage': {}})
        self.assertEqual(202, status, body)
        self.ctx['ref3'] = body['snapshot']['reference']['source-name']
        self.assertEqual(self.ctx['overlay3'], self.ctx['ref3'])
        self.wait_gone('snapshot', self.ctx['snap3'])
        self.made['snapshot'].remove(self.ctx['snap3'])
        self.ctx['exported'].append(self.ctx['ref3'])
        # Deleting the active snapshot above it: Nova pulls the exported
        # overlay into the active file, and Cinder deletes the overlay.
        self.cinder('snapshot-delete', self.ctx['snap4'])
        self.wait_gone('snapshot', self.ctx['snap4'])
        self.made['snapshot'].remove(self.ctx['snap4'])
        self.assertNotIn(self.ctx['overlay3'], os.listdir(self.share_dir))
        self.assertEqual(self.ctx['overlay4'], self.active())
        self.assertEqual(self.ctx['sha3'],
                         self.overlay_sha(self.ctx['overlay4']))
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_19_reference_given_at_export_still_imports(self):
        snap = self.manage('imported3', self.ctx['ref3'])
        self.ctx['imported3'] = snap
        self.wait_status('snapshot', snap, 'available')
        self.ctx['exported'].remove(self.ctx['ref3'])
        self.assertEqual({'active': self.ctx['overlay4'],
                          snap: self.ctx['overlay4']}, self.info())
        clone = self.create_volume('from-imported3', '--snapshot-id',
                                   snap)['id']
        self.assertEqual(self.ctx['sha3'], self.sha_of('volume-%s' % clone))
        self.cinder('delete', clone)
        self.wait_gone('volume', clone)
        self.made['volume'].remove(clone)
        self.cinder('snapshot-delete', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_20_detach(self):
        self.cinder('attachment-delete', self.ctx['attachment'])
        self.wait_status('volume', self.ctx['volume'], 'available')
        self.ctx.pop('attachment')
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    # -- delete everything ----------------------------------------------

    @step
    def test_21_delete_volumes(self):
        self.cinder('snapshot-delete', self.ctx['other_snap'])
        self.wait_gone('snapshot', self.ctx['other_snap'])
        self.made['snapshot'].remove(self.ctx['other_snap'])
        for volume_id in (self.ctx['volume'], self.ctx['other']):
            self.cinder('delete', volume_id)
        for volume_id in (self.ctx['volume'], self.ctx['other']):
            self.wait_gone('volume', volume_id)
            self.made['volume'].remove(volume_id)
            self.assertEqual([], self.files_of(volume_id))

    @step(always=True)
    def test_22_clean_up_share_has_nothing_of_this_test(self):
        if self.ctx.get('stray'):
            os.unlink(self.path(self.ctx.pop('stray')))
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx.pop('attachment'),
                        check=False)
        if self.ctx.get('volume'):
            self.nova('PUT', '/emulator/behaviour', {
                'volume_id': self.ctx['volume'], 'delay': 0.5,
                'failure': None})
        for overlay in self.left_exported():
            # An import failed: take it back so Cinder deletes it with its
            # volume.
            self.take_back(self.ctx['volume'], overlay, check=False)
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        left = [n for n in os.listdir(self.share_dir)
                if any(n.startswith('volume-%s' % v)
                       for v in self.volumes_seen)]
        self.assertEqual([], left)
