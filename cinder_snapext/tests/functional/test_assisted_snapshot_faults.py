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

"""Assisted snapshots when things go wrong: bad input, races, silence."""

import datetime
from http import HTTPStatus
import time

from cinder.api.v3 import router
from cinder import context as cinder_context
from cinder.tests.functional.api import client
from cinder.tests.unit.api import fakes as api_fakes
from cinder.tests.unit import fake_constants as fake
from oslo_serialization import jsonutils
from oslo_utils import fixture as time_fixture
from oslo_utils import timeutils
import webob

from cinder_snapext.tests.functional import fake_assisted_backend
from cinder_snapext.tests.functional import test_assisted_snapshot
from cinder_snapext.volume.assisted import phases

LEGACY = test_assisted_snapshot.LEGACY
SPEC = test_assisted_snapshot.SPEC
_Base = test_assisted_snapshot.AssistedSnapshotTestCase
ALLOWED = ('creating_compute_complete', 'creating_compute_error',
           'delete_compute_complete', 'delete_compute_error')


class AssistedSnapshotFaultsTestCase(_Base):

    def assertUnchangedSinceBegin(self, snapshot_id):
        shown = self.api.get_snapshot(snapshot_id)
        self.assertEqual('creating', shown['status'])
        self.assertEqual('0%',
                         shown['os-extended-snapshot-attributes:progress'])
        metadata = self.admin_metadata(snapshot_id)
        self.assertEqual(phases.CREATE_WAITING, metadata[phases.PHASE_KEY])
        self.assertNotIn(phases.COMPUTE_STATUS_KEY, metadata)
        self.assertEqual(['create_begin'], self.steps())

    def test_update_with_unknown_compute_status_is_400_naming_values(self):
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        error = self.assertRaises(
            client.OpenStackApiException400, self.nova_says, snapshot['id'],
            dict(LEGACY['create_done'], compute_snapshot_status='done'))
        for value in ALLOWED:
            self.assertIn(value, error.response.text)
        self.assertUnchangedSinceBegin(snapshot['id'])

    def test_update_with_compute_status_against_status_is_400(self):
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        error = self.assertRaises(
            client.OpenStackApiException400, self.nova_says, snapshot['id'],
            {'status': 'creating',
             'compute_snapshot_status': 'creating_compute_error'})
        self.assertIn('goes with status error, not creating',
                      error.response.text)
        self.assertUnchangedSinceBegin(snapshot['id'])

    def test_legacy_update_without_phase_behaves_as_cinder(self):
        # Tempest's SnapshotsActionsTest.test_update_snapshot_status.
        volume = self.create_volume(attached=False)
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        self.wait_for_status(snapshot['id'], 'available')
        self.api.api_post('/snapshots/%s/action' % snapshot['id'],
                          {'os-reset_status': {'status': 'creating'}})

        self.nova_says(snapshot['id'], {'status': 'error', 'progress': '80%'})

        shown = self.api.get_snapshot(snapshot['id'])
        self.assertEqual(('error', '80%'), (
            shown['status'],
            shown['os-extended-snapshot-attributes:progress']))
        self.assertEqual({}, self.admin_metadata(snapshot['id']))
        self.assertEqual([], self.steps())

    def test_duplicate_callback_completes_once(self):
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        release = fake_assisted_backend.hold('create_complete')
        self.nova_says(snapshot['id'], LEGACY['create_done'])
        self.wait_for_phase(snapshot['id'], phases.CREATE_COMPLETING)

        # Still 'creating', so Cinder's handler accepts the duplicate; the
        # phase is no longer waiting, so the volume service ignores it.
        self.nova_says(snapshot['id'], SPEC['create_done'])
        time.sleep(0.5)
        release.set()

        self.wait_for_phase(snapshot['id'], phases.CREATE_DONE)
        self.assertEqual(['create_begin', 'create_complete'], self.steps())
        # Once available, a late callback gets Cinder's own answer.
        self.assertRaises(client.OpenStackApiException400, self.nova_says,
                          snapshot['id'], LEGACY['create_done'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])

    def test_periodic_task_times_out_silent_nova(self):
        self.override_config('assisted_snapshot_create_timeout', 30,
                             group='snapext')
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        # The clock starts one second before the recorded deadline: the
        # time the test took to get here must not count.
        deadline = timeutils.normalize_time(timeutils.parse_isotime(
            self.admin_metadata(snapshot['id'])[phases.DEADLINE_KEY]))
        clock = self.useFixture(time_fixture.TimeFixture(
            deadline - datetime.timedelta(seconds=1)))
        manager = self.volume.manager
        context = cinder_context.get_admin_context()

        manager._check_assisted_snapshots(context)
        self.assertEqual('creating',
                         self.api.get_snapshot(snapshot['id'])['status'])

        clock.advance_time_seconds(2)
        manager._check_assisted_snapshots(context)

        self.assertEqual('error',
                         self.api.get_snapshot(snapshot['id'])['status'])
        metadata = self.admin_metadata(snapshot['id'])
        self.assertEqual(phases.CREATE_FAILED, metadata[phases.PHASE_KEY])
        self.assertIn('within 30 seconds', metadata[phases.ERROR_KEY])
        self.assertEqual('timeout', metadata['fake:aborted'])
        self.assertEqual(['create snapshot:Snapshot failed to create.'],
                         [m['user_message']
                          for m in self.user_messages(snapshot['id'])])
        # Nova's answer after the deadline changes nothing any more.
        self.assertRaises(client.OpenStackApiException400, self.nova_says,
                          snapshot['id'], LEGACY['create_done'])
        self.assertEqual(['create_begin', 'create_abort'], self.steps())

    def test_second_snapshot_while_phase_open_is_409(self):
        volume = self.create_volume()
        first = self.snapshot_waiting_for_nova(volume)

        error = self.assertRaises(
            client.OpenStackApiException, self.api.post_snapshot,
            {'snapshot': {'volume_id': volume['id']}})

        self.assertEqual(HTTPStatus.CONFLICT, error.response.status_code)
        self.assertIn(first['id'], error.response.text)
        self.assertEqual([first['id']], [
            s['id'] for s in self.api.api_get('/snapshots')['snapshots']])
        # Once Nova is done, the volume takes snapshots again.
        self.nova_says(first['id'], LEGACY['create_done'])
        self.wait_for_status(first['id'], 'available')
        second = self.snapshot_waiting_for_nova(volume)
        self.assertEqual(['create_begin', 'create_complete', 'create_begin'],
                         self.steps())
        self.assertNotEqual(first['id'], second['id'])

    def test_delete_while_other_phase_open_is_409(self):
        volume = self.create_volume()
        done = self.available_snapshot(volume)
        waiting = self.snapshot_waiting_for_nova(volume)

        error = self.assertRaises(client.OpenStackApiException,
                                  self.api.delete_snapshot, done['id'])

        self.assertEqual(HTTPStatus.CONFLICT, error.response.status_code)
        self.assertIn(waiting['id'], error.response.text)
        self.assertEqual('available',
                         self.api.get_snapshot(done['id'])['status'])


    def test_force_delete_while_create_completes_leaves_it_available(self):
        # The gap between Cinder's create_snapshot setting 'available' and
        # the phase closing: a force delete there is refused (own phase)
        # and must not send the snapshot back to 'creating' for good.
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        real_move = phases.move
        raced = []

        def move(context, snapshot_id, from_phases, to_phase):
            if to_phase == phases.CREATE_DONE and not raced:
                raced.append(self.api.get_snapshot(snapshot_id)['status'])
                self.api.api_post('/snapshots/%s/action' % snapshot_id,
                                  {'os-force_delete': {}})
                self.wait_for(lambda: self.api.get_snapshot(snapshot_id),
                              lambda s: s['status'] != 'deleting')
            return real_move(context, snapshot_id, from_phases, to_phase)

        self.mock_object(phases, 'move', move)
        self.nova_says(snapshot['id'], LEGACY['create_done'])

        self.wait_for_phase(snapshot['id'], phases.CREATE_DONE)
        self.assertEqual(['available'], raced)
        self.assertEqual('available',
                         self.wait_for_status(snapshot['id'],
                                              'available')['status'])


class AssistedSnapshotPolicyTestCase(_Base):
    """Nova calls back with the user's token: Cinder's rule decides."""

    def _as(self, roles, snapshot_id, update):
        context = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=False, roles=roles)
        # The same router and services as the real API, with a user's
        # context instead of the admin one noauth always gives.
        app = api_fakes.wsgi_app(inner_app_v3=router.APIRouter(),
                                 fake_auth_context=context)
        request = webob.Request.blank(
            '/v3/%s/snapshots/%s/action' % (fake.PROJECT_ID, snapshot_id),
            method='POST', content_type='application/json',
            body=jsonutils.dump_as_bytes(
                {'os-update_snapshot_status': update}))
        return request.get_response(app)

    def test_update_as_project_member_completes_snapshot(self):
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        response = self._as(['member', 'reader'], snapshot['id'],
                            SPEC['create_done'])
        self.assertEqual(HTTPStatus.ACCEPTED, response.status_int)
        self.wait_for_status(snapshot['id'], 'available')

    def test_update_as_reader_is_forbidden_by_cinder_rule(self):
        snapshot = self.snapshot_waiting_for_nova(self.create_volume())
        response = self._as(['reader'], snapshot['id'], SPEC['create_done'])
        self.assertEqual(HTTPStatus.FORBIDDEN, response.status_int)
        self.assertIn(b'snapshot_extension:snapshot_actions:'
                      b'update_snapshot_status', response.body)
        self.assertEqual('creating',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertNotIn(phases.COMPUTE_STATUS_KEY,
                         self.admin_metadata(snapshot['id']))
