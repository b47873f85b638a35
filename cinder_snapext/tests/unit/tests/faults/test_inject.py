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

"""The harness's kill -9 reaches every process of a server."""

import os
import signal
import subprocess
import sys
import time

import fixtures
import testtools

from cinder_snapext.tests.faults import inject

# A session leader with a child, as tools/stack.sh launches servers.
_SERVER = ('import subprocess, sys, time; '
           'subprocess.Popen([sys.executable, "-c", '
           '"import time; time.sleep(120)"]); time.sleep(120)')


class KillTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        os.mkdir(os.path.join(self.dir, 'run'))
        self.proc = subprocess.Popen([sys.executable, '-c', _SERVER],
                                     start_new_session=True)
        self.addCleanup(self._reap)
        with open(os.path.join(self.dir, 'run', 'srv.pid'), 'w') as f:
            f.write('%d 0 boot\n' % self.proc.pid)
        self.servers = inject.Servers(self.dir, {})
        end = time.monotonic() + 30
        while len(inject.members(self.proc.pid)) < 2:
            self.assertLess(time.monotonic(), end, 'no child started')
            time.sleep(0.05)

    def _reap(self):
        for pid in inject.members(self.proc.pid):
            os.kill(pid, 9)
        self.proc.wait(timeout=30)

    def test_kill9_ends_the_whole_session(self):
        self.servers.kill9('srv')
        self.assertEqual(-9, self.proc.wait(timeout=30))
        self.assertEqual([], inject.members(self.proc.pid))

    def test_a_killed_server_is_refused(self):
        self.servers.kill9('srv')
        self.proc.wait(timeout=30)
        self.assertRaises(inject.FaultError, self.servers.kill9, 'srv')

    def test_freeze_stops_and_thaw_resumes(self):
        # A signal is delivered when the kernel next schedules the
        # process: on a loaded machine the state changes a moment later.
        self.servers.freeze('srv')
        self._wait_state(lambda state: state == 'T')
        self.servers.thaw('srv')
        self._wait_state(lambda state: state != 'T')

    def _wait_state(self, wanted):
        end = time.monotonic() + 30
        while not wanted(inject._stat(self.proc.pid)[0]):
            self.assertLess(time.monotonic(), end)
            time.sleep(0.05)

    def test_wait_log_sees_only_what_comes_after_the_offset(self):
        logs = os.path.join(self.dir, 'logs')
        os.mkdir(logs)
        with open(os.path.join(logs, 'svc.log'), 'w') as f:
            f.write('step one\n')
        offset = self.servers.log_offset('svc')
        self.assertFalse(self.servers.wait_log('svc', 'step one', offset,
                                               0.2))
        with open(os.path.join(logs, 'svc.log'), 'a') as f:
            f.write('step two\n')
        self.assertTrue(self.servers.wait_log('svc', 'step two', offset, 5))


# The leader starts a child in a session of its own, as rabbitmq-server
# does under the stack's launcher, and prints its pid.
TREE = 'setsid sleep 60 & echo $!; wait'


class MembersTestCase(testtools.TestCase):

    def spawn_tree(self):
        proc = subprocess.Popen(['bash', '-c', TREE], stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
        child = int(proc.stdout.readline())
        self.addCleanup(proc.wait, 30)
        self.addCleanup(lambda: [os.kill(p, signal.SIGKILL) for p in
                                 inject.alive([proc.pid, child])])
        return proc, child

    def test_a_child_in_a_session_of_its_own_is_a_member(self):
        proc, child = self.spawn_tree()
        end = time.monotonic() + 30
        while child not in inject.members(proc.pid):
            self.assertLess(time.monotonic(), end, 'child never seen')
            time.sleep(0.05)
        self.assertEqual({proc.pid, child}, set(inject.members(proc.pid)))

    def test_kill9_leaves_no_member_running(self):
        proc, child = self.spawn_tree()
        pids = inject.members(proc.pid)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        proc.wait(30)
        end = time.monotonic() + 30
        while inject.alive([child]):
            self.assertLess(time.monotonic(), end, 'child outlived kill')
            time.sleep(0.05)
