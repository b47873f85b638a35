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

"""SnapextNfsDriver: assisted snapshots in phases, on real qcow2 chains."""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects

from cinder_snapext.tests.unit.volume.drivers import nfs_share
from cinder_snapext.volume.assisted import phases


class AssistedTestCase(nfs_share.NfsShareTestCase):
    """Runs the driver's halves as SnapextVolumeManager does."""

    def begin(self, volume):
        snapshot = self.create_snapshot(volume)
        metadata = self.driver.create_snapshot_assisted_begin(self.ctxt,
                                                              snapshot)
        return snapshot, metadata['admin_metadata']

    def complete(self, snapshot, metadata):
        snapshot = cinder_objects.Snapshot.get_by_id(self.ctxt, snapshot.id)
        return self.driver.create_snapshot_assisted_complete(
            self.ctxt, snapshot, metadata)


class SnapextNfsAssistedCreateTestCase(AssistedTestCase):

    def test_begin_creates_overlay_and_asks_nova_without_recording_it(self):
        volume = self.create_volume(attached=True)
        snapshot, metadata = self.begin(volume)

        new_file = '%s.%s' % (volume.name, snapshot.id)
        self.assertEqual({'nfs:new_file': new_file,
                          'nfs:backing_file': volume.name}, metadata)
        self.assertEqual([new_file, volume.name], self.chain(new_file))
        self.nova.create_volume_snapshot.assert_called_once_with(
            self.ctxt, volume.id, {'type': 'qcow2', 'new_file': new_file,
                                   'snapshot_id': snapshot.id})
        # Until Nova answers, Cinder's view of the volume is unchanged.
        self.assertEqual([volume.name, new_file], self.files())
        attachment = self.reload(volume).volume_attachment[0]
        self.assertEqual((volume.name, 'raw'),
                         (attachment.connection_info['data']['name'],
                          attachment.connection_info['data']['format']))

    def test_complete_records_overlay_connection_and_formats(self):
        volume = self.create_volume(attached=True)
        before = self.checksum(volume.name)
        snapshot, metadata = self.begin(volume)
        new_file = self.nova_create()['new_file']

        self.assertIsNone(self.complete(snapshot, metadata))

        self.assertEqual({'active': new_file, snapshot.id: new_file},
                         self.info(volume))
        volume = self.reload(volume)
        self.assertEqual({'format': 'qcow2', 'base_format': 'raw'},
                         {k: volume.admin_metadata[k]
                          for k in ('format', 'base_format')})
        connection_info = volume.volume_attachment[0].connection_info
        self.assertEqual(new_file, connection_info['name'])
        self.assertEqual('qcow2', connection_info['format'])
        # The snapshot keeps the data of its moment; the guest's writes
        # went to the overlay.
        self.assertEqual(before, self.checksum(volume.name))
        self.assertNotEqual(before, self.checksum(new_file))

    def test_second_snapshot_stacks_on_the_first(self):
        volume = self.create_volume(attached=True)
        first, metadata = self.begin(volume)
        self.nova_create()
        self.complete(first, metadata)
        second, metadata = self.begin(self.reload(volume))
        self.nova_create()
        self.complete(second, metadata)

        files = ['%s.%s' % (volume.name, s.id) for s in (second, first)]
        self.assertEqual({'active': files[0], first.id: files[1],
                          second.id: files[0]}, self.info(volume))
        self.assertEqual(files + [volume.name], self.chain(files[0]))
        self.assertEqual(
            'raw', self.reload(volume).admin_metadata['base_format'])

    def test_complete_refuses_a_chain_changed_meanwhile(self):
        volume = self.create_volume(attached=True)
        snapshot, metadata = self.begin(volume)
        # Something else made itself the active file in the meantime.
        nfs_share.qemu_img('create', '-f', 'qcow2', '-b', volume.name,
                           '-F', 'raw', self.path(volume.name + '.other'))
        with open(self.path(volume.name + '.info'), 'w') as f:
            f.write('{"active": "%s.other"}' % volume.name)

        self.assertRaises(cinder_exception.RemoteFSException,
                          self.complete, snapshot, metadata)
        self.assertEqual({'active': volume.name + '.other'},
                         self.info(volume))
        self.assertEqual(
            'raw', self.reload(volume).admin_metadata['format'])

    def test_begin_removes_overlay_when_nova_refuses(self):
        volume = self.create_volume(attached=True)
        self.nova.create_volume_snapshot.side_effect = (
            cinder_exception.APIException('nova says no'))
        snapshot = self.create_snapshot(volume)

        self.assertRaises(cinder_exception.APIException,
                          self.driver.create_snapshot_assisted_begin,
                          self.ctxt, snapshot)
        self.assertEqual([volume.name], self.files())

    def test_abort_after_compute_error_removes_unused_overlay(self):
        volume = self.create_volume(attached=True)
        before = self.checksum(volume.name)
        snapshot, metadata = self.begin(volume)

        self.assertIsNone(self.driver.create_snapshot_assisted_abort(
            self.ctxt, snapshot, metadata, phases.REASON_COMPUTE_ERROR))
        self.assertEqual([volume.name], self.files())
        self.assertEqual(before, self.checksum(volume.name))

    def test_abort_after_timeout_keeps_overlay_and_names_it(self):
        volume = self.create_volume(attached=True)
        snapshot, metadata = self.begin(volume)

        updates = self.driver.create_snapshot_assisted_abort(
            self.ctxt, snapshot, metadata, phases.REASON_TIMEOUT)

        new_file = metadata['nfs:new_file']
        self.assertEqual({'admin_metadata': {'nfs:left_file': new_file}},
                         updates)
        self.assertEqual([volume.name, new_file], self.files())

    def test_needs_compute_only_for_attached_volumes(self):
        detached = self.create_volume()
        attached = self.create_volume(attached=True)
        self.assertFalse(self.driver.snapshot_needs_compute(
            self.create_snapshot(detached)))
        self.assertTrue(self.driver.snapshot_needs_compute(
            self.create_snapshot(attached)))

    def test_needs_compute_not_for_deleting_a_snapshot_never_created(self):
        volume = self.create_volume(attached=True)
        snapshot = self.create_snapshot(volume, status='deleting')
        self.assertFalse(self.driver.snapshot_needs_compute(snapshot))

    def test_offline_snapshot_takes_cinders_path(self):
        volume = self.create_volume()
        before = self.checksum(volume.name)
        snapshot = self.create_snapshot(volume)

        self.driver.create_snapshot(snapshot)
        new_file = '%s.%s' % (volume.name, snapshot.id)
        self.assertEqual({'active': new_file, snapshot.id: new_file},
                         self.info(volume))
        nfs_share.qemu_io_write(self.path(new_file), 'qcow2', 0x31, 3)

        snapshot.status = 'deleting'
        self.driver.delete_snapshot(snapshot)
        self.assertEqual({'active': volume.name}, self.info(volume))
        self.assertEqual([volume.name, volume.name + '.info'], self.files())
        self.assertNotEqual(before, self.checksum(volume.name))
        self.nova.create_volume_snapshot.assert_not_called()
        self.nova.delete_volume_snapshot.assert_not_called()
