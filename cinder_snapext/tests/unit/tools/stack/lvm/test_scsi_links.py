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

"""tools/stack/lvm/scsi_links.py on a sysfs and a /dev laid out here.

The uevents are the kernel's format (KEY=VALUE fields after an
ACTION@DEVPATH header, NUL-separated); the links must be the ones
os-brick's LinuxSCSI.get_sysfs_wwn finds: /dev/disk/by-id/scsi-<wwid>
with the designator type as a digit, pointing at the disk.
"""

import io
import os

import fixtures
import testtools

from cinder_snapext.tests.unit.tools.stack import lvm

# What tgt's LUNs show in sysfs (an NAA designator).
WWID = 'naa.60000000000000000e00000000010001'


def uevent(action, dev, devtype='disk', subsystem='block'):
    fields = ['%s@/devices/platform/host0/session1/target0:0:0/0:0:0:1/'
              'block/%s' % (action, dev), 'ACTION=' + action,
              'SUBSYSTEM=' + subsystem, 'DEVNAME=' + dev,
              'DEVTYPE=' + devtype, 'SEQNUM=2051']
    return '\0'.join(fields).encode() + b'\0'


class ScsiLinksTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.mod = lvm.load('scsi_links')
        self.mod.SYS_BLOCK = os.path.join(root, 'sys', 'block')
        self.mod.DEV = os.path.join(root, 'dev')
        self.by_id = os.path.join(self.mod.DEV, 'disk', 'by-id')
        os.makedirs(self.by_id)
        self.links = {}
        # What it logs (a line per link) is the guest's log only.
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))

    def disk(self, dev, wwid):
        """A SCSI disk in sysfs and its node in /dev."""
        folder = os.path.join(self.mod.SYS_BLOCK, dev, 'device')
        os.makedirs(folder)
        with open(os.path.join(folder, 'wwid'), 'w') as f:
            f.write(wwid + '\n')
        open(os.path.join(self.mod.DEV, dev), 'w').close()

    def listing(self):
        return {name: os.readlink(os.path.join(self.by_id, name))
                for name in os.listdir(self.by_id)}

    def test_add_links_the_disk_by_its_designator(self):
        self.disk('sda', WWID)
        self.mod.handle(uevent('add', 'sda'), self.links)
        self.assertEqual({'scsi-360000000000000000e00000000010001':
                          '../../sda'}, self.listing())

    def test_other_designator_types(self):
        self.disk('sda', 't10.IET_00010001')
        self.disk('sdb', 'eui.0123456789abcdef')
        self.disk('sdc', 'iqn.2010-10.org.openstack:x')
        for dev in ('sda', 'sdb', 'sdc'):
            self.mod.handle(uevent('add', dev), self.links)
        self.assertEqual({'scsi-1IET_00010001': '../../sda',
                          'scsi-20123456789abcdef': '../../sdb',
                          'scsi-82010-10.org.openstack:x': '../../sdc'},
                         self.listing())

    def test_remove_unlinks(self):
        self.disk('sda', WWID)
        self.mod.handle(uevent('add', 'sda'), self.links)
        self.mod.handle(uevent('remove', 'sda'), self.links)
        self.assertEqual({}, self.listing())

    def test_remove_keeps_a_link_another_disk_took(self):
        # The LUN logged in again as sdb before sda's remove came.
        self.disk('sda', WWID)
        self.disk('sdb', WWID)
        self.mod.handle(uevent('add', 'sda'), self.links)
        self.mod.handle(uevent('add', 'sdb'), self.links)
        self.mod.handle(uevent('remove', 'sda'), self.links)
        self.assertEqual({'scsi-360000000000000000e00000000010001':
                          '../../sdb'}, self.listing())

    def test_other_events_ignored(self):
        self.disk('sda', WWID)
        self.mod.handle(uevent('add', 'sda1', devtype='partition'),
                        self.links)
        self.mod.handle(uevent('add', 'dm-3'), self.links)
        self.mod.handle(uevent('add', 'sda', subsystem='scsi_disk'),
                        self.links)
        self.assertEqual({}, self.listing())

    def test_no_wwid_no_link(self):
        os.makedirs(os.path.join(self.mod.SYS_BLOCK, 'sda', 'device'))
        self.mod.handle(uevent('add', 'sda'), self.links)
        self.assertEqual({}, self.listing())

    def test_scan_links_the_disks_present(self):
        self.disk('sda', WWID)
        os.makedirs(os.path.join(self.mod.SYS_BLOCK, 'vda'))
        self.mod.scan(self.links)
        self.assertEqual({'scsi-360000000000000000e00000000010001':
                          '../../sda'}, self.listing())
