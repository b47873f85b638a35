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

"""Tests of accepting a verify request for a backup (the API's side)."""

import datetime

from cinder.common import constants
from cinder import exception as cinder_exception
from cinder.objects import fields
from cinder.tests.unit import utils as test_utils
from oslo_utils import timeutils

from cinder_snapext.backup import verify
from cinder_snapext.backup import verify_request
from cinder_snapext import exception
from cinder_snapext.tests.unit.backup import test_verify


class _Client:
    """Records casts: the RPC transport is the process boundary."""

    def __init__(self):
        self.casts = []

    def verify_backup(self, context, backup_id, host):
        self.casts.append((backup_id, host))


class VerifyRequestTestCase(test_verify.VerifyBase):

    def setUp(self):
        super().setUp()
        self.client = _Client()

    def _service(self, host='node-b', **values):
        return test_utils.create_service(self.ctxt, dict(
            host=host, binary=constants.BACKUP_BINARY,
            topic=constants.BACKUP_TOPIC, **values))

    def _request(self, backup):
        backup = self._reloaded(backup)
        return verify_request.request(self.ctxt, backup, self.client)

    def test_accepted_request_is_noted_and_cast_to_the_backup_host(self):
        self._service()
        backup = self._backup(host='node-b')
        self._request(backup)
        self.assertEqual([(backup.id, 'node-b')], self.client.casts)
        self.assertIn(verify_request.META_REQUESTED_AT,
                      self._reloaded(backup).metadata)

    def test_backup_in_error_by_a_mismatch_may_be_verified_again(self):
        self._service()
        backup = self._backup(host='node-b')
        self._corrupt(backup, 0)
        self._verify(backup)
        self.assertEqual(fields.BackupStatus.ERROR, self._status(backup))
        self._request(backup)
        self.assertEqual(1, len(self.client.casts))
        # The earlier finding stays until the service reports anew.
        self.assertEqual(verify.MISMATCH, self._reloaded(backup).metadata[
            verify.META_RESULT])

    def test_busy_backup_is_refused(self):
        self._service()
        backup = self._backup(host='node-b',
                              status=fields.BackupStatus.CREATING)
        self.assertRaises(cinder_exception.InvalidBackup, self._request,
                          backup)
        self.assertEqual([], self.client.casts)

    def test_backup_of_another_driver_is_refused(self):
        self._service()
        backup = self._backup(host='node-b')
        backup.service = 'cinder.backup.drivers.posix.PosixBackupDriver'
        backup.save()
        error = self.assertRaises(cinder_exception.InvalidBackup,
                                  self._request, backup)
        self.assertIn('only Ceph backups', str(error))
        self.assertEqual(400, error.code)

    def test_backup_service_down_is_refused_with_503(self):
        long_ago = timeutils.utcnow() - datetime.timedelta(hours=1)
        self._service(updated_at=long_ago, created_at=long_ago)
        backup = self._backup(host='node-b')
        error = self.assertRaises(exception.BackupServiceDown,
                                  self._request, backup)
        self.assertEqual(503, error.code)
        self.assertIn('node-b', str(error))
        self.assertEqual([], self.client.casts)
        self.assertNotIn(verify_request.META_REQUESTED_AT,
                         self._reloaded(backup).metadata)

    def test_disabled_or_other_host_service_does_not_count(self):
        self._service(disabled=True)
        self._service(host='node-c')
        backup = self._backup(host='node-b')
        self.assertRaises(exception.BackupServiceDown, self._request, backup)
