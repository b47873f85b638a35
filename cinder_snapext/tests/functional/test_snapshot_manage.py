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

"""Import and export of snapshots through the real API, as the spec says."""

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder import objects as cinder_objects
from cinder.tests.functional.api import client
import ddt

from cinder_snapext.tests.functional import base
from cinder_snapext.tests.functional import fake_backend

MANAGE = '/os-snapshot-manage'
# The v3 route of the same import: openstacksdk and the openstack CLI.
MANAGEABLE = '/manageable_snapshots'


@ddt.ddt
class SnapshotManageTestCase(base.FunctionalTestCase):
    """Import through os-snapshot-manage, as python-cinderclient does."""

    _osapi_version = '3.8'
    import_path = MANAGE

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = self.create_volume_and_snapshot()
        self.volume = self.api.get_volume(self.snapshot['volume_id'])
        self.volume_name = 'volume-%s' % self.volume['id']

    def _footprint(self):
        """Snapshot rows (deleted too) and the snapshot quota usage."""
        rows = cinder_objects.SnapshotList.get_all(
            self.ctxt.elevated(read_deleted='yes'), filters={})
        usage = cinder_db_api.quota_usage_get_all_by_project(
            self.ctxt, self.volume['os-vol-tenant-attr:tenant_id'])
        return len(rows), usage.get('snapshots'), usage.get('gigabytes')

    def _refused(self, body, status=400):
        before = self._footprint()
        error = self.assertRaises(client.OpenStackApiException,
                                  self.api.api_post, self.import_path, body)
        self.assertEqual(status, error.response.status_code,
                         error.response.text)
        self.assertEqual(before, self._footprint())
        return error.response.json()

    def _body(self, ref, **extra):
        snapshot = {'volume_id': self.volume['id'], 'ref': ref}
        snapshot.update(extra)
        return {'snapshot': snapshot}

    def _export(self, snapshot_id):
        return self.api.api_post('%s/%s/action' % (MANAGE, snapshot_id),
                                 {'os-unmanage': {}})

    def test_export_returns_reference_and_keeps_backend_snapshot(self):
        body = self._export(self.snapshot['id'])
        name = 'snapshot-%s' % self.snapshot['id']
        self.assertEqual({'id': self.snapshot['id'],
                          'volume_id': self.volume['id'],
                          'status': 'unmanaging',
                          'reference': {'source-name': name}},
                         body['snapshot'])
        self.wait_for(lambda: self.api.get_snapshot(self.snapshot['id']),
                      lambda s: s is None)
        self.assertIn(name, fake_backend.SNAPSHOTS[self.volume_name])

    def test_import_with_host_after_export_becomes_available(self):
        reference = self._export(self.snapshot['id'])['snapshot'][
            'reference']
        self.wait_for(lambda: self.api.get_snapshot(self.snapshot['id']),
                      lambda s: s is None)
        created = self.api.api_post(self.import_path, self._body(
            reference, host=self.volume['os-vol-host-attr:host'],
            name='imported'))['snapshot']
        self.assertEqual('creating', created['status'])
        managed = self.wait_for(lambda: self.api.get_snapshot(created['id']),
                                lambda s: s['status'] != 'creating')
        self.assertEqual(('available', 'imported'),
                         (managed['status'], managed['name']))

    def test_import_snapshot_made_outside_cinder_by_string_ref(self):
        fake_backend.SNAPSHOTS[self.volume_name]['nightly'] = 1
        created = self.api.api_post(self.import_path, self._body('nightly'))
        managed = self.wait_for(
            lambda: self.api.get_snapshot(created['snapshot']['id']),
            lambda s: s['status'] != 'creating')
        self.assertEqual('available', managed['status'])

    def test_import_missing_backend_snapshot_is_refused_at_once(self):
        body = self._refused(self._body({'source-name': 'nothing-here'}))
        message = body['badRequest']['message']
        self.assertIn('nothing-here', message)
        self.assertIn(self.volume_name, message)

    def test_import_snapshot_of_another_volume_is_refused(self):
        other = self.create_volume_and_snapshot()
        body = self._refused(self._body(
            {'source-name': 'snapshot-%s' % other['id']}))
        self.assertIn('has no snapshot', body['badRequest']['message'])

    def test_import_already_managed_snapshot_is_refused(self):
        body = self._refused(self._body(
            {'source-name': 'snapshot-%s' % self.snapshot['id']}))
        self.assertIn('already manages it as snapshot %s'
                      % self.snapshot['id'], body['badRequest']['message'])

    def test_import_with_wrong_host_names_both_hosts(self):
        body = self._refused(self._body({'source-name': 'x'},
                                        host='elsewhere@backend'))
        message = body['badRequest']['message']
        self.assertIn('elsewhere@backend', message)
        self.assertIn(self.volume['os-vol-host-attr:host'], message)

    def test_import_unknown_volume_is_404(self):
        self._refused({'snapshot': {
            'volume_id': '8d3d5b1e-2b0c-4c57-9c39-0a5f1d7d4e11',
            'ref': {'source-name': 'x'}}}, status=404)

    @ddt.data(
        {},
        {'snapshot': None},
        {'snapshot': {'ref': {'source-name': 'x'}}},
        {'snapshot': {'volume_id': 'not-a-uuid',
                      'ref': {'source-name': 'x'}}},
        {'snapshot': {'volume_id': 5, 'ref': {'source-name': 'x'}}},
        'VOLUME',
        {'snapshot': {'volume_id': 'VOLUME', 'ref': None}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': {}}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': {'source-name': ''}}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': {'source-name': 7}}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': {'other': 'x'}}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x' * 300}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'host': ''}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'host': 'h' * 300}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'host': 12}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'extra': 1}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'name': 'n' * 300}},
        {'snapshot': {'volume_id': 'VOLUME', 'ref': 'x', 'metadata': 'm'}},
    )
    def test_import_malformed_body_is_400_and_leaves_nothing(self, body):
        if isinstance(body, str) or 'VOLUME' in repr(body):
            body = eval(repr(body).replace("'VOLUME'",
                                           repr(self.volume['id'])))
        if isinstance(body, str):
            body = {'snapshot': {'volume_id': body, 'ref': ['x']}}
        self._refused(body)

    def test_export_unknown_snapshot_is_404(self):
        error = self.assertRaises(
            client.OpenStackApiException404, self._export,
            '8d3d5b1e-2b0c-4c57-9c39-0a5f1d7d4e11')
        self.assertIn('could not be found', error.response.text)

    def test_export_with_unknown_body_is_400(self):
        error = self.assertRaises(
            client.OpenStackApiException, self.api.api_post,
            '%s/%s/action' % (MANAGE, self.snapshot['id']),
            {'os-unmanage': {'force': True}})
        self.assertEqual(400, error.response.status_code)
        self.assertEqual('available',
                         self.api.get_snapshot(self.snapshot['id'])['status'])


class ManageableSnapshotsRouteTestCase(SnapshotManageTestCase):
    """The same cases on the v3 route, at its first and latest versions."""

    import_path = MANAGEABLE


class ManageableSnapshotsLatestTestCase(SnapshotManageTestCase):

    _osapi_version = '3.70'
    import_path = MANAGEABLE


class ManageableSnapshotsBeforeRouteTestCase(base.FunctionalTestCase):
    """Below 3.8 the v3 route does not exist: nothing is checked or made."""

    _osapi_version = '3.7'

    def test_import_before_3_8_is_404_and_leaves_nothing(self):
        snapshot = self.create_volume_and_snapshot()
        fake_backend.SNAPSHOTS['volume-%s' % snapshot['volume_id']][
            'nightly'] = 1
        before = cinder_objects.SnapshotList.get_all(
            cinder_context.get_admin_context(read_deleted='yes'), {})
        for body in ({'snapshot': {'volume_id': snapshot['volume_id'],
                                   'ref': 'nightly'}},
                     {'snapshot': {'volume_id': snapshot['volume_id'],
                                   'ref': 'nightly', 'host': 'h'}}):
            self.assertRaises(client.OpenStackApiException404,
                              self.api.api_post, MANAGEABLE, body)
        after = cinder_objects.SnapshotList.get_all(
            cinder_context.get_admin_context(read_deleted='yes'), {})
        self.assertEqual(len(before), len(after))
