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

"""tools/stack.sh's Nova emulator knows every NFS share of the stack.

The emulator reads its shares once, at its start. 'NFS_STOCK=1
tools/stack.sh up' after an 'up' without it kept the running emulator,
which then failed every snapshot on the stock share ("no file of volume
... on" the other share): benchmarks/assisted_in_flight.py measured no
stock backend at all. Run here with the real emulator, without a stack.
"""

import os
import socket
import sys

import fixtures
import testtools

from cinder_snapext.tests.unit.tools import test_stack_parts


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class NovaEmulatorSharesTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        for sub in ('run', 'logs', 'venv/bin'):
            os.makedirs(os.path.join(self.state, sub))
        # The emulator needs only the standard library.
        os.symlink(sys.executable,
                   os.path.join(self.state, 'venv', 'bin', 'python'))
        self.port = _free_port()
        self.addCleanup(self.bash, 'stop_group TERM nova-emulator', '0')

    def bash(self, script, stock):
        return test_stack_parts.stack_bash(
            self.state, 'NOVA_PORT=%d DEADLINE=60\n%s' % (self.port, script),
            ('part-nfs',), NFS='1', NFS_STOCK=stock)

    def start(self, stock):
        """start_nova_emulator as 'up' runs it: (pid, its --share args)."""
        out = self.bash('mkdir -p "$NFS_DIR"; start_nova_emulator; '
                        'recorded nova-emulator', stock)
        self.assertEqual(0, out.returncode, out.stdout + out.stderr)
        pid = int(out.stdout.split()[-1])
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            argv = f.read().decode().split('\0')
        shares = [argv[i + 1] for i, arg in enumerate(argv)
                  if arg == '--share']
        return pid, shares

    def mount_point(self, backend):
        out = self.bash('nfs_mount_point %s' % backend, '1')
        self.assertEqual(0, out.returncode, out.stderr)
        return out.stdout.strip()

    def test_adding_the_stock_backend_restarts_it_with_both_shares(self):
        ours, stock = self.mount_point('nfs'), self.mount_point('nfs_stock')
        first, shares = self.start('0')
        self.assertEqual([ours], shares)
        second, shares = self.start('1')
        self.assertNotEqual(first, second)
        self.assertEqual([ours, stock], shares)
        # Nothing changed: the running emulator is kept.
        self.assertEqual((second, [ours, stock]), self.start('1'))
