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

"""Tests of verifying a Ceph backup against its source and marking it."""

import hashlib
from unittest import mock

from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder import exception as cinder_exception
from cinder import objects
from cinder.objects import fields
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as test_utils

from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import verify
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

BLOCK = librbd.BLOCK
SIZE = 64 * BLOCK
CINDER_CEPH = 'cinder.backup.drivers.ceph.CephBackupDriver'
OURS = 'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver'


class VerifyBase(base.TestCase):
    """A volume with a snapshot on RBD, and its backups in the pool."""

    def setUp(self):
        super().setUp()
        aio = mock.patch.object(librbd, 'AIO', librbd_aio.AioQueue())
        aio.start()
        self.addCleanup(aio.stop)
        self.ctxt = cinder_context.get_admin_context()
        self.ctxt.project_id, self.ctxt.user_id = (fake.PROJECT_ID,
                                                   fake.USER_ID)
        self.volumes = librados.Ioctx('rbd')
        self.backups = librados.Ioctx('backups')
        self.rados = librados.Cluster({'rbd': self.volumes,
                                 'backups': self.backups})
        self.volume = test_utils.create_volume(self.ctxt,
                                               host='node@ceph#rbd')
        self.snapshot = test_utils.create_snapshot(
            self.ctxt, self.volume.id,
            status=fields.SnapshotStatus.AVAILABLE)
        self.data = hashlib.shake_256(b'verify').digest(SIZE)
        librbd.RBD().create(self.volumes, self.volume.name, SIZE)
        with librbd.Image(self.volumes, self.volume.name) as vol:
            vol.write(self.data, 0)
            vol.create_snap(self.snapshot.name)
            # The volume moves on after the snapshot.
            vol.write(b'later' * 100, 0)

    def _backup(self, snapshot_id=True, point=True, **kwargs):
        backup = test_utils.create_backup(
            self.ctxt, self.volume.id,
            snapshot_id=self.snapshot.id if snapshot_id else None,
            status=kwargs.pop('status', fields.BackupStatus.AVAILABLE),
            container='backups', **kwargs)
        image = 'volume-%s.backup.%s' % (self.volume.id, backup.id)
        backup.service = CINDER_CEPH
        backup.service_metadata = rbd_chain.service_metadata(
            image, rbd_chain.FULL, SIZE)
        backup.save()
        librbd.RBD().create(self.backups, image, SIZE)
        with librbd.Image(self.backups, image) as img:
            img.write(self.data, 0)
            if point:
                img.create_snap('backup.%s.snap.1.0' % backup.id)
        self.image = image
        return backup

    def _corrupt(self, backup, offset):
        # What a "rados put" over one of the point's objects does.
        image = 'volume-%s.backup.%s' % (self.volume.id, backup.id)
        data = self.backups.images[image].snaps[
            'backup.%s.snap.1.0' % backup.id].data
        data[offset] ^= 0xff

    def _verify(self, backup, **kwargs):
        return verify.verify(self.ctxt, backup.id, self.rados, librbd,
                             **kwargs)

    def _reloaded(self, backup):
        return objects.Backup.get_by_id(self.ctxt, backup.id)

    def _status(self, backup):
        return self._reloaded(backup).status

    def _messages(self, backup):
        return [m for m in db_api.message_get_all(self.ctxt)
                if m['resource_uuid'] == backup.id]

    def _assert_recorded_unverifiable(self, backup, why):
        """backup is available, says why in its metadata, and no more."""
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertEqual(verify.UNVERIFIABLE,
                         backup.metadata[verify.META_RESULT])
        self.assertIn(why, backup.metadata[verify.META_DETAIL])
        self.assertEqual([], self._messages(backup))
        return backup


class VerifyTestCase(VerifyBase):

    def test_matching_backup_is_recorded_as_such(self):
        backup = self._backup()
        outcome = self._verify(backup)
        self.assertEqual(verify.MATCH, outcome.result)
        self.assertIn(hashlib.sha256(self.data).hexdigest(), outcome.detail)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertEqual(verify.MATCH, backup.metadata[verify.META_RESULT])
        self.assertIn(verify.META_AT, backup.metadata)
        self.assertEqual([], self._messages(backup))
        # The volume's cluster as its backend section says (rbd_user unset
        # there), then the backups' cluster as backup_ceph_user says.
        self.assertEqual([None, 'cinder'],
                         [c['rados_id'] for c in self.rados.connected])

    def test_corrupted_backup_goes_to_error_with_a_user_message(self):
        backup = self._backup()
        self._corrupt(backup, 5 * BLOCK + 7)
        outcome = self._verify(backup)
        self.assertEqual(verify.MISMATCH, outcome.result)
        self.assertIn('1 of 1 chunks', outcome.detail)
        self.assertIn('first at byte 0', outcome.detail)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.ERROR, backup.status)
        self.assertTrue(backup.fail_reason.startswith(
            'cinder-snapext verify: 1 of 1 chunks'))
        self.assertEqual(verify.MISMATCH,
                         backup.metadata[verify.META_RESULT])
        messages = self._messages(backup)
        self.assertEqual(1, len(messages))
        self.assertEqual(fake.PROJECT_ID, messages[0]['project_id'])
        self.assertEqual('VOLUME_BACKUP', messages[0]['resource_type'])

    def test_backup_found_whole_again_returns_to_available(self):
        backup = self._backup()
        self._corrupt(backup, 100)
        self._verify(backup)
        self._corrupt(backup, 100)
        self.assertEqual(verify.MATCH, self._verify(backup).result)
        backup = self._reloaded(backup)
        self.assertEqual((fields.BackupStatus.AVAILABLE, None),
                         (backup.status, backup.fail_reason))

    def test_error_of_another_cause_is_refused(self):
        backup = self._backup(status=fields.BackupStatus.ERROR)
        self.assertRaises(cinder_exception.InvalidBackup, self._verify,
                          backup)

    def test_missing_backup_image_is_a_mismatch(self):
        backup = self._backup()
        with librbd.Image(self.backups, self.image) as img:
            img.remove_snap('backup.%s.snap.1.0' % backup.id)
        librbd.RBD().remove(self.backups, self.image)
        outcome = self._verify(backup)
        self.assertEqual(verify.MISMATCH, outcome.result)
        self.assertIn('the backup image is gone', outcome.detail)
        self.assertEqual(fields.BackupStatus.ERROR,
                         self._reloaded(backup).status)

    def test_without_its_point_the_image_head_is_compared(self):
        backup = self._backup(point=False)
        self.assertEqual(verify.MATCH, self._verify(backup).result)
        with librbd.Image(self.backups, self.image) as img:
            img.write(b'x', SIZE - 1)
        self.assertEqual(verify.MISMATCH, self._verify(backup).result)

    def test_deleted_snapshot_makes_it_unverifiable_and_unchanged(self):
        backup = self._backup()
        self.snapshot.destroy()
        outcome = self._verify(backup)
        self.assertEqual(verify.UNVERIFIABLE, outcome.result)
        self.assertIn('no longer exists', outcome.detail)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertNotIn(verify.META_RESULT, backup.metadata)

    def test_volume_backup_is_compared_with_its_volume_point(self):
        backup = self._backup(snapshot_id=False)
        outcome = self._verify(backup)
        self.assertEqual(verify.UNVERIFIABLE, outcome.result)
        self.assertIn('pruned', outcome.detail)
        with librbd.Image(self.volumes, self.volume.name) as vol:
            vol.write(self.data, 0)
            vol.create_snap('backup.%s.snap.1.0' % backup.id)
        self.assertEqual(verify.MATCH, self._verify(backup).result)

    def test_no_mark_changes_nothing(self):
        backup = self._backup()
        self._corrupt(backup, 0)
        outcome = self._verify(backup, mark=False)
        self.assertEqual(verify.MISMATCH, outcome.result)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertNotIn(verify.META_RESULT, backup.metadata)
        self.assertEqual([], self._messages(backup))

    def test_backup_of_another_driver_is_unverifiable(self):
        backup = self._backup()
        backup.service = 'cinder.backup.drivers.posix.PosixBackupDriver'
        backup.save()
        self.assertEqual(verify.UNVERIFIABLE, self._verify(backup).result)
