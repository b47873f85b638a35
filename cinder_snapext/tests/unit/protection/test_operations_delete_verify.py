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

"""DeleteOperation and VerifyOperation of the protection plugin."""

import ddt

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.tests.unit.protection import fakes
from cinder_snapext.tests.unit.protection import test_operations


@ddt.ddt
class DeleteOperationTestCase(test_operations.OperationTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.cinder.volumes.add('available', size=1)
        self.run_hooks('protect', self.volume.id)
        [self.snapshot] = self.snapshots()

    def test_delete_removes_snapshot_and_metadata(self):
        self.run_hooks('delete', self.volume.id)
        self.assertEqual({'status': 'deleted'}, self.section(self.volume.id))
        self.assertEqual([], self.snapshots())

    def test_delete_treats_missing_snapshot_as_done(self):
        del self.cinder.volume_snapshots.items[self.snapshot.id]
        self.run_hooks('delete', self.volume.id)
        self.assertEqual({'status': 'deleted'}, self.section(self.volume.id))

    @ddt.data('error_deleting', 'available')
    def test_delete_fails_naming_snapshot_status(self, status):
        self.cinder.volume_snapshots.delete_statuses = ['deleting', status]
        error = self.assertRaises(exception.DeleteFailed, self.run_hooks,
                                  'delete', self.volume.id)
        self.assertEqual(
            'Deleting the protection of volume volume-1 failed: Snapshot '
            'snapshot-1 is in status %s, a failure, while waiting for it '
            'to become deleted.' % status, str(error))
        saved = self.section(self.volume.id)
        self.assertEqual(('error', 'snapshot-1'),
                         (saved['status'], saved['metadata']['snapshot_id']))

    def test_delete_refused_by_cinder_names_status(self):
        self.cinder.volume_snapshots.refuse_delete = True
        self.snapshot.status = 'creating'
        error = self.assertRaises(exception.DeleteFailed, self.run_hooks,
                                  'delete', self.volume.id)
        self.assertIn('Cinder refused to delete Snapshot snapshot-1 in '
                      'status creating', str(error))
        self.assertEqual(1, len(self.snapshots()))

    def test_delete_waits_for_snapshot_already_deleting(self):
        self.cinder.volume_snapshots.refuse_delete = True
        self.cinder.volume_snapshots.scripts[self.snapshot.id] = [
            'deleting', 'deleting', None]
        self.run_hooks('delete', self.volume.id)
        self.assertEqual([], self.snapshots())

    def test_delete_deadline_on_snapshot_stuck_deleting(self):
        self.configure(delete_timeout=15, poll_interval=5)
        self.cinder.volume_snapshots.delete_statuses = ['deleting']
        self.clock.slept = []
        error = self.assertRaises(exception.DeleteFailed, self.run_hooks,
                                  'delete', self.volume.id)
        self.assertIn('still in status deleting after 15.0s', str(error))
        self.assertEqual([5.0] * 3, self.clock.slept)

    def test_delete_without_metadata_finds_checkpoint_snapshots(self):
        del self.section(self.volume.id)['metadata']
        other = self.cinder.volume_snapshots.add(
            'available', volume_id=self.volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'checkpoint-2'},
            created_at='2026-11-22T07:00:00')
        self.run_hooks('delete', self.volume.id)
        self.assertEqual([other], self.snapshots())
        self.assertEqual({'status': 'deleted'}, self.section(self.volume.id))

    def test_delete_of_empty_section_is_done(self):
        self.checkpoint = fakes.FakeCheckpoint('checkpoint-2')
        self.run_hooks('delete', self.volume.id)
        self.assertEqual({'status': 'deleted'}, self.section(self.volume.id))
        self.assertEqual([self.snapshot], self.snapshots())


@ddt.ddt
class VerifyOperationTestCase(test_operations.OperationTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.cinder.volumes.add('available', size=1)
        self.run_hooks('protect', self.volume.id)
        [self.snapshot] = self.snapshots()
        self.verify = fakes.FakeRecord()
        self.key = '%s#%s' % (test_operations.VOLUME, self.volume.id)

    def test_verify_available_snapshot(self):
        self.run_hooks('verify', self.volume.id, verify=self.verify)
        self.assertEqual([(self.key, 'available')], self.verify.history)

    @ddt.data('error', 'creating', 'deleting')
    def test_verify_fails_on_unusable_snapshot(self, status):
        self.snapshot.status = status
        error = self.assertRaises(exception.VerifyFailed, self.run_hooks,
                                  'verify', self.volume.id,
                                  verify=self.verify)
        self.assertEqual(
            'Verifying the protection of volume volume-1 failed: Snapshot '
            'snapshot-1 is %s, not available.' % status, str(error))
        self.assertEqual([(self.key, 'error')], self.verify.history)
        self.assertEqual(str(error.__cause__),
                         self.verify.resources_reason[self.key])

    def test_verify_fails_on_missing_snapshot(self):
        del self.cinder.volume_snapshots.items[self.snapshot.id]
        error = self.assertRaises(exception.VerifyFailed, self.run_hooks,
                                  'verify', self.volume.id,
                                  verify=self.verify)
        self.assertIn('snapshot-1 is not-found, not available', str(error))
