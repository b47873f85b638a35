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

"""The mode record each service with our classes leaves at start."""

import os

import fixtures
import testtools

from cinder_snapext import concurrency
from cinder_snapext import mode_record


class ModeRecordTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        self.folder = os.path.join(self.state, mode_record.FOLDER)

    def test_record_when_read_back_gives_binary_mode_and_parent(self):
        mode_record.record(self.state, 'cinder-volume')
        self.assertEqual(
            {os.getpid(): ('cinder-volume', concurrency.mode(),
                           os.getppid())},
            mode_record.recorded(self.state))

    def test_record_when_written_forgets_processes_that_are_gone(self):
        os.makedirs(self.folder)
        # No process has this pid: above the kernel's pid_max.
        gone = os.path.join(self.folder, '4194399')
        with open(gone, 'w') as f:
            f.write('cinder-backup eventlet 1\n')
        mode_record.record(self.state, 'cinder-backup')
        self.assertFalse(os.path.exists(gone))
        self.assertEqual([os.getpid()],
                         list(mode_record.recorded(self.state)))

    def test_record_when_state_path_unwritable_only_warns(self):
        blocker = os.path.join(self.state, 'file')
        with open(blocker, 'w'):
            pass
        logger = self.useFixture(fixtures.FakeLogger())
        mode_record.record(blocker, 'cinder-volume')
        self.assertIn('upgrade check will report it unreadable',
                      logger.output)
        self.assertEqual({}, mode_record.recorded(blocker))

    def test_recorded_when_a_file_is_not_a_record_skips_it(self):
        os.makedirs(self.folder)
        for name, text in (('12', 'garbage'), ('notes', 'a b 1'),
                           ('13', 'cinder-volume threading 12\n')):
            with open(os.path.join(self.folder, name), 'w') as f:
                f.write(text)
        self.assertEqual({13: ('cinder-volume', 'threading', 12)},
                         mode_record.recorded(self.state))

    def test_recorded_without_folder_is_empty(self):
        self.assertEqual({}, mode_record.recorded(self.state))
