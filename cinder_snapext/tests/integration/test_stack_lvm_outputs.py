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

"""The unit tests' canned LVM outputs, checked against real LVM.

``tests/unit/volume/drivers/lvm_outputs.py`` holds what the LVM commands
of Cinder's brick helper and of our driver print, written by hand. Here
each command runs, exactly as named there, in the stack's LVM guest on a
scratch volume group of that name (``cinder-volumes``, on a loop device
over a sparse file in the guest's tmpfs) built into the state the
constant describes. Names, LV attributes, origins and row layout must
match exactly; sizes, counts, UUIDs and device names, which the
constants pick freely, only in form.

SNAPEXT_LVM_RECORD=<file> also writes every real output there, as a
starting point when a constant has to change.
"""

import os
import re

from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import lvm_base
from cinder_snapext.tests.unit.volume.drivers import lvm_outputs as canned

VG = canned.VG
SCRATCH = '/run/snapext-scratch.img'
VOL = canned.VOLUME_LV
OTHER = canned.OTHER_VOLUME_LV
SNAP = canned.IMPORTED_LV

VGS_INFO = ('vgs --noheadings --unit=g -o name,size,free,lv_count,uuid '
            '--separator : --nosuffix ' + VG)
PVS = ('pvs --noheadings --unit=g -o vg_name,name,size,free --separator "|" '
       '--nosuffix --ignoreskippedcluster')


def load_tests(loader, standard_tests, pattern):
    return lvm_base.load_lvm_tests(loader, standard_tests, pattern)


def lvs_row(lv):
    return ('lvs --noheadings --unit=g -o vg_name,name,size --nosuffix '
            '--readonly %s/%s' % (VG, lv))


def attr(lv, readonly=False):
    # Our driver's query; brick's lv_has_snapshot adds --readonly.
    return 'lvdisplay --noheading -C -o Attr %s%s/%s' % (
        '--readonly ' if readonly else '', VG, lv)


def origin(lv):
    return 'lvdisplay --noheading -C -o Origin %s/%s' % (VG, lv)


ORIGINS = ('lvs --noheadings -o lv_name,lv_attr,origin --separator : '
           '--readonly ' + VG)


def form(text):
    """Text with what a constant may choose freely masked."""
    text = re.sub(r'[0-9A-Za-z]{6}(-[0-9A-Za-z]{4}){5}-[0-9A-Za-z]{6}',
                  '<uuid>', text)
    text = re.sub(r'/dev/[a-z0-9]+', '<disk>', text)
    return re.sub(r'\d+(\.\d+)?', '<n>', text)


class LvmCannedOutputsTest(lvm_base.LvmScenarioTestCase):
    """Every canned LVM output against the real command's."""

    BACKEND = 'lvm-thick'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.record = os.environ.get('SNAPEXT_LVM_RECORD')
        cls.real = {}

    def lvm(self, command, rc=0):
        """Run an LVM command as Cinder does (LC_ALL=C): stdout, stderr."""
        got_rc, out, err = self.guest('env LC_ALL=C ' + command, check=False)
        self.assertEqual(rc, got_rc, '%s: %s %s' % (command, out, err))
        return out, err

    def check(self, name, real, exact=True, want=None):
        """Compare one constant; a step fails at its end, listing all."""
        self.real[name] = real
        if want is None:
            want = getattr(canned, name)
        if (want != real) if exact else (form(want) != form(real)):
            self.mismatches.append('%s: canned %r, real %r'
                                   % (name, want, real))

    def setUp(self):
        super().setUp()
        self.mismatches = []
        self.addCleanup(self.no_mismatch)

    def no_mismatch(self):
        self.assertEqual([], self.mismatches)

    def scratch(self, commands):
        self.guest(' && '.join(commands))

    @step
    def test_01_scratch_vg(self):
        self.guest('vgremove -q -f %s >/dev/null 2>&1; truncate -s 24G %s'
                   % (VG, SCRATCH))
        type(self).disk = self.guest('losetup -f --show %s' % SCRATCH).strip()
        self.guest('pvcreate -q %s && vgcreate -q %s %s'
                   % (self.disk, VG, self.disk))
        # The constant cuts the Configuration line (Debian's ./configure
        # options) after its first option: nothing reads it.
        lines = self.lvm('lvm version')[0].splitlines(True)
        lines[-1] = lines[-1].split(' --prefix=')[0] + '\n'
        self.check('LVM_VERSION', ''.join(lines))
        self.check('VGS_NAME', self.lvm('vgs --noheadings -o name ' + VG)[0])

    @step
    def test_02_thick_alone(self):
        self.scratch(['lvcreate -q -L 1g -n %s %s' % (VOL, VG)])
        self.check('LVS_ORIGINS_THICK_ALONE', self.lvm(ORIGINS)[0])
        self.check('ATTR_PLAIN', self.lvm(attr(VOL))[0])
        self.check('ATTR_PLAIN_READONLY',
                   self.lvm(attr(VOL, readonly=True))[0])
        self.check('ORIGIN_NONE', self.lvm(origin(VOL))[0])
        self.check('LVS_VOLUME', self.lvm(lvs_row(VOL))[0])

    @step
    def test_03_thick_with_snapshots(self):
        self.scratch([
            'lvcreate -q -s -L 200m -n %s %s/%s' % (SNAP, VG, VOL),
            'lvcreate -q -L 1g -n %s %s' % (OTHER, VG),
            'lvcreate -q -s -L 200m -n other-snap %s/%s' % (VG, OTHER)])
        self.check('LVS_ORIGINS_THICK_WITH_SNAPSHOT', self.lvm(ORIGINS)[0])
        self.check('ATTR_THICK_ORIGIN', self.lvm(attr(VOL))[0])
        self.check('ATTR_THICK_SNAPSHOT', self.lvm(attr(SNAP))[0])
        self.check('ORIGIN_VOLUME', self.lvm(origin(SNAP))[0])
        self.check('ORIGIN_OTHER_VOLUME', self.lvm(origin('other-snap'))[0])
        self.check('LVS_IMPORTED_COW_0_20G', self.lvm(lvs_row(SNAP))[0])
        self.check('VGS_INFO', self.lvm(VGS_INFO)[0], exact=False)
        rows = [line + '\n' for line in self.lvm(PVS)[0].splitlines()
                if line.strip().startswith(VG)]
        self.check('PVS', rows[0], exact=False)

    @step
    def test_04_errors(self):
        self.check('LVS_NOT_FOUND',
                   self.lvm(lvs_row('no-such-lv'), rc=5)[1],
                   want=canned.LVS_NOT_FOUND % 'no-such-lv')
        self.check('LVCREATE_NO_SPACE',
                   self.lvm('lvcreate -n too-big %s -L 64g' % VG, rc=5)[1],
                   exact=False)

    @step
    def test_05_invalid_snapshot(self):
        # A 4 MiB copy-on-write store, then 8 MiB written to the origin.
        self.scratch([
            'lvcreate -q -s -L 4m -n overflow %s/%s' % (VG, OTHER),
            'dd if=/dev/zero of=/dev/%s/%s bs=1M count=8 oflag=direct '
            'status=none' % (VG, OTHER)])
        self.check('ATTR_INVALID_SNAPSHOT', self.lvm(attr('overflow'))[0])

    @step
    def test_06_thin(self):
        self.scratch([
            'lvremove -q -f %s' % VG,
            'lvcreate -q -T -L 4g %s/%s' % (VG, canned.POOL_LV),
            'lvcreate -q -V 1g -T %s/%s -n %s' % (VG, canned.POOL_LV, VOL)])
        self.check('LVS_ORIGINS_THIN_ALONE', self.lvm(ORIGINS)[0])
        self.check('ATTR_THIN_VOLUME', self.lvm(attr(VOL))[0])
        self.check('ATTR_THIN_VOLUME_READONLY',
                   self.lvm(attr(VOL, readonly=True))[0])
        self.scratch([
            'lvcreate -q -s -n %s %s/%s' % (SNAP, VG, VOL),
            'lvcreate -q -V 1g -T %s/%s -n %s' % (VG, canned.POOL_LV, OTHER),
            'lvcreate -q -s -n other-snap %s/%s' % (VG, OTHER)])
        self.check('LVS_ORIGINS_THIN_WITH_SNAPSHOT', self.lvm(ORIGINS)[0])
        self.check('ATTR_THIN_SNAPSHOT', self.lvm(attr(SNAP))[0])

    @step
    def test_07_thin_clone(self):
        # Cinder's thin clone: lvcreate --snapshot named as a volume, then
        # activated ignoring the skip flag (brick's activate_lv).
        self.scratch([
            'lvremove -q -f %s/%s %s/other-snap %s/%s'
            % (VG, SNAP, VG, VG, OTHER),
            'lvcreate -q --name %s --snapshot %s/%s' % (OTHER, VG, VOL),
            'lvchange -a y --yes -K %s/%s' % (VG, OTHER)])
        self.check('LVS_ORIGINS_THIN_WITH_CLONE', self.lvm(ORIGINS)[0])

    @step(always=True)
    def test_08_clean_up(self):
        if self.record:
            with open(self.record, 'w') as f:
                for name, real in sorted(self.real.items()):
                    f.write('%s = %r\n' % (name, real))
        disk = getattr(self, 'disk', None)
        if disk:
            self.guest('vgremove -q -f %s; pvremove -q %s; losetup -d %s; '
                       'rm -f %s' % (VG, disk, disk, SCRATCH))
        self.assertNotIn(VG, self.guest('vgs --noheadings -o name'))
