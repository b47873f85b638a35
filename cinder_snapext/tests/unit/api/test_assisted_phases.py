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

"""The admin API that lists assisted-snapshot phases."""

from http import HTTPStatus

from cinder import context as cinder_context
from cinder.tests.unit import fake_constants as fake
import ddt

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.unit.api import api_request
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume.assisted import phases

_List = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList

PAST = '2001-01-01T00:00:00Z'
FUTURE = '2999-01-01T00:00:00Z'


@ddt.ddt
class AssistedPhasesAPITestCase(api_request.RouterTestCase):

    def setUp(self):
        super().setUp()
        self.stuck = self.snapshot_in(phases.CREATE_WAITING, PAST,
                                      status='creating')
        self.waiting = self.snapshot_in(phases.DELETE_WAITING, FUTURE,
                                        status='deleting')
        # Another project's: the admin API lists every project.
        other = cinder_context.RequestContext(
            fake.USER2_ID, fake.PROJECT2_ID, is_admin=True)
        self.closed = self.snapshot_in(phases.CREATE_DONE, PAST,
                                       context=other)
        # No phase at all: not listed.
        fakes.create_snapshot(self.admin)

    def snapshot_in(self, phase, deadline, context=None, **kwargs):
        snapshot = fakes.create_snapshot(context or self.admin, **kwargs)
        _List.set_for_snapshot(self.admin, snapshot.id, {
            phases.PHASE_KEY: phase, phases.DEADLINE_KEY: deadline,
            phases.HOST_KEY: 'node1@nfs', 'ticket': 'not a phase key'})
        return snapshot

    def listed(self, query=''):
        status, body = self.request(self.admin, 'GET',
                                    '/snapext-assisted-phases' + query)
        self.assertEqual(HTTPStatus.OK, status, body)
        return [(p['snapshot_id'], p['phase'], p['stuck'])
                for p in body['assisted_phases']]

    def test_list_every_project_by_deadline(self):
        self.assertEqual(
            sorted([(self.stuck.id, phases.CREATE_WAITING, True),
                    (self.closed.id, phases.CREATE_DONE, False)]) +
            [(self.waiting.id, phases.DELETE_WAITING, False)],
            self.listed())

    def test_list_stuck_only(self):
        self.assertEqual([(self.stuck.id, phases.CREATE_WAITING, True)],
                         self.listed('?stuck=true'))

    def test_list_not_stuck(self):
        self.assertEqual(
            {self.closed.id, self.waiting.id},
            {snapshot_id for snapshot_id, _, _ in
             self.listed('?stuck=false')})

    def test_show_one(self):
        status, body = self.request(
            self.admin, 'GET', '/snapext-assisted-phases/%s' % self.stuck.id)
        self.assertEqual(HTTPStatus.OK, status)
        self.assertEqual({
            'snapshot_id': self.stuck.id,
            'volume_id': self.stuck.volume_id,
            'project_id': fake.PROJECT_ID,
            'status': 'creating',
            'operation': 'create',
            'phase': phases.CREATE_WAITING,
            'open': True,
            'host': 'node1@nfs',
            'deadline': PAST,
            'stuck': True,
            'error': None,
            'compute_snapshot_status': None}, body['assisted_phase'])

    def test_show_snapshot_without_phase_is_404(self):
        plain = fakes.create_snapshot(self.admin)
        status, body = self.request(
            self.admin, 'GET', '/snapext-assisted-phases/%s' % plain.id)
        self.assertEqual(HTTPStatus.NOT_FOUND, status)
        self.assertIn(plain.id, body['itemNotFound']['message'])

    @ddt.data('not-a-uuid', fake.SNAPSHOT3_ID)
    def test_show_unknown_snapshot_is_404(self, snapshot_id):
        status, _ = self.request(
            self.admin, 'GET', '/snapext-assisted-phases/%s' % snapshot_id)
        self.assertEqual(HTTPStatus.NOT_FOUND, status)

    @ddt.data('?stuck=maybe', '?stuck=', '?phase=open')
    def test_bad_query_is_400(self, query):
        status, body = self.request(self.admin, 'GET',
                                    '/snapext-assisted-phases' + query)
        self.assertEqual(HTTPStatus.BAD_REQUEST, status)
        self.assertIn('stuck', body['badRequest']['message'])

    @ddt.data('', '/%s' % fake.SNAPSHOT_ID)
    def test_member_is_forbidden(self, suffix):
        status, body = self.request(self.member, 'GET',
                                    '/snapext-assisted-phases' + suffix)
        self.assertEqual(HTTPStatus.FORBIDDEN, status)
        self.assertIn('snapext:assisted_phase:get',
                      body['forbidden']['message'])
