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

from cinder_snapext import exception
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


class SnapextNfsAssistedDeleteTestCase(AssistedTestCase):

    def snapshots(self, volume, count):
        """``count`` online snapshots of ``volume``, oldest first.

        :returns: the snapshots and the checksum of each one's data.
        """
        made, sums = [], []
        for _ in range(count):
            sums.append(self.checksum(self.info(volume)['active']
                                      if made else volume.name))
            snapshot, metadata = self.begin(self.reload(volume))
            self.nova_create()
            self.complete(snapshot, metadata)
            made.append(cinder_objects.Snapshot.get_by_id(self.ctxt,
                                                          snapshot.id))
        return made, sums

    def delete(self, snapshot, nova=True):
        snapshot.status = 'deleting'
        snapshot.save()
        snapshot = cinder_objects.Snapshot.get_by_id(self.ctxt, snapshot.id)
        self.assertTrue(self.driver.snapshot_needs_compute(snapshot))
        metadata = self.driver.delete_snapshot_assisted_begin(
            self.ctxt, snapshot)['admin_metadata']
        delete_info = self.nova_delete() if nova else None
        snapshot = cinder_objects.Snapshot.get_by_id(self.ctxt, snapshot.id)
        self.driver.delete_snapshot_assisted_complete(self.ctxt, snapshot,
                                                      metadata)
        return delete_info

    def test_delete_inner_snapshot_is_a_block_commit(self):
        volume = self.create_volume(attached=True)
        (first, second), (_sum1, sum2) = self.snapshots(volume, 2)
        files = {s.id: '%s.%s' % (volume.name, s.id) for s in (first,
                                                                second)}
        active_sum = self.checksum(files[second.id])

        delete_info = self.delete(first)

        self.assertEqual({'file_to_merge': files[first.id],
                          'merge_target_file': volume.name,
                          'type': 'qcow2', 'volume_id': volume.id},
                         delete_info)
        self.assertEqual({'active': files[second.id],
                          second.id: files[second.id]}, self.info(volume))
        self.assertEqual([files[second.id], volume.name],
                         self.chain(files[second.id]))
        self.assertNotIn(files[first.id], self.files())
        self.assertEqual(active_sum, self.checksum(files[second.id]))
        # The remaining snapshot's data is intact beneath the active file.
        self.assertEqual(sum2, self.checksum(volume.name))

    def test_delete_active_snapshot_pulls_the_older_one_into_it(self):
        volume = self.create_volume(attached=True)
        (first, second), (sum1, _sum2) = self.snapshots(volume, 2)
        files = {s.id: '%s.%s' % (volume.name, s.id) for s in (first,
                                                                second)}
        active_sum = self.checksum(files[second.id])

        delete_info = self.delete(second)

        self.assertEqual({'file_to_merge': volume.name,
                          'merge_target_file': None,
                          'type': 'qcow2', 'volume_id': volume.id},
                         delete_info)
        # The first snapshot's overlay is now the active file.
        self.assertEqual({'active': files[second.id],
                          first.id: files[second.id]}, self.info(volume))
        self.assertEqual([files[second.id], volume.name],
                         self.chain(files[second.id]))
        self.assertNotIn(files[first.id], self.files())
        self.assertEqual(active_sum, self.checksum(files[second.id]))
        self.assertEqual(sum1, self.checksum(volume.name))

    def test_delete_last_snapshot_flattens_the_volume_into_its_overlay(self):
        volume = self.create_volume(attached=True)
        (only,), _sums = self.snapshots(volume, 1)
        only_file = '%s.%s' % (volume.name, only.id)
        active_sum = self.checksum(only_file)

        delete_info = self.delete(only)

        self.assertEqual({'file_to_merge': None, 'merge_target_file': None,
                          'type': 'qcow2', 'volume_id': volume.id},
                         delete_info)
        self.assertEqual({'active': only_file}, self.info(volume))
        self.assertEqual([only_file, volume.name + '.info'], self.files())
        self.assertEqual([only_file], self.chain(only_file))
        self.assertEqual(active_sum, self.checksum(only_file))
        metadata = self.reload(volume).admin_metadata
        self.assertEqual(('qcow2', 'qcow2'),
                         (metadata['format'], metadata['base_format']))

    def test_complete_before_nova_merged_deletes_nothing(self):
        volume = self.create_volume(attached=True)
        (first, second), _sums = self.snapshots(volume, 2)
        files_before, info_before = self.files(), self.info(volume)

        self.assertRaises(cinder_exception.RemoteFSException,
                          self.delete, first, nova=False)
        self.assertEqual(files_before, self.files())
        self.assertEqual(info_before, self.info(volume))


class SnapextNfsPhaseGuardTestCase(nfs_share.NfsShareTestCase):
    """Nothing touches the chain while Nova works on a snapshot."""

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume(attached=True)
        self.waiting = self.create_snapshot(self.volume)
        self.driver.create_snapshot_assisted_begin(self.ctxt, self.waiting)
        phases.write(self.ctxt, self.waiting.id,
                     {phases.PHASE_KEY: phases.CREATE_WAITING})
        self.files_before = self.files()

    def assertRefused(self, call, *args):
        error = self.assertRaises(exception.AssistedSnapshotInProgress,
                                  call, *args)
        self.assertIn(self.waiting.id, str(error))
        self.assertEqual(self.files_before, self.files())

    def test_direct_snapshot_create_refused(self):
        # Cinder's backup of an attached volume takes one this way.
        self.assertRefused(self.driver.create_snapshot,
                           self.create_snapshot(self.volume))
        self.nova.create_volume_snapshot.assert_called_once()

    def test_second_assisted_begin_refused(self):
        self.assertRefused(self.driver.create_snapshot_assisted_begin,
                           self.ctxt, self.create_snapshot(self.volume))

    def test_clone_and_extend_refused(self):
        clone = nfs_share.test_utils.create_volume(self.ctxt, size=1)
        self.assertRefused(self.driver.create_cloned_volume, clone,
                           self.volume)
        self.assertRefused(self.driver.extend_volume, self.volume, 2)

    def test_the_snapshot_in_phase_may_complete(self):
        phases.write(self.ctxt, self.waiting.id,
                     {phases.PHASE_KEY: phases.CREATE_COMPLETING})
        new_file = self.nova_create()['new_file']
        self.driver.create_snapshot_assisted_complete(
            self.ctxt, self.waiting,
            {'nfs:new_file': new_file, 'nfs:backing_file': self.volume.name})
        self.assertEqual(new_file, self.info(self.volume)['active'])

    def test_closed_phase_no_longer_guards(self):
        phases.write(self.ctxt, self.waiting.id,
                     {phases.PHASE_KEY: phases.CREATE_FAILED})
        other = self.create_snapshot(self.volume)
        self.driver.create_snapshot_assisted_begin(self.ctxt, other)
        self.assertEqual(2, self.nova.create_volume_snapshot.call_count)
