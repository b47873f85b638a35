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

"""SnapextNfsDriver: export and import of qcow2 snapshots, safe delete."""

import json
import logging

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
import ddt
import fixtures

from cinder_snapext.tests.unit.volume.drivers import nfs_share
from cinder_snapext.volume.drivers import qcow2_chain
from cinder_snapext.volume import snapshot_reference


@ddt.ddt
class SnapextNfsManageTestCase(nfs_share.NfsShareTestCase):
    """A volume with snapshots ``first`` (exported) and ``second``."""

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.first = self.snapshot()
        nfs_share.qemu_io_write(self.path(self.file_of(self.first)), 'qcow2',
                                0x41, 2)
        self.second = self.snapshot()
        self.exported_ref = self.driver.snapext_snapshot_reference(
            self.first)
        self.exported_info = self.info(self.volume)
        self.unmanage(self.first)

    def snapshot(self):
        snapshot = self.create_snapshot(self.volume, status='available')
        self.driver.create_snapshot(snapshot)
        return snapshot

    def unmanage(self, snapshot):
        # As Cinder's volume manager unmanages a snapshot.
        self.driver.unmanage_snapshot(snapshot)
        snapshot.destroy()

    def file_of(self, snapshot):
        return '%s.%s' % (self.volume.name, snapshot.id)

    def new_snapshot(self):
        """The snapshot row Cinder creates for a manage request."""
        return self.create_snapshot(self.volume)

    def test_unmanage_keeps_overlay_and_info(self):
        self.assertEqual({'source-name': self.file_of(self.first)},
                         self.exported_ref)
        self.assertEqual(self.exported_info, self.info(self.volume))
        self.assertIn(self.file_of(self.first), self.files())

    def test_exported_overlay_is_listed_as_unmanaged(self):
        self.assertEqual([self.file_of(self.second),
                          self.file_of(self.first)],
                         self.driver.snapext_backend_snapshots(self.volume))
        self.assertEqual([self.file_of(self.first)],
                         snapshot_reference.unmanaged_snapshots(
                             self.ctxt, self.driver, self.volume))

    def test_size_of_exported_overlay(self):
        self.assertEqual(1, self.driver.manage_existing_snapshot_get_size(
            self.new_snapshot(), self.exported_ref))

    def test_size_rounds_up_to_gib(self):
        # An overlay made outside Cinder, 1.5 GiB large, now active.
        outside = '%s.%s' % (self.volume.name,
                             'e0c1f3a4-7b8d-4c2e-9f10-123456789abc')
        nfs_share.qemu_img('create', '-f', 'qcow2', '-b',
                           self.file_of(self.second), '-F', 'qcow2',
                           self.path(outside), '1536M')
        info = self.info(self.volume)
        info['active'] = outside
        self._write_info(info)

        self.assertEqual(2, self.driver.manage_existing_snapshot_get_size(
            self.new_snapshot(), {'source-name': outside}))

    def test_manage_maps_the_overlay_to_the_new_snapshot(self):
        data = self.checksum(self.file_of(self.second))
        imported = self.new_snapshot()

        self.driver.manage_existing_snapshot(imported, self.exported_ref)

        self.assertEqual({'active': self.file_of(self.second),
                          imported.id: self.file_of(self.first),
                          self.second.id: self.file_of(self.second)},
                         self.info(self.volume))
        self.assertEqual(self.exported_ref,
                         self.driver.snapext_snapshot_reference(imported))
        # Cinder's own delete of the imported snapshot merges it properly.
        imported.status = 'deleting'
        self.driver.delete_snapshot(imported)
        self.assertEqual([self.file_of(self.second), self.volume.name],
                         self.chain(self.file_of(self.second)))
        self.assertEqual(data, self.checksum(self.file_of(self.second)))

    def test_exported_reference_still_imports_after_a_pull(self):
        # Deleting the snapshot above an exported one while the volume is
        # attached: Nova pulls the exported overlay into the active file,
        # Cinder deletes the overlay and maps the exported snapshot's
        # .info entry to the active file.
        data = self.checksum(self.volume.name)
        attachment = self.attach(self.volume)
        # The emulated Nova reads the guest's file where Cinder's online
        # snapshots record it; these snapshots were taken offline.
        attachment.connection_info = dict(
            attachment.connection_info,
            name=attachment.connection_info['data']['name'])
        attachment.save()
        second = cinder_objects.Snapshot.get_by_id(self.ctxt, self.second.id)
        second.status = 'deleting'
        second.save()
        metadata = self.driver.delete_snapshot_assisted_begin(
            self.ctxt, second)['admin_metadata']
        self.nova_delete()
        self.driver.delete_snapshot_assisted_complete(self.ctxt, second,
                                                      metadata)
        second.destroy()
        now = self.file_of(self.second)
        self.assertNotIn(self.file_of(self.first), self.files())
        self.assertEqual([now], self.driver.snapext_backend_snapshots(
            self.reload(self.volume)))
        imported = self.new_snapshot()

        self.assertEqual(1, self.driver.manage_existing_snapshot_get_size(
            imported, self.exported_ref))
        self.driver.manage_existing_snapshot(imported, self.exported_ref)

        self.assertEqual({'active': now, imported.id: now},
                         self.info(self.volume))
        self.assertEqual([now, self.volume.name], self.chain(now))
        self.assertEqual(data, self.checksum(self.volume.name))
        # The import used up the old name: it stands for nothing now.
        self._refused(self.exported_ref, 'no such file')

    @ddt.data(
        ('missing', lambda t: {'source-name': t.volume.name + '.nothing'},
         'no such file'),
        ('base file', lambda t: {'source-name': t.volume.name},
         'bottom of the chain'),
        ('managed', lambda t: {'source-name': t.file_of(t.second)},
         'already manages it as snapshot'),
        ('directory', lambda t: {'source-name': '../' + t.file_of(t.first)},
         'without a directory'),
        ('no name', lambda t: {'source-id': 'x'}, 'source-name'),
        ('info file', lambda t: {'source-name': t.volume.name + '.info'},
         'not in the chain'),
    )
    @ddt.unpack
    def test_bad_reference_refused_and_nothing_changed(self, _case, ref,
                                                       reason):
        self._refused(ref(self), reason)

    def test_overlay_outside_the_chain_refused(self):
        # A qcow2 file on the volume's file, but not part of its chain.
        stray = self.volume.name + '.stray'
        nfs_share.qemu_img('create', '-f', 'qcow2', '-b', self.volume.name,
                           '-F', 'raw', self.path(stray), '1G')
        self._refused({'source-name': stray}, 'not in the chain')

    def test_overlay_of_another_volume_refused(self):
        other = self.create_volume()
        other_snapshot = self.create_snapshot(other)
        self.driver.create_snapshot(other_snapshot)
        other_file = '%s.%s' % (other.name, other_snapshot.id)
        self.driver.unmanage_snapshot(other_snapshot)
        other_snapshot.destroy()
        self._refused({'source-name': other_file}, 'not in the chain')

    def _refused(self, ref, reason):
        files, info = self.files(), self.info(self.volume)
        for call in (self.driver.manage_existing_snapshot_get_size,
                     self.driver.manage_existing_snapshot):
            error = self.assertRaises(
                cinder_exception.ManageExistingInvalidReference,
                call, self.new_snapshot(), ref)
            self.assertIn(reason, str(error))
        self.assertEqual(files, self.files())
        self.assertEqual(info, self.info(self.volume))

    def test_delete_volume_with_exported_snapshot_is_busy(self):
        self.second.status = 'deleting'
        self.driver.delete_snapshot(self.second)
        self.second.destroy()
        files, data = self.files(), self.checksum(self.file_of(self.first))

        self.assertRaises(cinder_exception.VolumeIsBusy,
                          self.driver.delete_volume, self.volume)
        self.assertEqual(files, self.files())
        self.assertEqual(data, self.checksum(self.file_of(self.first)))

    def test_delete_volume_after_exported_snapshot_imported_and_deleted(self):
        imported = self.new_snapshot()
        self.driver.manage_existing_snapshot(imported, self.exported_ref)
        for snapshot in (imported, self.second):
            snapshot.status = 'deleting'
            self.driver.delete_snapshot(snapshot)
            snapshot.destroy()

        self.driver.delete_volume(self.reload(self.volume))
        self.assertEqual([], self.files())

    def _write_info(self, info):
        with open(self.path(self.volume.name + '.info'), 'w') as f:
            json.dump(info, f)

    # Cinder's manageable-snapshot listing (Cinder's NFS driver has none).

    def _listing(self, cinder_snapshots, **kwargs):
        self.driver.host = 'host@nfs'
        args = {'marker': None, 'limit': 1000, 'offset': 0,
                'sort_keys': ['reference'], 'sort_dirs': ['asc']}
        args.update(kwargs)
        return self.driver.get_manageable_snapshots(cinder_snapshots,
                                                    **args)

    def test_listing_shows_the_exported_overlay_as_importable(self):
        entries = self._listing([self.second])
        by_name = {e['reference']['source-name']: e for e in entries}
        self.assertEqual({self.file_of(self.first),
                          self.file_of(self.second)}, set(by_name))
        exported = by_name[self.file_of(self.first)]
        self.assertEqual(
            (True, None, None, 1, {'volume_id': self.volume.id},
             {'source-name': self.volume.name}),
            (exported['safe_to_manage'], exported['reason_not_safe'],
             exported['cinder_id'], exported['size'],
             exported['extra_info'], exported['source_reference']))
        managed = by_name[self.file_of(self.second)]
        self.assertEqual((False, 'already managed', self.second.id),
                         (managed['safe_to_manage'],
                          managed['reason_not_safe'], managed['cinder_id']))
        # What the listing offers imports: the same check manage runs.
        self.assertEqual(1, self.driver.manage_existing_snapshot_get_size(
            self.new_snapshot(), exported['reference']))

    def test_listing_pages_and_skips_other_backends(self):
        # A volume of another backend, with a snapshot of its own.
        other = self.create_volume()
        snapshot = self.create_snapshot(other, status='available')
        self.driver.create_snapshot(snapshot)
        other.host = 'otherhost@nfs#nfs'
        other.save()
        first, = self._listing([self.second], limit=1)
        second, = self._listing([self.second], limit=1, offset=1)
        self.assertEqual(sorted([self.file_of(self.first),
                                 self.file_of(self.second)]),
                         [first['reference']['source-name'],
                          second['reference']['source-name']])
        self.assertEqual([], self._listing([self.second], offset=2))

    def test_listing_skips_a_volume_whose_chain_cannot_be_read(self):
        broken = self.create_volume()
        # An overlay on a file outside the volume: Cinder's rule refuses
        # such a chain, and the listing goes on without it.
        top = broken.name + '.e0c1f3a4-7b8d-4c2e-9f10-123456789abc'
        nfs_share.qemu_img('create', '-f', 'qcow2', '-b',
                           self.path(self.volume.name), '-F', 'raw',
                           self.path(top))
        self._write_info_of(broken, {'active': top})
        log = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        names = [e['reference']['source-name']
                 for e in self._listing([self.second])]
        self.assertEqual(sorted([self.file_of(self.first),
                                 self.file_of(self.second)]), sorted(names))
        self.assertIn('Not listing the snapshots of volume %s' % broken.id,
                      log.output)

    def test_virtual_size_from_the_qcow2_header(self):
        nfs_share.qemu_img('create', '-f', 'qcow2',
                           self.path('sized.qcow2'), '1536M')
        self.assertEqual(1536 * 1024 * 1024, qcow2_chain.read_virtual_size(
            self.path('sized.qcow2')))
        self.assertIsNone(qcow2_chain.read_virtual_size(
            self.path(self.volume.name)))

    def _write_info_of(self, volume, info):
        with open(self.path(volume.name + '.info'), 'w') as f:
            json.dump(info, f)
