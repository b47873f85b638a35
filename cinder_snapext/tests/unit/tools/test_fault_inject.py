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

"""The fault harness reaches every process of a server.

RabbitMQ's start script opens a session of its own under the process
tools/stack.sh records: the harness signalled only the recorded leader's
session, so its 'kill -9' left the broker running and the next 'up'
found the AMQP port taken.
"""

import os
import signal
import subprocess
import time

import testtools

from cinder_snapext.tests.faults import inject

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
