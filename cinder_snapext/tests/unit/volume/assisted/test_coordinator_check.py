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

"""The coordinator's periodic and start-up check of open phases."""

import copy
import datetime
from unittest import mock

from cinder.tests.unit import utils as cinder_utils
import fixtures
from oslo_db import exception as db_exc
from oslo_utils import timeutils

from cinder_snapext.tests.functional import fake_assisted_backend
from cinder_snapext.tests.unit.volume.assisted import test_coordinator
from cinder_snapext.volume.assisted import coordinator
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume import manager

_CALLS = test_coordinator._CALLS


class AssistedPhaseCheckTestCase(
        test_coordinator.AssistedSnapshotManagerTestCase):

    def phase_of_a_dead_host(self):
        """A snapshot in a running phase of a host that is down for good."""
        gone = self.snapshot()
        phases.write(self.ctxt, gone.id, {
            phases.PHASE_KEY: phases.CREATE_BEGINNING,
            phases.HOST_KEY: 'dead@backend'})
        stale = timeutils.utcnow() - datetime.timedelta(hours=1)
        cinder_utils.create_service(self.ctxt, {
            'host': 'dead@backend', 'binary': 'cinder-volume',
            'topic': 'cinder-volume', 'updated_at': stale,
            'created_at': stale})
        # Cinder compares heartbeats with an aware 'now'; the base class
        # froze a naive one.
        timeutils.set_time_override(
            timeutils.utcnow().replace(tzinfo=datetime.UTC))
        return gone

    def test_manager_lists_periodic_check(self):
        tasks = dict(manager.SnapextVolumeManager._periodic_tasks)
        self.assertIn('_check_assisted_snapshots', tasks)
        self.assertEqual(60, self.manager._periodic_spacing[
            '_check_assisted_snapshots'])

    def test_run_periodic_tasks_times_out_overdue_create(self):
        snapshot = self.waiting_snapshot()
        self.clock.advance_time_seconds(600)
        # Due now, as when the service's timer fires.
        self.manager._periodic_last_run['_check_assisted_snapshots'] = None
        self.manager.run_periodic_tasks(self.ctxt)
        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(snapshot))
        self.assertEqual([(snapshot.project_id,
                           'VOLUME_VOLUME_SNAPSHOT_009_013')],
                         self.messages(snapshot))
        self.assertEqual(('create_abort', snapshot.id, 'timeout'), _CALLS[-1])

    def test_check_before_deadline_changes_nothing(self):
        snapshot = self.waiting_snapshot()
        self.clock.advance_time_seconds(599)
        self.manager._check_assisted_snapshots(self.ctxt)
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))

    def test_check_times_out_overdue_delete(self):
        self.override_config('assisted_snapshot_delete_timeout', 100,
                             group='snapext')
        snapshot = self.snapshot(status='deleting')
        self.manager.delete_snapshot(self.ctxt, snapshot)
        self.clock.advance_time_seconds(100)
        self.manager._check_assisted_snapshots(self.ctxt)
        self.assertEqual(('error_deleting', phases.DELETE_FAILED),
                         self.status_and_phase(snapshot))
        self.assertIn('within 100 seconds', phases.read(
            self.ctxt, snapshot.id)[phases.ERROR_KEY])

    def test_check_continues_phase_whose_cast_was_lost(self):
        snapshot = self.waiting_snapshot()
        phases.write(self.ctxt, snapshot.id, {
            phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'})
        self.manager._check_assisted_snapshots(self.ctxt)
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))

    def test_init_host_resumes_or_closes_phases(self):
        answered = self.waiting_snapshot()
        phases.write(self.ctxt, answered.id, {
            phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'})
        overdue = self.waiting_snapshot()
        phases.write(self.ctxt, overdue.id,
                     {phases.DEADLINE_KEY: '2026-11-22T09:00:00Z'})
        waiting = self.waiting_snapshot()
        interrupted = self.snapshot()
        phases.write(self.ctxt, interrupted.id, {
            phases.PHASE_KEY: phases.CREATE_COMPLETING,
            phases.HOST_KEY: self.manager.host})
        elsewhere = self.snapshot()
        phases.write(self.ctxt, elsewhere.id, {
            phases.PHASE_KEY: phases.CREATE_BEGINNING,
            phases.HOST_KEY: 'other@backend'})
        # That host's service is up: its phase is its own business.
        cinder_utils.create_service(self.ctxt, {
            'host': 'other@backend', 'binary': 'cinder-volume',
            'topic': 'cinder-volume', 'updated_at': timeutils.utcnow()})

        # Cinder compares heartbeats with an aware 'now'; the base class
        # froze a naive one.
        timeutils.set_time_override(
            timeutils.utcnow().replace(tzinfo=datetime.UTC))
        self.manager.init_host(added_to_cluster=False,
                               service_id=self.service.service_id)

        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(answered))
        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(overdue))
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(waiting))
        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(interrupted))
        self.assertIn(('create_abort', interrupted.id, 'interrupted'),
                      _CALLS)
        self.assertEqual(('creating', phases.CREATE_BEGINNING),
                         self.status_and_phase(elsewhere))

    def test_check_closes_own_running_phase_that_nothing_runs(self):
        # The database failed between begin and the phase's next record:
        # the request ended with the error, the phase still says
        # 'beginning' on this live service. Before, it stayed so (and the
        # snapshot 'creating') until the service restarted.
        write = phases.write

        def database_gone(context, snapshot_id, metadata):
            if phases.DEADLINE_KEY in metadata and _CALLS:
                raise db_exc.DBConnectionError('connection refused')
            return write(context, snapshot_id, metadata)

        snapshot = self.snapshot()
        with fixtures.MonkeyPatch(
                'cinder_snapext.volume.assisted.phases.write',
                database_gone):
            self.assertRaises(db_exc.DBConnectionError,
                              self.manager.create_snapshot, self.ctxt,
                              snapshot)
        self.assertEqual(('creating', phases.CREATE_BEGINNING),
                         self.status_and_phase(snapshot))

        self.manager._check_assisted_snapshots(self.ctxt)

        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(snapshot))
        self.assertEqual(('create_abort', snapshot.id, 'interrupted'),
                         _CALLS[-1])
        self.assertIn('stopped in the middle of the phase', phases.read(
            self.ctxt, snapshot.id)[phases.ERROR_KEY])
        self.assertEqual([(snapshot.project_id,
                           'VOLUME_VOLUME_SNAPSHOT_009_013')],
                         self.messages(snapshot))

    def test_check_leaves_phases_running_here_alone(self):
        # The periodic check runs while this service is in the driver's
        # begin, and again in its complete: both phases go on.
        for step in ('create_begin', 'create_complete'):
            fake_assisted_backend.DURING[step] = (
                lambda snapshot: self.manager._check_assisted_snapshots(
                    self.ctxt))
        snapshot = self.waiting_snapshot()
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))
        self.nova_says(snapshot, 'creating_compute_complete')
        self.assertEqual(('available', phases.CREATE_DONE),
                         self.status_and_phase(snapshot))
        self.assertEqual(['create_begin', 'create_complete'], self.steps())
        self.assertEqual([], self.messages(snapshot))

    def test_check_closes_running_phase_of_a_host_that_is_gone(self):
        # A cluster member died while it ran the driver and never came
        # back: another member closes its phase, without a restart.
        gone = self.phase_of_a_dead_host()
        self.manager._check_assisted_snapshots(self.ctxt)

        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(gone))
        self.assertIn(('create_abort', gone.id, 'interrupted'), _CALLS)

    def test_two_members_close_a_gone_hosts_phase_once(self):
        # Two live members of the backend read the dead host's phase
        # before either acts on it: the compare-and-swap on the phase
        # lets one close it; the other finds it closed and does nothing
        # (no second abort of the driver, no second user message).
        gone = self.phase_of_a_dead_host()
        seen = [list(phases.snapshots_in_open_phases(self.ctxt, None))
                for _member in range(2)]
        other = copy.copy(self.manager)
        other.host = 'snapext2'
        members = [coordinator.AssistedSnapshotCoordinator(m)
                   for m in (self.manager, other)]

        for member, found in zip(members, seen):
            with mock.patch.object(phases, 'snapshots_in_open_phases',
                                   return_value=iter(found)):
                member.check(self.ctxt)

        self.assertEqual(('error', phases.CREATE_FAILED),
                         self.status_and_phase(gone))
        self.assertEqual(1, _CALLS.count(
            ('create_abort', gone.id, 'interrupted')), _CALLS)
        self.assertEqual(1, len(self.messages(gone)))
