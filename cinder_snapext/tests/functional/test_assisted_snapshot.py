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

"""Assisted snapshots through the real API, with the test playing Nova."""

from cinder import context as cinder_context
from cinder.tests.unit import fake_constants as fake
import ddt

from cinder_snapext.tests.functional import base
from cinder_snapext.tests.functional import fake_assisted_backend
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.unit.db import test_api
from cinder_snapext.volume.assisted import phases

ASSISTED_DRIVER = ('cinder_snapext.tests.functional.fake_assisted_backend.'
                   'AssistedInMemoryDriver')
_ADMIN_METADATA = '/snapshots/%s/snapext-admin-metadata'
_CALLS = fake_assisted_backend.CALLS

# Nova's two ways of saying the same: today's body, and the spec's.
LEGACY = {
    'create_done': {'status': 'creating', 'progress': '90%'},
    'create_error': {'status': 'error', 'progress': '90%'},
    'delete_done': {'status': 'deleting', 'progress': '90%'},
    'delete_error': {'status': 'error_deleting', 'progress': '90%'},
}
SPEC = {
    'create_done': {'status': 'creating',
                    'compute_snapshot_status': 'creating_compute_complete'},
    'create_error': {'status': 'error',
                     'compute_snapshot_status': 'creating_compute_error'},
    'delete_done': {'status': 'deleting',
                    'compute_snapshot_status': 'delete_compute_complete'},
    'delete_error': {'status': 'error_deleting',
                     'compute_snapshot_status': 'delete_compute_error'},
}


class AssistedSnapshotTestCase(base.FunctionalTestCase):
    """An NFS-like backend: snapshots of attached volumes need Nova."""

    # Snapshots of in-use volumes without 'force' (3.66), user messages.
    _osapi_version = '3.66'

    def setUp(self):
        fake_assisted_backend.reset()
        self.addCleanup(fake_assisted_backend.reset)
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()

    def _get_flags(self):
        flags = super()._get_flags()
        flags['volume_driver'] = {'v': ASSISTED_DRIVER,
                                  'g': 'backend_defaults'}
        return flags

    def create_volume(self, attached=True):
        """An available volume, attached to an instance if ``attached``."""
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(volume['id']),
                      lambda v: v['status'] == 'available')
        if attached:
            attachment = self.api.api_post('/attachments', {'attachment': {
                'volume_uuid': volume['id'], 'instance_uuid': fake.INSTANCE_ID,
                'connector': {'host': 'compute1', 'initiator': 'iqn.x'}}})
            self.api.api_post(
                '/attachments/%s/action' % attachment['attachment']['id'],
                {'os-complete': {}}, check_response_status=[204])
            self.wait_for(lambda: self.api.get_volume(volume['id']),
                          lambda v: v['status'] == 'in-use')
        return volume

    def admin_metadata(self, snapshot_id):
        return self.api.api_get(_ADMIN_METADATA % snapshot_id)[
            'admin_metadata']

    def wait_for_phase(self, snapshot_id, phase):
        return self.wait_for(
            lambda: self.admin_metadata(snapshot_id),
            lambda metadata: (metadata or {}).get(phases.PHASE_KEY) == phase)

    def snapshot_waiting_for_nova(self, volume):
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        self.wait_for_phase(snapshot['id'], phases.CREATE_WAITING)
        return snapshot

    def nova_says(self, snapshot_id, update):
        """Call back as Nova does, with the user's own token."""
        return self.api.api_post(
            '/snapshots/%s/action' % snapshot_id,
            {'os-update_snapshot_status': dict(update)})

    def wait_for_status(self, snapshot_id, status):
        return self.wait_for(
            lambda: self.api.get_snapshot(snapshot_id),
            lambda s: (s or {}).get('status') == status)

    def available_snapshot(self, volume):
        snapshot = self.snapshot_waiting_for_nova(volume)
        self.nova_says(snapshot['id'], LEGACY['create_done'])
        self.wait_for_phase(snapshot['id'], phases.CREATE_DONE)
        return self.wait_for_status(snapshot['id'], 'available')

    def user_messages(self, resource_id):
        return [m for m in self.api.api_get('/messages')['messages']
                if m['resource_uuid'] == resource_id]

    def steps(self):
        return [call[0] for call in _CALLS]


@ddt.ddt
class AssistedSnapshotTransitionsTestCase(AssistedSnapshotTestCase):

    @ddt.data(LEGACY, SPEC)
    def test_create_after_nova_done_makes_snapshot_available(self, bodies):
        volume = self.create_volume()
        snapshot = self.snapshot_waiting_for_nova(volume)
        # The volume service returned: nothing waits while Nova works.
        self.assertEqual('creating',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual(['create_begin'], self.steps())

        self.nova_says(snapshot['id'], bodies['create_done'])

        self.wait_for_phase(snapshot['id'], phases.CREATE_DONE)
        shown = self.api.get_snapshot(snapshot['id'])
        self.assertEqual('available', shown['status'])
        self.assertEqual('100%', shown['os-extended-snapshot-attributes:'
                                       'progress'])
        metadata = self.admin_metadata(snapshot['id'])
        new_file = '%s.%s' % ('volume-' + volume['id'], snapshot['id'])
        self.assertEqual(
            {phases.PHASE_KEY: phases.CREATE_DONE,
             phases.COMPUTE_STATUS_KEY: 'creating_compute_complete',
             'fake:new_file': new_file, 'fake:active': new_file},
            {k: v for k, v in metadata.items()
             if k not in (phases.DEADLINE_KEY, phases.HOST_KEY)})
        self.assertEqual(['create_begin', 'create_complete'], self.steps())
        self.assertIn('snapshot-' + snapshot['id'],
                      fake_backend.SNAPSHOTS['volume-' + volume['id']])

    @ddt.data(LEGACY, SPEC)
    def test_create_after_nova_error_sets_error(self, bodies):
        volume = self.create_volume()
        snapshot = self.snapshot_waiting_for_nova(volume)

        self.nova_says(snapshot['id'], bodies['create_error'])

        # The user message is the last thing a failed phase writes.
        self.wait_for(lambda: self.user_messages(snapshot['id']), bool)
        self.assertEqual(phases.CREATE_FAILED, self.admin_metadata(
            snapshot['id'])[phases.PHASE_KEY])
        self.assertEqual('error',
                         self.api.get_snapshot(snapshot['id'])['status'])
        metadata = self.admin_metadata(snapshot['id'])
        self.assertEqual('creating_compute_error',
                         metadata[phases.COMPUTE_STATUS_KEY])
        self.assertIn('reported an error', metadata[phases.ERROR_KEY])
        self.assertEqual('compute_error', metadata['fake:aborted'])
        self.assertEqual(['create_begin', 'create_abort'], self.steps())
        self.assertEqual(['create snapshot:Snapshot failed to create.'],
                         [m['user_message'] for m in
                          self.user_messages(snapshot['id'])])

    @ddt.data(LEGACY, SPEC)
    def test_delete_after_nova_done_destroys_snapshot(self, bodies):
        volume = self.create_volume()
        snapshot = self.available_snapshot(volume)
        quota = '/os-quota-sets/%s?usage=True' % fake.PROJECT_ID
        self.assertEqual(1, self.api.api_get(quota)['quota_set'][
            'snapshots']['in_use'])

        self.api.delete_snapshot(snapshot['id'])
        self.wait_for_phase(snapshot['id'], phases.DELETE_WAITING)
        self.assertEqual('deleting',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertIn('fake:merging', self.admin_metadata(snapshot['id']))

        self.nova_says(snapshot['id'], bodies['delete_done'])

        self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                      lambda s: s is None)
        self.assertEqual(
            ['create_begin', 'create_complete', 'delete_begin',
             'delete_complete'], self.steps())
        # Cinder's own finish ran: quota released, then admin metadata
        # gone with the snapshot (both just after the row is destroyed).
        self.wait_for(lambda: self.api.api_get(quota)['quota_set'][
            'snapshots']['in_use'], lambda in_use: in_use == 0)
        self.wait_for(
            lambda: test_api._all_rows(self.ctxt, snapshot['id']),
            lambda rows: all(row.deleted for row in rows))
        self.assertEqual({}, fake_backend.SNAPSHOTS['volume-' + volume['id']])

    @ddt.data(LEGACY, SPEC)
    def test_delete_after_nova_error_sets_error_deleting(self, bodies):
        volume = self.create_volume()
        snapshot = self.available_snapshot(volume)
        self.api.delete_snapshot(snapshot['id'])
        self.wait_for_phase(snapshot['id'], phases.DELETE_WAITING)

        self.nova_says(snapshot['id'], bodies['delete_error'])

        self.wait_for(lambda: self.user_messages(snapshot['id']), bool)
        self.assertEqual(phases.DELETE_FAILED, self.admin_metadata(
            snapshot['id'])[phases.PHASE_KEY])
        self.assertEqual('error_deleting',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual(['create_begin', 'create_complete', 'delete_begin',
                          'delete_abort'], self.steps())
        self.assertEqual(['delete snapshot:Snapshot failed to delete.'],
                         [m['user_message'] for m in
                          self.user_messages(snapshot['id'])])
        # The snapshot is still there for a later delete.
        self.assertIn('snapshot-' + snapshot['id'],
                      fake_backend.SNAPSHOTS['volume-' + volume['id']])

    def test_offline_snapshot_takes_cinder_path(self):
        volume = self.create_volume(attached=False)
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        self.wait_for_status(snapshot['id'], 'available')
        self.assertEqual({}, self.admin_metadata(snapshot['id']))

        self.api.delete_snapshot(snapshot['id'])

        self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                      lambda s: s is None)
        self.assertEqual([], _CALLS)
        self.assertEqual({}, fake_backend.SNAPSHOTS['volume-' + volume['id']])
