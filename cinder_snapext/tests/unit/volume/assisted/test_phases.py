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

"""Phase rules: what Nova's reports mean, deadlines, compare-and-swap."""

import datetime

from cinder import context as cinder_context
from cinder.tests.unit import utils as cinder_utils
import ddt
from oslo_utils import fixture as time_fixture

from cinder_snapext import exception
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes
from cinder_snapext.volume.assisted import phases

ALLOWED = ('creating_compute_complete, creating_compute_error, '
           'delete_compute_complete, delete_compute_error')


@ddt.ddt
class ComputeStatusTestCase(base.TestCase):

    @ddt.unpack
    @ddt.data(
        # What real Nova sends, and what it means.
        ('creating', '90%', 'creating_compute_complete'),
        ('error', '90%', 'creating_compute_error'),
        ('error', None, 'creating_compute_error'),
        ('deleting', '90%', 'delete_compute_complete'),
        ('error_deleting', '90%', 'delete_compute_error'),
        # Progress reports and direct transitions mean nothing to a phase.
        ('creating', '50%', None),
        ('creating', None, None),
        ('deleting', '100%', None),
        ('available', '100%', None),
    )
    def test_legacy_compute_status_maps_nova_body(self, status, progress,
                                                  expected):
        self.assertEqual(expected,
                         phases.legacy_compute_status(status, progress))

    @ddt.unpack
    @ddt.data(('creating_compute_complete', 'creating'),
              ('creating_compute_error', 'error'),
              ('delete_compute_complete', 'deleting'),
              ('delete_compute_error', 'error_deleting'))
    def test_check_compute_status_with_its_status_passes(self, value,
                                                         status):
        self.assertIsNone(phases.check_compute_status(value, status))

    @ddt.data('done', 'CREATING_COMPUTE_COMPLETE', '', None, 90, ['x'],
              {'a': 1})
    def test_check_compute_status_unknown_names_allowed_values(self, value):
        error = self.assertRaises(exception.InvalidComputeSnapshotStatus,
                                  phases.check_compute_status, value,
                                  'creating')
        self.assertEqual(400, error.code)
        self.assertIn('Allowed values: %s.' % ALLOWED, str(error))

    def test_check_compute_status_against_status_is_refused(self):
        error = self.assertRaises(exception.InvalidComputeSnapshotStatus,
                                  phases.check_compute_status,
                                  'delete_compute_complete', 'creating')
        self.assertIn('goes with status deleting, not creating', str(error))

    @ddt.unpack
    @ddt.data(
        ('create_waiting_compute', 'creating_compute_complete',
         ('create', True)),
        ('create_waiting_compute', 'creating_compute_error',
         ('create', False)),
        ('delete_waiting_compute', 'delete_compute_complete',
         ('delete', True)),
        ('delete_waiting_compute', 'delete_compute_error',
         ('delete', False)),
        # A report for the other operation, a stale one, or no waiting.
        ('create_waiting_compute', 'delete_compute_complete', None),
        ('delete_waiting_compute', 'creating_compute_complete', None),
        ('create_completing', 'creating_compute_complete', None),
        ('create_done', 'creating_compute_complete', None),
        ('create_beginning', 'creating_compute_complete', None),
        (None, 'creating_compute_complete', None),
        ('create_waiting_compute', None, None),
    )
    def test_signal_for_phase(self, phase, compute_status, expected):
        self.assertEqual(expected, phases.signal_for(phase, compute_status))


@ddt.ddt
class PhaseRecordTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt, status='creating')
        self.clock = self.useFixture(time_fixture.TimeFixture(
            datetime.datetime(2026, 11, 22, 10, 0, 0)))

    def phase(self):
        return phases.read(self.ctxt, self.snapshot.id).get(phases.PHASE_KEY)

    def test_open_phase_records_phase_host_and_deadline(self):
        phases.open_phase(self.ctxt, self.snapshot, phases.CREATE, 'h@b')
        self.assertEqual(
            {phases.PHASE_KEY: 'create_beginning', phases.HOST_KEY: 'h@b',
             phases.DEADLINE_KEY: '2026-11-22T10:10:00Z'},
            phases.read(self.ctxt, self.snapshot.id))

    def test_open_phase_after_closed_one_forgets_its_reports(self):
        phases.write(self.ctxt, self.snapshot.id, {
            phases.PHASE_KEY: phases.CREATE_DONE,
            phases.COMPUTE_STATUS_KEY: 'creating_compute_complete',
            phases.ERROR_KEY: 'old', 'driver:key': 'kept'})
        self.override_config('assisted_snapshot_delete_timeout', 60,
                             group='snapext')
        phases.open_phase(self.ctxt, self.snapshot, phases.DELETE, 'h@b')
        self.assertEqual(
            {phases.PHASE_KEY: 'delete_beginning', phases.HOST_KEY: 'h@b',
             phases.DEADLINE_KEY: '2026-11-22T10:01:00Z',
             'driver:key': 'kept'},
            phases.read(self.ctxt, self.snapshot.id))

    def test_move_from_expected_phase_happens_once(self):
        phases.write(self.ctxt, self.snapshot.id,
                     {phases.PHASE_KEY: phases.CREATE_WAITING})
        self.assertTrue(phases.move(self.ctxt, self.snapshot.id,
                                    [phases.CREATE_WAITING],
                                    phases.CREATE_COMPLETING))
        self.assertFalse(phases.move(self.ctxt, self.snapshot.id,
                                     [phases.CREATE_WAITING],
                                     phases.CREATE_FAILED))
        self.assertEqual(phases.CREATE_COMPLETING, self.phase())

    def test_move_without_phase_or_snapshot_is_false(self):
        self.assertFalse(phases.move(self.ctxt, self.snapshot.id,
                                     phases.CLOSED_PHASES,
                                     phases.DELETE_BEGINNING))
        self.snapshot.destroy()
        self.assertFalse(phases.move(self.ctxt, self.snapshot.id,
                                     phases.CLOSED_PHASES,
                                     phases.DELETE_BEGINNING))

    def test_find_open_phase_looks_at_every_snapshot_of_volume(self):
        other = cinder_utils.create_snapshot(
            self.ctxt, self.snapshot.volume_id, status='deleting')
        phases.write(self.ctxt, self.snapshot.id,
                     {phases.PHASE_KEY: phases.CREATE_DONE})
        self.assertIsNone(phases.find_open_phase(self.ctxt,
                                                 self.snapshot.volume_id))
        phases.write(self.ctxt, other.id,
                     {phases.PHASE_KEY: phases.DELETE_WAITING})
        self.assertEqual((other.id, phases.DELETE_WAITING),
                         phases.find_open_phase(self.ctxt,
                                                self.snapshot.volume_id))

    @ddt.unpack
    @ddt.data(('creating', phases.CREATE_BEGINNING, True),
              ('creating', phases.CREATE_WAITING, True),
              ('creating', phases.CREATE_COMPLETING, True),
              # A force delete in the middle of the create phase.
              ('deleting', phases.CREATE_WAITING, True),
              ('deleting', phases.DELETE_WAITING, True),
              # Cinder made it available; the phase only records that next.
              ('available', phases.CREATE_COMPLETING, False),
              # Nova reported an error; the phase closes on the cast.
              ('error', phases.CREATE_WAITING, False),
              ('error_deleting', phases.DELETE_WAITING, False),
              ('creating', phases.CREATE_FAILED, False))
    def test_find_open_phase_holds_volume_while_working(self, status, phase,
                                                        held):
        self.snapshot.status = status
        self.snapshot.save()
        phases.write(self.ctxt, self.snapshot.id, {phases.PHASE_KEY: phase})
        found = phases.find_open_phase(self.ctxt, self.snapshot.volume_id)
        self.assertEqual((self.snapshot.id, phase) if held else None, found)

    def test_overdue_after_deadline_with_fake_clock(self):
        metadata = {phases.DEADLINE_KEY: phases.deadline(phases.CREATE)}
        self.clock.advance_time_seconds(599)
        self.assertFalse(phases.overdue(metadata))
        self.clock.advance_time_seconds(1)
        self.assertTrue(phases.overdue(metadata))

    @ddt.data({}, {phases.DEADLINE_KEY: 'soon'})
    def test_overdue_without_readable_deadline_is_true(self, metadata):
        self.assertTrue(phases.overdue(metadata))
