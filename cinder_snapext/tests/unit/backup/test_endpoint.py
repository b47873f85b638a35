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

"""Tests of the backup service's snapext RPC endpoint (verify on request)."""

from unittest import mock

from cinder.objects import fields

from cinder_snapext.backup import endpoint
from cinder_snapext.backup import verify
from cinder_snapext.tests.unit.backup import test_verify
from cinder_snapext.tests.unit.fake_ceph import librbd


class VerifyEndpointTestCase(test_verify.VerifyBase):
    """verify_backup as the RPC server calls it, on the Ceph double."""

    def setUp(self):
        super().setUp()
        self.modules = {'rados': self.rados, 'rbd': librbd}
        # The process boundary: python3-rados and python3-rbd.
        self.mock_object(endpoint.importutils, 'try_import',
                         side_effect=lambda name: self.modules.get(name))
        self.endpoint = endpoint.SnapextBackupEndpoint(mock.sentinel.manager)

    def test_target_is_the_snapext_namespace(self):
        self.assertEqual(('snapext', '1.0'),
                         (self.endpoint.target.namespace,
                          self.endpoint.target.version))

    def test_match_lands_in_the_metadata(self):
        backup = self._backup()
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._reloaded(backup)
        self.assertEqual(verify.MATCH, backup.metadata[verify.META_RESULT])
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)

    def test_corruption_puts_the_backup_in_error_with_a_message(self):
        backup = self._backup()
        self._corrupt(backup, 3)
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._reloaded(backup)
        self.assertEqual((fields.BackupStatus.ERROR, verify.MISMATCH),
                         (backup.status, backup.metadata[verify.META_RESULT]))
        self.assertEqual(1, len(self._messages(backup)))

    def test_unverifiable_says_why_in_the_metadata_only(self):
        backup = self._backup()
        self.snapshot.destroy()
        self.endpoint.verify_backup(self.ctxt, backup.id)
        self._assert_recorded_unverifiable(backup, 'no longer exists')

    def test_missing_ceph_modules_are_named(self):
        self.modules.clear()
        backup = self._backup()
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.AVAILABLE, backup.status)
        self.assertIn('python3-rados', backup.metadata[verify.META_DETAIL])

    def test_backup_busy_since_the_request_is_left_alone(self):
        backup = self._backup(status=fields.BackupStatus.RESTORING)
        self.endpoint.verify_backup(self.ctxt, backup.id)
        backup = self._reloaded(backup)
        self.assertEqual(fields.BackupStatus.RESTORING, backup.status)
        self.assertNotIn(verify.META_RESULT, backup.metadata)

    def test_deleted_backup_is_left_alone(self):
        backup = self._backup()
        backup.destroy()
        # Must not raise: a cast has nobody to answer.
        self.endpoint.verify_backup(self.ctxt, backup.id)
