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

"""A delete landing while a verify reads: never a false mismatch."""

import datetime
import errno
from unittest import mock

from cinder import exception as cinder_exception
from cinder import objects
from cinder.objects import fields
from oslo_utils import fixture as utils_fixture

from cinder_snapext.backup import endpoint
from cinder_snapext.backup import verify
from cinder_snapext.backup import verify_mark
from cinder_snapext.tests.unit.backup import test_verify
from cinder_snapext.tests.unit.fake_ceph import librbd


class ConcurrentDeleteTestCase(test_verify.VerifyBase):
    """Deletes run after the reads are issued and before they complete."""

    def setUp(self):
        super().setUp()
        self.mock_object(endpoint.importutils, 'try_import',
                         side_effect={'rados': self.rados,
                                      'rbd': librbd}.get)
        self.endpoint = endpoint.SnapextBackupEndpoint(mock.sentinel.manager)

    def _during_reads(self, action):
        queue = librbd.AIO
        complete = queue.complete_pending

        def first():
            queue.complete_pending = complete
            action()
            complete()
        queue.complete_pending = first

    def _delete_backup(self, backup, destroy=True):
        # What Cinder does: the API sets deleting, the Ceph driver removes
        # the point and the image, the manager destroys the row.
        row = self._reloaded(backup)
        row.status = fields.BackupStatus.DELETING
        row.save()
        with librbd.Image(self.backups, self.image) as img:
            img.remove_snap('backup.%s.snap.1.0' % backup.id)
        librbd.RBD().remove(self.backups, self.image)
        if destroy:
            row.destroy()

    def _delete_snapshot(self, destroy=True):
        with librbd.Image(self.volumes, self.volume.name) as vol:
            vol.remove_snap(self.snapshot.name)
        if destroy:
            self.snapshot.destroy()

    def test_backup_deleted_mid_read_is_unverifiable_not_an_error(self):
        backup = self._backup()
        self._during_reads(lambda: self._delete_backup(backup))
        self.endpoint.verify_backup(self.ctxt, backup.id)
        self.assertEqual([], self._messages(backup))
        self.assertRaises(cinder_exception.BackupNotFound,
                          self._reloaded, backup)

    def test_backup_being_deleted_is_unverifiable_and_left_deleting(self):
        backup = self._backup()
        self._during_reads(lambda: self._delete_backup(backup, False))
        outcome = self._verify(backup, mark_unverifiable=True)
        self.assertEqual(verify.UNVERIFIABLE, outcome.result)
        self.assertIn('became deleting while it was being verified',
                      outcome.detail)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.DELETING, backup.status)
        self.assertIsNone(backup.fail_reason)
        self.assertEqual([], self._messages(backup))

    def _assert_unverifiable_source(self, backup):
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._assert_recorded_unverifiable(
            backup, 'vanished while it was being read')
        self.assertNotIn(verify_mark.MARK, backup.metadata)

    def test_source_snapshot_deleted_mid_read_is_unverifiable(self):
        backup = self._backup()
        self._during_reads(self._delete_snapshot)
        self._assert_unverifiable_source(backup)

    def test_source_snapshot_deleting_mid_read_is_unverifiable(self):
        # The backend snapshot is gone, its row still says deleting.
        backup = self._backup()
        self._during_reads(lambda: self._delete_snapshot(destroy=False))
        self._assert_unverifiable_source(backup)

    def test_backup_image_removed_behind_cinders_back_is_a_mismatch(self):
        # No delete in the database: the data is lost, and verify says so.
        backup = self._backup()

        def remove_image():
            with librbd.Image(self.backups, self.image) as img:
                img.remove_snap('backup.%s.snap.1.0' % backup.id)
            librbd.RBD().remove(self.backups, self.image)
        self._during_reads(remove_image)
        outcome = self._verify(backup)
        self.assertEqual(verify.MISMATCH, outcome.result)
        self.assertIn('vanished while it was being read', outcome.detail)
        self.assertEqual(fields.BackupStatus.ERROR,
                         self._status(backup))
        self.assertEqual(1, len(self._messages(backup)))

    def test_read_error_is_neither_mismatch_nor_left_marked(self):
        backup = self._backup()
        self.backups.failures[(self.image, 'read', 0)] = errno.EIO
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertNotIn(verify.META_RESULT, backup.metadata)
        self.assertNotIn(verify_mark.MARK, backup.metadata)

    def test_mark_holds_while_verify_runs_and_goes_when_it_ends(self):
        backup = self._backup()
        seen = []
        self._during_reads(lambda: seen.append(
            verify_mark.since(self._reloaded(backup))))
        self.endpoint.verify_backup(self.ctxt, backup.id)
        self.assertIsNotNone(seen[0])
        backup = self._reloaded(backup)
        self.assertEqual(verify.MATCH, backup.metadata[verify.META_RESULT])
        self.assertIsNone(verify_mark.since(backup))
        self.assertNotIn(verify_mark.MARK, backup.metadata)

    def test_restarted_service_clears_the_marks_of_its_host_only(self):
        ours = self._backup(host='node1')
        other = self._backup(host='node2')
        for backup in (ours, other):
            verify_mark.start(self._reloaded(backup))
        self.assertEqual(1, verify_mark.clear_host(self.ctxt, 'node1'))
        self.assertNotIn(verify_mark.MARK, self._reloaded(ours).metadata)
        self.assertIsNotNone(verify_mark.since(self._reloaded(other)))
        self.assertEqual(0, verify_mark.clear_host(self.ctxt, 'node1'))


class MarkAgeTestCase(test_verify.VerifyBase):

    def test_mark_is_stale_after_the_timeout(self):
        self.override_config('backup_verify_timeout', 600, group='snapext')
        start = datetime.datetime(2026, 12, 6, 12, 0, 0)
        clock = self.useFixture(utils_fixture.TimeFixture(start))
        backup = self._backup()
        verify_mark.start(backup)
        backup = objects.Backup.get_by_id(self.ctxt, backup.id)
        clock.advance_time_seconds(600)
        self.assertEqual(start, verify_mark.since(backup))
        clock.advance_time_seconds(1)
        self.assertIsNone(verify_mark.since(backup))

    def test_unreadable_mark_is_stale(self):
        backup = self._backup(metadata={verify_mark.MARK: 'yesterday'})
        self.assertIsNone(verify_mark.since(backup))
