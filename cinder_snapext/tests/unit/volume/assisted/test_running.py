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

import testtools

from cinder_snapext.volume.assisted import running


class RunningPhasesTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.phases = running.RunningPhases()
        self.closed = []

    def close(self, snapshot_id):
        self.phases.close_unless_running(
            snapshot_id, lambda: self.closed.append(snapshot_id))

    def test_closes_what_does_not_run_here(self):
        with self.phases.running('a'):
            self.close('a')
            self.close('b')
        self.close('a')
        self.assertEqual(['b', 'a'], self.closed)

    def test_complete_inside_its_begin_keeps_the_begin_running(self):
        with self.phases.running('a'):
            with self.phases.running('a'):
                pass
            self.close('a')
        self.assertEqual([], self.closed)

    def test_a_request_that_raises_no_longer_runs(self):
        def fails():
            with self.phases.running('a'):
                raise ValueError('database gone')

        self.assertRaises(ValueError, fails)
        self.close('a')
        self.assertEqual(['a'], self.closed)
