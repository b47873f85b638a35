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

"""SnapextNfsDriver: assisted deletes, and the guard of open phases."""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects

from cinder_snapext import exception
from cinder_snapext.tests.unit.volume.drivers import nfs_share
from cinder_snapext.tests.unit.volume.drivers import test_nfs
from cinder_snapext.volume.assisted import phases


class SnapextNfsAssistedDeleteTestCase(test_nfs.AssistedTestCase):

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
