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

"""os-update_snapshot_status and the snapshot guard through the v3 router."""

from http import HTTPStatus

from cinder import objects as cinder_objects
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils
import ddt

from cinder_snapext.tests.functional import fake_assisted_backend
from cinder_snapext.tests.unit.api import api_request
from cinder_snapext.tests.unit.volume.assisted import (
    test_coordinator as test_assisted_snapshot)
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume.assisted import phases


class SnapshotAPITestCase(api_request.RouterTestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = self.admin
        volume = cinder_utils.create_volume(self.ctxt, host='snapext#pool',
                                            status='in-use')
        self.snapshot = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                     status='creating')

    def request(self, method, path, body=None):
        return self.response(self.ctxt, method, path, body)

    def update(self, update, snapshot_id=None):
        return self.request(
            'POST', '/snapshots/%s/action' % (snapshot_id or
                                              self.snapshot.id),
            {'os-update_snapshot_status': update})

    def metadata(self):
        return phases.read(self.ctxt, self.snapshot.id)

    def status_and_progress(self):
        snapshot = cinder_objects.Snapshot.get_by_id(self.ctxt,
                                                     self.snapshot.id)
        return snapshot.status, snapshot.progress


@ddt.ddt
class SnapshotStatusAPITestCase(SnapshotAPITestCase):

    def test_update_with_compute_status_without_phase_stores_it(self):
        response = self.update(
            {'status': 'creating', 'progress': '90%',
             'compute_snapshot_status': 'creating_compute_complete'})
        self.assertEqual(HTTPStatus.ACCEPTED, response.status_int)
        self.assertEqual(('creating', '90%'), self.status_and_progress())
        self.assertEqual(
            {phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'},
            self.metadata())

    def test_legacy_update_without_phase_stores_nothing(self):
        response = self.update({'status': 'creating', 'progress': '90%'})
        self.assertEqual(HTTPStatus.ACCEPTED, response.status_int)
        self.assertEqual(('creating', '90%'), self.status_and_progress())
        self.assertEqual({}, self.metadata())

    def test_update_refused_by_cinder_stores_nothing(self):
        self.snapshot.status = 'available'
        self.snapshot.save()
        response = self.update(
            {'status': 'creating', 'progress': '90%',
             'compute_snapshot_status': 'creating_compute_complete'})
        self.assertEqual(HTTPStatus.BAD_REQUEST, response.status_int)
        self.assertIn(b'not allowed for update_snapshot_status',
                      response.body)
        self.assertEqual({}, self.metadata())

    @ddt.data({'status': 'creating', 'compute_snapshot_status': 'nova'},
              {'compute_snapshot_status': 'creating_compute_complete'},
              {'status': 'creating', 'compute_snapshot_status': None})
    def test_update_with_bad_compute_status_is_400(self, update):
        response = self.update(update)
        self.assertEqual(HTTPStatus.BAD_REQUEST, response.status_int)
        self.assertIn(b'Allowed values: creating_compute_complete, '
                      b'creating_compute_error, delete_compute_complete, '
                      b'delete_compute_error.', response.body)
        self.assertEqual(('creating', None), self.status_and_progress())

    @ddt.data('creating', ['x'], {'status': 'creating', 'other': 1})
    def test_update_with_malformed_body_gets_cinder_400(self, update):
        response = self.update(update)
        self.assertEqual(HTTPStatus.BAD_REQUEST, response.status_int)
        self.assertEqual({}, self.metadata())

    def test_update_of_unknown_snapshot_is_404(self):
        response = self.update({'status': 'creating'}, fake.SNAPSHOT2_ID)
        self.assertEqual(HTTPStatus.NOT_FOUND, response.status_int)


class SnapshotStatusCastTestCase(SnapshotAPITestCase):
    """The API's cast reaches the volume service and completes the phase."""

    def setUp(self):
        super().setUp()
        fake_assisted_backend.reset()
        self.addCleanup(fake_assisted_backend.reset)
        self.override_config('volume_driver', test_assisted_snapshot.DRIVER,
                             group='backend_defaults')
        self.start_service('volume', host='snapext',
                           manager=test_rpcapi.MANAGER).manager.\
            create_snapshot(self.ctxt, self.snapshot)

    def test_legacy_update_for_waiting_phase_completes_snapshot(self):
        self.assertEqual(phases.CREATE_WAITING,
                         self.metadata()[phases.PHASE_KEY])
        response = self.update({'status': 'creating', 'progress': '90%'})
        self.assertEqual(HTTPStatus.ACCEPTED, response.status_int)

        test_rpcapi.wait_for(lambda: self.metadata()[phases.PHASE_KEY] ==
                             phases.CREATE_DONE)
        self.assertEqual(('available', '100%'), self.status_and_progress())

    def test_snapshot_create_and_delete_while_phase_open_are_409(self):
        other = cinder_utils.create_snapshot(
            self.ctxt, self.snapshot.volume_id, status='available')
        created = self.request('POST', '/snapshots', {'snapshot': {
            'volume_id': self.snapshot.volume_id, 'force': True}})
        deleted = self.request('DELETE', '/snapshots/%s' % other.id)
        for response in (created, deleted):
            self.assertEqual(HTTPStatus.CONFLICT, response.status_int)
            self.assertIn(self.snapshot.id.encode(), response.body)
        self.assertEqual(
            2, len(cinder_objects.SnapshotList.get_all_for_volume(
                self.ctxt, self.snapshot.volume_id)))

    def test_snapshot_delete_of_unknown_snapshot_stays_404(self):
        response = self.request('DELETE', '/snapshots/%s' % fake.SNAPSHOT2_ID)
        self.assertEqual(HTTPStatus.NOT_FOUND, response.status_int)
