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

"""What the LVM scenarios share: the stack's LVM guest and its LVs.

The LVM node is a qemu guest of the stack (tools/stack/lib/part-lvm.sh);
its logical volumes exist only there, so data is written and read in the
guest through its agent (tools/stack/lvm_agent.py), with dd and
tools/stack/lvm/lv_digest.py on the LV's device.

The scenarios are collected only when the stack was brought up with
LVM=1 (or SNAPEXT_STACK_LVM=1 asks for them): a stack without the part
has nothing for them to test. Asked for and missing, they fail.
"""

import os
import shlex

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import stack

HOST = 'lvm-node'
VG = {'lvm-thick': 'snapext-thick', 'lvm-thin': 'snapext-thin'}
AGENT = os.path.join(stack.REPO, 'tools', 'stack', 'lvm_agent.py')
# The guest sees the host's root, so this repository, at the same path.
DIGEST = os.path.join(stack.REPO, 'tools', 'stack', 'lvm', 'lv_digest.py')


def state_dir():
    return os.path.abspath(os.environ.get('SNAPEXT_STACK_DIR') or
                           os.path.join(stack.REPO, '.stack'))


def requested():
    """LVM=1 was asked for: by the environment or by the stack's state."""
    if os.environ.get('SNAPEXT_STACK_LVM') == '1':
        return True
    try:
        with open(os.path.join(state_dir(), 'lvm', 'enabled')) as f:
            return f.read().strip() == '1'
    except OSError:
        return False


def load_lvm_tests(loader, standard_tests, pattern):
    """load_tests of an LVM scenario module: nothing unless requested."""
    return standard_tests if requested() else loader.suiteClass()


class LvmScenarioTestCase(base.ScenarioTestCase):
    """A scenario on one backend of the LVM guest (BACKEND names it)."""

    BACKEND = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vg = VG[cls.BACKEND]
        cls.sock = os.path.join(cls.stack.dir, 'run', 'lvm-qga.sock')
        if not os.path.exists(cls.sock):
            raise RuntimeError(
                'LVM=1 was asked for but the stack at %s has no LVM guest '
                '(%s missing): run LVM=1 tools/stack.sh up'
                % (cls.stack.dir, cls.sock))

    def guest(self, command, check=True, timeout=300):
        """Run bash -c COMMAND in the guest: its stdout (or rc, out, err)."""
        rc, out, err = cli.run(
            ['python3', AGENT, self.sock, '--timeout', str(timeout), 'exec',
             command], env=self.env, check=check, timeout=timeout + 30)
        return out if check else (rc, out, err)

    def volume_log(self, since=None):
        """The guest cinder-volume's log: its size, or its text after SINCE.

        Written on the host's share (part-lvm.sh's log_dir).
        """
        path = os.path.join(self.stack.dir, 'lvm', 'logs',
                            'cinder-volume.log')
        if since is None:
            return os.path.getsize(path)
        with open(path, errors='replace') as f:
            f.seek(since)
            return f.read()

    def lv_path(self, lv):
        return '/dev/%s/%s' % (self.vg, lv)

    def lvs(self):
        """{LV name: (attr, origin)} of the backend's VG."""
        out = self.guest('lvs --noheadings --separator : -o '
                         'lv_name,lv_attr,origin %s' % self.vg)
        rows = {}
        for line in out.splitlines():
            name, attr, origin = line.strip().split(':')
            rows[name] = (attr, origin)
        return rows

    def fill(self, lv, writes):
        """Write (offset MiB, length MiB, byte) runs into an LV."""
        dev = shlex.quote(self.lv_path(lv))
        for off, length, byte in writes:
            self.guest(
                'head -c %dM /dev/zero | tr "\\000" "\\%03o" | dd of=%s '
                'bs=1M seek=%d oflag=direct conv=notrunc status=none'
                % (length, byte, dev, off))

    def digest(self, lv):
        """MD5 of the LV's device, read in the guest (lv_digest.py).

        A thin snapshot is skipped at activation (LVM's k flag): -K
        activates it for the read. Only an inactive LV: lvchange on an
        active thick snapshot asks to change its origin too, and waits
        for an answer.
        """
        dev = shlex.quote(self.lv_path(lv))
        out = self.guest('[ -e %s ] || lvchange -ay -K %s/%s >/dev/null; '
                         'python3 %s %s'
                         % (dev, self.vg, shlex.quote(lv), DIGEST, dev))
        return out.split()[0]
