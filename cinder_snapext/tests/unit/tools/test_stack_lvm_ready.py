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

"""The LVM guest's background start (tools/stack/lvm/ready.sh), in bash.

The job is a real process recorded by pid, as tools/stack.sh records it;
only lvm_ready, which needs the guest, is replaced by a line saying it
ran.
"""

import os

import fixtures
import testtools

from cinder_snapext.tests.unit.tools import test_stack_parts

REPO = test_stack_parts.REPO


class LvmReadyTestCase(testtools.TestCase):
    """Who waits for the job, who leaves it alone, and what fails."""

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        for sub in ('run', 'logs', 'lvm'):
            os.makedirs(os.path.join(self.state, sub))
        # The stack was brought up with LVM=1: remembered.
        with open(os.path.join(self.state, 'lvm', 'enabled'), 'w') as f:
            f.write('1\n')

    def bash(self, script, **env):
        # lvm_ready needs the guest: here it only says that it ran.
        return test_stack_parts.stack_bash(
            self.state, 'lvm_ready() { echo "lvm_ready ran"; }\n' + script,
            ('cinder', 'part-lvm'), **env)

    def job(self, rc, status):
        """A finished job: its record, its output and its status."""
        with open(os.path.join(self.state, 'logs', 'lvm-ready.out'),
                  'w') as f:
            f.write('[  90.0s] cinder-volume in the LVM guest ready\n')
        with open(os.path.join(self.state, 'lvm', 'ready-status'),
                  'w') as f:
            f.write(status)
        # Long enough for launch to read its start time.
        proc = self.bash('launch lvm-ready sh -c "sleep 0.5; exit %d"; wait'
                         % rc)
        self.assertEqual(0, proc.returncode, proc.stderr)

    def test_an_up_remembering_lvm_leaves_a_running_job_alone(self):
        proc = self.bash('launch lvm-ready sleep 30\n'
                         'hook_ready_lvm\n'
                         'hook_running_lvm && echo running\n'
                         'stop_group TERM lvm-ready >/dev/null')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('still starting in the background', proc.stdout)
        self.assertIn('running', proc.stdout.split())
        self.assertNotIn('lvm_ready ran', proc.stdout)

    def test_an_up_asking_for_lvm_collects_the_finished_job(self):
        self.job(0, 'ok\n')
        proc = self.bash('hook_ready_lvm', LVM='1')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('lvm-ready: [  90.0s] cinder-volume', proc.stdout)
        self.assertIn('lvm_ready ran', proc.stdout)
        self.assertFalse(os.path.exists(
            os.path.join(self.state, 'run', 'lvm-ready.pid')))

    def test_a_failed_job_fails_the_up_that_collects_it(self):
        # A job that died on its way (die) never wrote 'ok'.
        self.job(1, '')
        proc = self.bash('hook_ready_lvm', LVM='1')
        self.assertEqual(1, proc.returncode)
        self.assertIn("background start failed", proc.stderr)
        self.assertNotIn('lvm_ready ran', proc.stdout)

    def test_no_wait_starts_the_job_instead_of_waiting(self):
        proc = self.bash('LVM_NO_WAIT=1\n'
                         'launch() { echo "launch $*"; }\n'
                         'recorded() { echo 4242; }\n'
                         'hook_ready_lvm', LVM='1')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('launch lvm-ready env VENV_CHANGED= SNAPEXT_STACK_DIR=%s'
                      ' %s/tools/stack.sh lvm-ready' % (self.state, REPO),
                      proc.stdout)
        self.assertNotIn('lvm_ready ran', proc.stdout)

    def test_without_a_job_the_guest_is_waited_for_as_before(self):
        proc = self.bash('hook_ready_lvm')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn('lvm_ready ran', proc.stdout)
