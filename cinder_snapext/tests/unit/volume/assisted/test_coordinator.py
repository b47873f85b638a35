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

"""The manager's assisted snapshot phases on a real volume service."""

import datetime

from cinder import context as cinder_context
from cinder.db import api as cinder_db
from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.tests.unit import utils as cinder_utils
from oslo_utils import fixture as time_fixture

from cinder_snapext import exception
from cinder_snapext.tests.functional import fake_assisted_backend
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.db import test_api
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.assisted import quota_turns

DRIVER = ('cinder_snapext.tests.functional.fake_assisted_backend.'
          'AssistedInMemoryDriver')
_CALLS = fake_assisted_backend.CALLS


class AssistedSnapshotManagerTestCase(base.TestCase):
    """SnapextVolumeManager with the assisted test double as its driver."""

    def setUp(self):
        super().setUp()
        fake_assisted_backend.reset()
        self.addCleanup(fake_assisted_backend.reset)
        fake_backend.SNAPSHOTS.clear()
        self.override_config('volume_driver', DRIVER,
                             group='backend_defaults')
        self.clock = self.useFixture(time_fixture.TimeFixture(
            datetime.datetime(2026, 11, 22, 10, 0, 0)))
        self.ctxt = cinder_context.get_admin_context()
        self.service = self.start_service('volume', host='snapext',
                                          manager=test_rpcapi.MANAGER)
        self.manager = self.service.manager

    def snapshot(self, attached=True, status='creating', volume_id=None):
        if volume_id is None:
            volume_id = cinder_utils.create_volume(
                self.ctxt, host='snapext#pool',
                status='in-use' if attached else 'available').id
        return cinder_utils.create_snapshot(self.ctxt, volume_id,
                                            status=status)

    def waiting_snapshot(self, **kwargs):
        snapshot = self.snapshot(**kwargs)
        self.manager.create_snapshot(self.ctxt, snapshot)
        return snapshot

    def nova_says(self, snapshot, compute_status):
        """What the API does on Nova's callback, then its RPC cast."""
        phases.write(self.ctxt, snapshot.id,
                     {phases.COMPUTE_STATUS_KEY: compute_status})
        self.manager.assisted.continue_phase(self.ctxt, snapshot.id)

    def status_and_phase(self, snapshot):
        status = cinder_objects.Snapshot.get_by_id(self.ctxt,
                                                   snapshot.id).status
        return status, phases.read(self.ctxt, snapshot.id).get(
            phases.PHASE_KEY)

    def messages(self, snapshot):
        return [(m['project_id'], m['event_id'])
                for m in cinder_db.message_get_all(self.ctxt)
                if m['resource_uuid'] == snapshot.id]

    def events(self, snapshot):
        return [n['event_type'] for n in self.notifier.notifications
                if n['payload'].get('snapshot_id') == snapshot.id]

    def steps(self):
        return [call[0] for call in _CALLS]


class AssistedCreateTestCase(AssistedSnapshotManagerTestCase):

    def test_create_snapshot_attached_records_phase_and_returns(self):
        snapshot = self.waiting_snapshot()
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))
        metadata = phases.read(self.ctxt, snapshot.id)
        self.assertEqual('2026-11-22T10:10:00Z',
                         metadata[phases.DEADLINE_KEY])
        self.assertEqual(self.manager.host, metadata[phases.HOST_KEY])
        self.assertIn('fake:new_file', metadata)
        # Cinder's start-up cleanup must not error out a waiting phase.
        self.assertEqual([], cinder_db.worker_get_all(
            self.ctxt, resource_type='Snapshot', resource_id=snapshot.id))
        self.assertEqual(['create_begin'], self.steps())

    def test_create_snapshot_answered_during_begin_completes_at_once(self):
        fake_assisted_backend.DURING['create_begin'] = (
            lambda snapshot: phases.write(self.ctxt, snapshot.id, {
                phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'}))
        snapshot = self.waiting_snapshot()
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))

    def test_continue_twice_completes_once_with_cinder_finish(self):
        snapshot = self.waiting_snapshot()
        self.nova_says(snapshot, 'creating_compute_complete')
        self.nova_says(snapshot, 'creating_compute_complete')
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))
        shown = cinder_objects.Snapshot.get_by_id(self.ctxt, snapshot.id)
        self.assertEqual('100%', shown.progress)
        self.assertEqual(['create_begin', 'create_complete'], self.steps())
        self.assertEqual(['snapshot.create.start', 'snapshot.create.end'],
                         self.events(snapshot))
        self.assertEqual([], cinder_db.worker_get_all(
            self.ctxt, resource_type='Snapshot', resource_id=snapshot.id))

    def test_continue_with_report_of_other_operation_changes_nothing(self):
        snapshot = self.waiting_snapshot()
        self.nova_says(snapshot, 'delete_compute_complete')
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))

    def test_create_begin_failure_sets_error_with_message(self):
        fake_assisted_backend.FAILING.add('create_begin')
        snapshot = self.snapshot()
        self.assertRaises(cinder_exception.VolumeBackendAPIException,
                          self.manager.create_snapshot, self.ctxt, snapshot)
        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(snapshot))
        self.assertIn('create_begin failed on purpose', phases.read(
            self.ctxt, snapshot.id)[phases.ERROR_KEY])
        self.assertEqual([(snapshot.project_id,
                           'VOLUME_VOLUME_SNAPSHOT_009_013')],
                         self.messages(snapshot))

    def test_create_complete_failure_sets_error_through_cinder(self):
        fake_assisted_backend.FAILING.add('create_complete')
        snapshot = self.waiting_snapshot()
        self.nova_says(snapshot, 'creating_compute_complete')
        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(snapshot))
        self.assertEqual(1, len(self.messages(snapshot)))

    def test_create_snapshot_detached_takes_cinder_path(self):
        snapshot = self.snapshot(attached=False)
        self.manager.create_snapshot(self.ctxt, snapshot)
        self.assertEqual(('available', None),
                         self.status_and_phase(snapshot))
        self.assertEqual([], self.steps())

    def test_create_second_snapshot_while_phase_open_is_refused(self):
        first = self.waiting_snapshot()
        second = self.snapshot(volume_id=first.volume_id)
        error = self.assertRaises(exception.AssistedSnapshotInProgress,
                                  self.manager.create_snapshot,
                                  self.ctxt, second)
        self.assertIn(first.id, str(error))
        self.assertEqual(('error', None), self.status_and_phase(second))
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(first))
        self.assertEqual(['create_begin'], self.steps())


class AssistedDeleteTestCase(AssistedSnapshotManagerTestCase):

    def available_snapshot(self):
        snapshot = self.waiting_snapshot()
        self.nova_says(snapshot, 'creating_compute_complete')
        snapshot.refresh()
        snapshot.status = 'deleting'
        snapshot.save()
        return snapshot

    def test_delete_snapshot_attached_waits_then_destroys(self):
        snapshot = self.available_snapshot()
        self.assertTrue(self.manager.delete_snapshot(self.ctxt, snapshot))
        self.assertEqual(('deleting', phases.DELETE_WAITING),
                         self.status_and_phase(snapshot))

        self.nova_says(snapshot, 'delete_compute_complete')

        self.assertRaises(cinder_exception.SnapshotNotFound,
                          cinder_objects.Snapshot.get_by_id, self.ctxt,
                          snapshot.id)
        self.assertTrue(all(row.deleted for row in test_api._all_rows(
            self.ctxt, snapshot.id)))
        self.assertEqual(['snapshot.delete.start', 'snapshot.delete.end'],
                         self.events(snapshot)[2:])
        self.assertEqual(['create_begin', 'create_complete', 'delete_begin',
                          'delete_complete'], self.steps())

    def test_delete_completes_in_its_projects_turn(self):
        # Cinder's delete_snapshot, which finishes the delete, reserves
        # quota on the project's rows: one completion per project at once.
        snapshot = self.available_snapshot()
        self.manager.delete_snapshot(self.ctxt, snapshot)
        seen = []
        fake_assisted_backend.DURING['delete_complete'] = (
            lambda snap: seen.append(quota_turns.in_use()))

        self.nova_says(snapshot, 'delete_compute_complete')

        self.assertEqual([{snapshot.project_id: 1}], seen)
        self.assertEqual({}, quota_turns.in_use())
        self.assertRaises(cinder_exception.SnapshotNotFound,
                          cinder_objects.Snapshot.get_by_id, self.ctxt,
                          snapshot.id)

    def test_delete_while_other_phase_open_keeps_snapshot_available(self):
        snapshot = self.available_snapshot()
        self.waiting_snapshot(volume_id=snapshot.volume_id)
        self.assertTrue(self.manager.delete_snapshot(self.ctxt, snapshot))
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))
        self.assertEqual([(snapshot.project_id,
                           'VOLUME_VOLUME_SNAPSHOT_010_015')],
                         self.messages(snapshot))

    def test_force_delete_in_own_open_phase_leaves_phase_running(self):
        snapshot = self.waiting_snapshot()
        # What os-force_delete does before it casts.
        snapshot.status = 'deleting'
        snapshot.save()
        self.assertTrue(self.manager.delete_snapshot(self.ctxt, snapshot))
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))
        self.nova_says(snapshot, 'creating_compute_complete')
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))

    def test_delete_complete_failure_sets_error_deleting(self):
        fake_assisted_backend.FAILING.add('delete_complete')
        snapshot = self.available_snapshot()
        self.manager.delete_snapshot(self.ctxt, snapshot)
        self.nova_says(snapshot, 'delete_compute_complete')
        self.assertEqual(('error_deleting', phases.DELETE_FAILED),
                         self.status_and_phase(snapshot))
