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

"""Tests of the per-project turns of completing snapshot deletes."""

import threading

from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.volume.assisted import test_slots
from cinder_snapext.volume.assisted import quota_turns


class QuotaTurnsTestCase(base.TestCase):

    def _hold(self, project, inside, release, ran):
        def block():
            with quota_turns.turn(project):
                ran.append(project)
                inside.set()
                release.wait(test_slots.DEADLINE)
        thread = threading.Thread(target=block)
        thread.start()
        self.addCleanup(thread.join, test_slots.DEADLINE)
        self.addCleanup(release.set)
        return thread

    def test_same_project_waits_for_the_turn(self):
        ran = []
        first_in, first_go = threading.Event(), threading.Event()
        second_in, second_go = threading.Event(), threading.Event()
        self._hold('p1', first_in, first_go, ran)
        self.assertTrue(first_in.wait(test_slots.DEADLINE))
        self._hold('p1', second_in, second_go, ran)
        test_slots.wait_until('second one waiting',
                              lambda: quota_turns.in_use() == {'p1': 2})
        self.assertFalse(second_in.is_set())
        first_go.set()
        self.assertTrue(second_in.wait(test_slots.DEADLINE))
        second_go.set()
        test_slots.wait_until('turns dropped',
                              lambda: quota_turns.in_use() == {})
        self.assertEqual(['p1', 'p1'], ran)

    def test_other_projects_do_not_wait(self):
        ran = []
        first_in, first_go = threading.Event(), threading.Event()
        other_in, other_go = threading.Event(), threading.Event()
        self._hold('p1', first_in, first_go, ran)
        self.assertTrue(first_in.wait(test_slots.DEADLINE))
        self._hold('p2', other_in, other_go, ran)
        self.assertTrue(other_in.wait(test_slots.DEADLINE))
        self.assertEqual({'p1': 1, 'p2': 1}, quota_turns.in_use())

    def test_an_error_gives_the_turn_back(self):
        def failing():
            with quota_turns.turn('p1'):
                raise ValueError('driver failed')

        self.assertRaises(ValueError, failing)
        self.assertEqual({}, quota_turns.in_use())
        with quota_turns.turn('p1'):
            self.assertEqual({'p1': 1}, quota_turns.in_use())
