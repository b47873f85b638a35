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

"""The backup action snapext-verify through the real API and RPC."""

import json

from cinder import context as cinder_context
from cinder import objects
from cinder.objects import fields
from cinder.tests.unit import utils as test_utils
import fixtures

from cinder_snapext.backup import verify_mark
from cinder_snapext.tests.functional import base

CINDER_CEPH = 'cinder.backup.drivers.ceph.CephBackupDriver'
POSIX = 'cinder.backup.drivers.posix.PosixBackupDriver'


class BackupVerifyActionTestCase(base.FunctionalTestCase):
    """API -> backup service's snapext endpoint -> the backup's metadata.

    This process has no python3-rados: a Ceph backup comes back
    unverifiable, saying so, which proves the round trip; the comparison
    itself is tested on the Ceph double (unit) and the real stack.
    """

    # Backup metadata is shown from 3.43 on.
    _osapi_version = '3.43'

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.backup_service = self.start_backup_service(connector=None)
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.volume = self.wait_for(
            lambda: self.api.get_volume(volume['id']),
            lambda v: v['status'] == 'available')

    def _get_flags(self):
        flags = super()._get_flags()
        flags['backup_manager'] = {
            'v': 'cinder_snapext.backup.manager.SnapextBackupManager'}
        flags['backup_driver'] = {'v': POSIX}
        flags['backup_api_class'] = {
            'v': 'cinder_snapext.backup.api.SnapextBackupAPI'}
        flags['backup_posix_path'] = {'v': self.useFixture(
            fixtures.TempDir()).path}
        return flags

    def _backup_row(self, service=CINDER_CEPH, **kwargs):
        backup = test_utils.create_backup(
            self.ctxt, self.volume['id'], host=self.backup_service.host,
            status=kwargs.pop('status', fields.BackupStatus.AVAILABLE),
            project_id=self.volume['os-vol-tenant-attr:tenant_id'],
            availability_zone=self.volume['availability_zone'], **kwargs)
        backup.service = service
        backup.save()
        return backup

    def _action(self, backup_id, body=None):
        """The raw answer: the client's api_post hides the status."""
        return self.api.api_request(
            '/backups/%s/action' % backup_id, method='POST',
            body=json.dumps(body or {'snapext-verify': {}}),
            headers={'Content-Type': 'application/json'})

    def _refused(self, status, backup_id, body=None):
        response = self._action(backup_id, body)
        self.assertEqual(status, response.status_code, response.text)
        return response.text

    def _shown(self, backup_id):
        return self.api.api_get('/backups/%s' % backup_id)['backup']

    def test_request_reaches_the_backup_service_and_is_answered(self):
        backup = self._backup_row()
        response = self._action(backup.id)
        self.assertEqual(202, response.status_code)
        shown = self.wait_for(
            lambda: self._shown(backup.id),
            lambda b: 'snapext_verify' in b['metadata'])
        self.assertEqual('unverifiable', shown['metadata']['snapext_verify'])
        self.assertIn('python3-rados',
                      shown['metadata']['snapext_verify_detail'])
        self.assertIn('snapext_verify_requested_at', shown['metadata'])
        self.assertEqual('available', shown['status'])

    def test_null_body_value_is_accepted(self):
        backup = self._backup_row()
        self.assertEqual(202, self._action(
            backup.id, {'snapext-verify': None}).status_code)

    def test_backup_of_another_driver_is_refused(self):
        backup = self._backup_row(service=POSIX)
        self.assertIn('only Ceph backups', self._refused(400, backup.id))
        self.assertNotIn('snapext_verify_requested_at',
                         self._shown(backup.id)['metadata'])

    def test_busy_backup_is_refused(self):
        backup = self._backup_row(status=fields.BackupStatus.CREATING)
        self.assertIn('not available', self._refused(400, backup.id))

    def test_unknown_and_malformed_ids_are_404(self):
        self._refused(404, '0b1e8f44-5c3a-4a77-9f0c-1d2e3f405162')
        self._refused(404, 'not-an-id')

    def test_bad_bodies_are_400(self):
        backup = self._backup_row()
        for body in ({'snapext-verify': {'x': 1}},
                     {'snapext-verify': 'now'},
                     {'snapext-verify': {}, 'other': 1}):
            self._refused(400, backup.id, body)

    def test_disabled_backup_service_is_503(self):
        backup = self._backup_row()
        service = objects.Service.get_by_id(self.ctxt,
                                            self.backup_service.service_id)
        service.disabled = True
        service.save()
        self.assertIn('is not up', self._refused(503, backup.id))

    def _delete(self, backup_id):
        return self.api.api_request('/backups/%s' % backup_id,
                                    method='DELETE')

    def test_delete_during_a_verify_is_refused_until_it_ends(self):
        backup = self._backup_row()
        verify_mark.start(backup)
        response = self._delete(backup.id)
        self.assertEqual(400, response.status_code, response.text)
        self.assertIn('is being verified since', response.text)
        self.assertEqual('available', self._shown(backup.id)['status'])
        # The verify ends (here: its service ran it, as a request does).
        self.assertEqual(202, self._action(backup.id).status_code)
        self.wait_for(lambda: self._shown(backup.id),
                      lambda b: 'snapext_verifying_since' not in
                      b['metadata'])
        response = self._delete(backup.id)
        self.assertEqual(202, response.status_code, response.text)

    def test_stale_mark_does_not_hold_the_backup(self):
        backup = self._backup_row(
            metadata={'snapext_verifying_since': '2026-01-01T00:00:00'})
        response = self._delete(backup.id)
        self.assertEqual(202, response.status_code, response.text)

    def test_restarted_backup_service_lets_its_marked_backups_go(self):
        backup = self._backup_row()
        verify_mark.start(backup)
        self.assertEqual(400, self._delete(backup.id).status_code)
        # What a restart runs: the verify died with the previous process.
        self.backup_service.manager.init_host()
        self.assertNotIn('snapext_verifying_since',
                         self._shown(backup.id)['metadata'])
        response = self._delete(backup.id)
        self.assertEqual(202, response.status_code, response.text)
