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

"""Every route that removes a volume's data refuses while exports remain."""

import datetime

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.tests.functional.api import client
from oslo_utils import timeutils

from cinder_snapext.objects import snapshot_export
from cinder_snapext.tests.functional import base
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.volume import rpcapi

MANAGE = '/os-snapshot-manage'


class _ExportedSnapshotBase(base.FunctionalTestCase):
    """A volume whose only snapshot was exported through ``export_path``."""

    _osapi_version = '3.70'
    export_path = '%s/%%s/action' % MANAGE

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = self.create_volume_and_snapshot()
        self.volume_id = self.snapshot['volume_id']
        self.name = 'snapshot-%s' % self.snapshot['id']
        self.api.api_post(self.export_path % self.snapshot['id'],
                          {'os-unmanage': {}})
        self.wait_for(lambda: self.api.get_snapshot(self.snapshot['id']),
                      lambda s: s is None)

    def assertRefused(self, method, path, body=None):
        call = getattr(self.api, 'api_' + method)
        args = (path,) if body is None else (path, body)
        error = self.assertRaises(client.OpenStackApiException, call, *args)
        self.assertEqual(400, error.response.status_code, error.response.text)
        self.assertIn(self.name,
                      error.response.json()['badRequest']['message'])
        self.assertEqual('available',
                         self.api.get_volume(self.volume_id)['status'])
        self.assertIn(self.name,
                      fake_backend.SNAPSHOTS['volume-%s' % self.volume_id])

    def action(self, body):
        return '/volumes/%s/action' % self.volume_id, body

    def forbid_volume_service_calls(self):
        """Any synchronous call from the API to a volume service fails."""
        self.mock_object(rpcapi.SnapextVolumeAPI, '_call',
                         side_effect=AssertionError('cinder-api called a '
                                                    'volume service'))


class VolumeDeleteAfterExportTestCase(_ExportedSnapshotBase):
    """The spec's side effect: exported snapshots keep their volume."""

    def test_delete_is_refused_naming_backend_snapshots(self):
        for path in ('/volumes/%s', '/volumes/%s?cascade=True',
                     '/volumes/%s?force=True'):
            self.assertRefused('delete', path % self.volume_id)

    def test_force_delete_is_refused(self):
        self.assertRefused('post', *self.action({'os-force_delete': {}}))

    def test_migrate_is_refused(self):
        self.assertRefused('post', *self.action(
            {'os-migrate_volume': {'host': 'elsewhere@rbd#pool'}}))

    def test_retype_that_may_migrate_is_refused(self):
        self.assertRefused('post', *self.action(
            {'os-retype': {'new_type': 'other',
                           'migration_policy': 'on-demand'}}))

    def test_retype_that_never_migrates_is_left_to_cinder(self):
        error = self.assertRaises(
            client.OpenStackApiException, self.api.api_post,
            *self.action({'os-retype': {'new_type': 'no-such-type',
                                        'migration_policy': 'never'}}))
        self.assertNotIn(self.name, error.response.text)

    def test_refusal_asks_no_volume_service(self):
        other = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(other['id']),
                      lambda v: v['status'] == 'available')
        self.forbid_volume_service_calls()
        self.volume.stop()
        self.assertRefused('delete', '/volumes/%s' % self.volume_id)
        # A volume without exports is Cinder's: accepted and cast.
        self.api.delete_volume(other['id'])
        self.assertEqual('deleting',
                         self.api.get_volume(other['id'])['status'])

    def test_delete_accepted_when_operator_turns_the_refusal_off(self):
        # Cinder's own behaviour: the driver has the last word; this one
        # raises VolumeIsBusy, as thick LVM does, and the volume stays.
        self.override_config('refuse_volume_delete_with_exported_snapshots',
                             False, group='snapext')
        before = self.api.get_volume(self.volume_id)['updated_at']
        # Accepted (the refusal would raise a 400 here) ...
        self.api.delete_volume(self.volume_id)
        # ... and refused by the driver, after Cinder's 'deleting'.
        self.wait_for(lambda: self.api.get_volume(self.volume_id),
                      lambda v: v['status'] == 'available' and
                      v['updated_at'] != before)
        self.assertIn(self.name,
                      fake_backend.SNAPSHOTS['volume-%s' % self.volume_id])

    def test_delete_after_import_and_snapshot_delete_succeeds(self):
        created = self.api.api_post(MANAGE, {'snapshot': {
            'volume_id': self.volume_id, 'ref': {'source-name': self.name}}})
        snapshot_id = created['snapshot']['id']
        self.wait_for(lambda: self.api.get_snapshot(snapshot_id),
                      lambda s: s['status'] == 'available')
        self.api.delete_snapshot(snapshot_id)
        self.wait_for(lambda: self.api.get_snapshot(snapshot_id),
                      lambda s: s is None)
        self.api.delete_volume(self.volume_id)
        self.wait_for(lambda: self.api.get_volume(self.volume_id),
                      lambda v: v is None)

    def test_sync_records_exports_made_before_and_forgets_removed(self):
        sync = rpcapi.SnapextVolumeAPI().sync_snapshot_exports
        volume = cinder_objects.Volume.get_by_id(self.ctxt, self.volume_id)
        # As before the upgrade: nothing recorded.
        snapshot_export.SnapextSnapshotExport.forget(
            self.ctxt, self.volume_id, [self.name])
        self.api.delete_volume(self.volume_id)
        self.wait_for(lambda: self.api.get_volume(self.volume_id),
                      lambda v: v['status'] == 'available')
        counts = sync(self.ctxt, volume.service_topic_queue, 30)
        self.assertEqual(1, counts['added'])
        self.assertRefused('delete', '/volumes/%s' % self.volume_id)
        # Removed on the backend by hand: forgotten, delete accepted.
        del fake_backend.SNAPSHOTS['volume-%s' % self.volume_id][self.name]
        counts = sync(self.ctxt, volume.service_topic_queue, 30)
        self.assertEqual(1, counts['forgotten'])
        self.api.delete_volume(self.volume_id)
        self.wait_for(lambda: self.api.get_volume(self.volume_id),
                      lambda v: v is None)


class CinderRouteExportTestCase(VolumeDeleteAfterExportTestCase):
    """Exported through Cinder's own route, at any microversion."""

    _osapi_version = '3.0'
    export_path = '/snapshots/%s/action'


class ManageWithServiceDownTestCase(base.FunctionalTestCase):

    _osapi_version = '3.8'

    def test_manage_when_service_known_down_is_503_and_asks_nothing(self):
        snapshot = self.create_volume_and_snapshot()
        self.mock_object(rpcapi.SnapextVolumeAPI, '_call',
                         side_effect=AssertionError('cinder-api called a '
                                                    'volume service'))
        ctxt = cinder_context.get_admin_context()
        stale = timeutils.utcnow() - datetime.timedelta(hours=1)
        service = cinder_objects.Service.get_by_args(
            ctxt, self.volume.host, 'cinder-volume')
        self.volume.stop()
        service.updated_at = stale
        service.save()
        before = len(cinder_objects.SnapshotList.get_all(
            ctxt.elevated(read_deleted='yes'), {}))
        for path in (MANAGE, '/manageable_snapshots'):
            error = self.assertRaises(
                client.OpenStackApiException, self.api.api_post, path,
                {'snapshot': {'volume_id': snapshot['volume_id'],
                              'ref': {'source-name': 'nightly'}}})
            self.assertEqual(503, error.response.status_code)
            self.assertIn('No volume service',
                          error.response.json()['serviceUnavailable'][
                              'message'])
        self.assertEqual(before, len(cinder_objects.SnapshotList.get_all(
            ctxt.elevated(read_deleted='yes'), {})))
