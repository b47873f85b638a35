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

"""Recorded outputs of tgt 1.0.85 (Debian 12's tgt), one per target state.

Recorded, not derived: tgtd runs in user space, so it ran here (on a
private control port) with a 1 GiB file behind
``/dev/cinder-volumes/_snapshot-<SNAPSHOT_ID>`` and the exact persistence
file ReadOnlyTgtAdm writes. ``tgt-admin --show`` and ``tgtadm --lld iscsi
--op show --mode target`` printed the same bytes in each state.
"""

from cinder.tests.unit import fake_constants as fake

SNAPSHOT_ID = fake.SNAPSHOT_ID
IQN = 'iqn.2010-10.org.openstack:snapshot-' + SNAPSHOT_ID
SNAPSHOT_DEVICE = '/dev/cinder-volumes/_snapshot-' + SNAPSHOT_ID

# No target: tgt prints nothing at all.
SHOW_NO_TARGET = ''

# The snapshot exported: LUN 1 is the snapshot LV, Readonly: Yes.
SHOW_SNAPSHOT_EXPORTED = (
    'Target 1: ' + IQN + '\n'
    '    System information:\n'
    '        Driver: iscsi\n'
    '        State: ready\n'
    '    I_T nexus information:\n'
    '    LUN information:\n'
    '        LUN: 0\n'
    '            Type: controller\n'
    '            SCSI ID: IET     00010000\n'
    '            SCSI SN: beaf10\n'
    '            Size: 0 MB, Block size: 1\n'
    '            Online: Yes\n'
    '            Removable media: No\n'
    '            Prevent removal: No\n'
    '            Readonly: No\n'
    '            SWP: No\n'
    '            Thin-provisioning: No\n'
    '            Backing store type: null\n'
    '            Backing store path: None\n'
    '            Backing store flags: \n'
    '        LUN: 1\n'
    '            Type: disk\n'
    # tgt cuts SCSI ID and SN to 36 characters.
    '            SCSI ID: snapshot-253b2878-ec60-4793-ad19-e65\n'
    '            SCSI SN: snapshot-253b2878-ec60-4793-ad19-e65\n'
    '            Size: 1074 MB, Block size: 512\n'
    '            Online: Yes\n'
    '            Removable media: No\n'
    '            Prevent removal: No\n'
    '            Readonly: Yes\n'
    '            SWP: No\n'
    '            Thin-provisioning: No\n'
    '            Backing store type: rdwr\n'
    '            Backing store path: ' + SNAPSHOT_DEVICE + '\n'
    '            Backing store flags: \n'
    '    Account information:\n'
    '        kQ7pXfB3Lm2Nz8Rt\n'
    '    ACL information:\n'
    '        ALL\n'
)
