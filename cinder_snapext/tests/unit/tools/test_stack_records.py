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

"""tools/stack.sh's records: a server that ended is not running.

A server killed with -9 stays a zombie until init reaps it, with the
start time the record holds; 'tools/stack.sh start' or 'up' run in that
moment took it for running and did not start it again (the fault
harness's kill of cinder-backup, then 'start backup', left a backup in
'creating' for good).
"""

import os
import signal
import subprocess
import sys
import time

import fixtures
import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
LIB = os.path.join(REPO, 'tools', 'stack', 'lib')


def _state(pid):
    with open('/proc/%d/stat' % pid) as f:
        return f.read().rsplit(')', 1)[1].split()[0]


class RecordsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        os.makedirs(os.path.join(self.state, 'run'))

    def bash(self, script):
        prelude = ('set -eu -o pipefail\nSTATE=%s RUN=%s/run LOGS=%s\n'
                   '. %s/common.sh\n' % (self.state, self.state, self.state,
                                         LIB))
        return subprocess.run(['bash', '-c', prelude + script],
                              capture_output=True, text=True, timeout=60)

    def record(self, name, proc):
        # The record as launch() writes it: pid, start time, boot id.
        out = self.bash('echo "%d $(starttime %d) $BOOT_ID" >$RUN/%s.pid'
                        % (proc.pid, proc.pid, name))
        self.assertEqual(0, out.returncode, out.stderr)

    def spawn(self):
        proc = subprocess.Popen([sys.executable, '-c',
                                 'import time; time.sleep(60)'])
        self.addCleanup(proc.wait, 30)
        self.addCleanup(proc.kill)
        return proc

    def test_a_live_server_runs(self):
        proc = self.spawn()
        self.record('srv', proc)
        out = self.bash('recorded srv')
        self.assertEqual((0, str(proc.pid)), (out.returncode,
                                              out.stdout.strip()))

    def test_a_killed_server_not_yet_reaped_does_not_run(self):
        proc = self.spawn()
        self.record('srv', proc)
        proc.kill()
        # Not waited for: the process is a zombie of this test.
        end = time.monotonic() + 30
        while _state(proc.pid) != 'Z':
            self.assertLess(time.monotonic(), end)
            time.sleep(0.05)
        out = self.bash('if running srv; then echo runs; else echo ended; fi')
        self.assertEqual('ended', out.stdout.strip(), out.stderr)

    def lock_file(self, pid):
        path = os.path.join(self.state, 'postmaster.pid')
        with open(path, 'w') as f:
            f.write('%d\n/data\n' % pid)
        return path

    def test_a_lock_file_of_a_killed_server_not_yet_reaped_goes(self):
        proc = self.spawn()
        proc.kill()
        end = time.monotonic() + 30
        while _state(proc.pid) != 'Z':
            self.assertLess(time.monotonic(), end)
            time.sleep(0.05)
        path = self.lock_file(proc.pid)
        out = self.bash('clear_stale_lock %s' % path)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertFalse(os.path.exists(path))

    def test_a_lock_file_of_a_live_server_stays(self):
        path = self.lock_file(self.spawn().pid)
        out = self.bash('clear_stale_lock %s' % path)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertTrue(os.path.exists(path))

    def wait_state(self, pid, states):
        end = time.monotonic() + 30
        while _state(pid) not in states:
            self.assertLess(time.monotonic(), end)
            time.sleep(0.05)

    def test_up_resumes_a_server_a_fault_left_stopped(self):
        proc = self.spawn()
        self.record('srv', proc)
        os.kill(proc.pid, signal.SIGSTOP)
        self.wait_state(proc.pid, 'T')
        out = self.bash('log() { echo "$*"; }; thaw_stopped')
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('resuming srv', out.stdout)
        self.wait_state(proc.pid, 'SR')
