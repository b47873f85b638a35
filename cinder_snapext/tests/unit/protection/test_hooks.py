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

"""Hooks as real sh processes: status, bounded output, deadline, group."""

import os
import time

import fixtures
import testtools

from cinder_snapext.protection import hooks


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): only its state tells it is dead.
    with open('/proc/%d/stat' % pid) as f:
        return f.read().split(') ')[1][0] != 'Z'


class RunTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_run_exit_status_output_and_environment(self):
        result = hooks.run('pre', 'echo "volume $SNAPEXT_VOLUME_ID"; '
                           'echo oops >&2; exit 3', timeout=10,
                           env={'SNAPEXT_VOLUME_ID': 'v1'})
        self.assertEqual((3, False, 'volume v1\noops\n', False),
                         (result.exit_status, result.timed_out,
                          result.output, result.output_truncated))
        self.assertFalse(result.ok)
        self.assertEqual('exited 3 after %.1fs' % result.seconds,
                         result.summary())
        self.assertEqual(result.summary(), result.as_dict()['summary'])

    def test_run_success_is_ok(self):
        result = hooks.run('post', 'true', timeout=10)
        self.assertTrue(result.ok)
        self.assertEqual('', result.output)

    def test_run_keeps_only_the_tail_of_a_flood(self):
        # 1 MiB of 'x' then the line that says why: bounded to 4 KiB.
        result = hooks.run('pre', 'head -c 1048576 /dev/zero | tr "\\0" x;'
                           ' echo; echo the-end', timeout=30)
        self.assertEqual(0, result.exit_status)
        self.assertTrue(result.output_truncated)
        self.assertEqual(hooks.OUTPUT_LIMIT, len(result.output))
        self.assertTrue(result.output.endswith('x\nthe-end\n'))

    def test_run_kills_the_whole_group_at_the_deadline(self):
        pidfile = os.path.join(self.tmp, 'child')
        start = time.monotonic()
        # The shell waits on a child that would outlive a kill of the
        # shell alone.
        result = hooks.run('pre', 'sleep 300 & echo $! > %s; echo started; '
                           'wait' % pidfile, timeout=1, kill_grace=2)
        elapsed = time.monotonic() - start
        self.assertTrue(result.timed_out)
        self.assertIsNone(result.exit_status)
        self.assertEqual('started\n', result.output)
        self.assertIn('killed at its deadline', result.summary())
        self.assertLess(elapsed, 4)
        with open(pidfile) as f:
            child = int(f.read())
        self.assertFalse(_alive(child), 'sleep %d survived' % child)

    def test_run_sigkills_a_group_that_ignores_sigterm(self):
        pidfile = os.path.join(self.tmp, 'child')
        start = time.monotonic()
        result = hooks.run(
            'post', "trap '' TERM; sh -c \"trap '' TERM; echo \\$\\$ > %s; "
            "while :; do sleep 0.1; done\"" % pidfile, timeout=1,
            kill_grace=1)
        self.assertTrue(result.timed_out)
        self.assertLess(time.monotonic() - start, 4)
        with open(pidfile) as f:
            pid = int(f.read())
        # SIGKILL is sent on return; the kernel ends the process when it
        # next runs, which on a loaded machine takes a moment.
        end = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < end:
            time.sleep(0.05)
        self.assertFalse(_alive(pid))

    def test_run_does_not_wait_for_a_background_child_holding_the_pipe(self):
        pidfile = os.path.join(self.tmp, 'child')
        start = time.monotonic()
        result = hooks.run('post', 'sleep 30 & echo $! > %s; echo done'
                           % pidfile, timeout=20)
        self.assertEqual((0, 'done\n'), (result.exit_status, result.output))
        self.assertLess(time.monotonic() - start, 5)
        with open(pidfile) as f:
            os.kill(int(f.read()), 9)

    def test_run_missing_command_is_exit_127(self):
        result = hooks.run('pre', 'no-such-command-snapext', timeout=10)
        self.assertEqual(127, result.exit_status)
        self.assertIn('not found', result.output)
