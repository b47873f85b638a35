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

"""Which phases a volume service counts as running in its own process."""

from cinder import context as cinder_context
from cinder.tests.unit import utils as cinder_utils

from cinder_snapext.tests.unit import base
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.assisted import running


class RunningPhasesTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.phases = running.RunningPhases()
        volume = cinder_utils.create_volume(self.ctxt)
        self.snapshot_id = cinder_utils.create_snapshot(
            self.ctxt, volume.id, status='creating').id
        phases.write(self.ctxt, self.snapshot_id,
                     {phases.PHASE_KEY: phases.CREATE_BEGINNING})

    def close(self):
        return self.phases.move_unless_running(
            self.ctxt, self.snapshot_id, [phases.CREATE_BEGINNING],
            phases.CREATE_FAILED)

    def phase(self):
        return phases.read(self.ctxt, self.snapshot_id)[phases.PHASE_KEY]

    def test_moves_only_what_does_not_run_here(self):
        with self.phases.running(self.snapshot_id):
            self.assertFalse(self.close())
            self.assertEqual(phases.CREATE_BEGINNING, self.phase())
        self.assertTrue(self.close())
        self.assertEqual(phases.CREATE_FAILED, self.phase())
        # The compare-and-swap still decides: a second close does nothing.
        self.assertFalse(self.close())

    def test_complete_inside_its_begin_keeps_the_begin_running(self):
        with self.phases.running(self.snapshot_id):
            with self.phases.running(self.snapshot_id):
                pass
            self.assertFalse(self.close())
        self.assertEqual(phases.CREATE_BEGINNING, self.phase())

    def test_a_request_that_raises_no_longer_runs(self):
        def fails():
            with self.phases.running(self.snapshot_id):
                raise ValueError('database gone')

        self.assertRaises(ValueError, fails)
        self.assertTrue(self.close())
