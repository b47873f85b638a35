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

"""Canned LVM 2.03 outputs, one constant per command and backend state.

Each constant is what the command named above it (Cinder's brick LVM
helper's or our driver's) printed on real LVM 2.03.16, Debian 12's lvm2,
in the stack's LVM guest; ``test_stack_lvm_outputs`` checks them there
(names, attributes and layout exactly; sizes, counts and UUIDs in form).
Real LVM pads columns to their heading's width even with
``--noheadings``, sorts rows by LV name, and with ``--readonly`` reads
metadata only: the state and open columns of lv_attr print as 'X'.
"""

from cinder.tests.unit import fake_constants as fake

VG = 'cinder-volumes'
POOL_LV = VG + '-pool'
VOLUME_LV = 'volume-' + fake.VOLUME_ID
OTHER_VOLUME_LV = 'volume-' + fake.VOLUME2_ID
# A snapshot the operator exported (unmanaged) or made outside Cinder.
IMPORTED_LV = 'exported-snap'

# env LC_ALL=C lvm version (the Configuration line, Debian's ./configure
# options, is long and unread: the one line below stands for it).
LVM_VERSION = ('  LVM version:     2.03.16(2) (2022-05-18)\n'
               '  Library version: 1.02.185 (2022-05-18)\n'
               '  Driver version:  4.47.0\n'
               '  Configuration:   ./configure --build=x86_64-linux-gnu\n')

# env LC_ALL=C vgs --noheadings -o name cinder-volumes
VGS_NAME = '  cinder-volumes\n'

# env LC_ALL=C vgs --noheadings --unit=g -o name,size,free,lv_count,uuid
#     --separator : --nosuffix cinder-volumes
VGS_INFO = ('  cinder-volumes:20.00:8.00:3:'
            'kVxztV-dKpG-Rz7E-xtKY-jeju-QsYU-SLG6Z1\n')

# env LC_ALL=C pvs --noheadings --unit=g -o vg_name,name,size,free
#     --separator | --nosuffix --ignoreskippedcluster
PVS = '  cinder-volumes|/dev/sdb|20.00|8.00\n'

# env LC_ALL=C lvs --noheadings --unit=g -o vg_name,name,size --nosuffix
#     --readonly cinder-volumes/<lv>
# The size column is right-aligned under its heading, LSize.
LVS_ROW = '  cinder-volumes %s %5s\n'
LVS_POOL = LVS_ROW % (POOL_LV, '19.00')
LVS_VOLUME = LVS_ROW % (VOLUME_LV, '1.00')
LVS_VOLUME_1_01G = LVS_ROW % (VOLUME_LV, '1.01')
LVS_IMPORTED_1_00G = LVS_ROW % (IMPORTED_LV, '1.00')
# A thick snapshot's LSize is its copy-on-write store (lvcreate -s -L 200m).
LVS_IMPORTED_COW_0_20G = LVS_ROW % (IMPORTED_LV, '0.20')
# ... its stderr, exit code 5, when the LV does not exist.
LVS_NOT_FOUND = '  Failed to find logical volume "cinder-volumes/%s"\n'

# lvcreate -n <lv> cinder-volumes -L 1g, stderr (exit code 5) when the VG
# has less free space than asked.
LVCREATE_NO_SPACE = ('  Volume group "cinder-volumes" has insufficient free '
                     'space (255 extents): 256 required.\n')

# env LC_ALL=C lvdisplay --noheading -C -o Origin cinder-volumes/<lv>
ORIGIN_VOLUME = '  %s\n' % VOLUME_LV
ORIGIN_OTHER_VOLUME = '  %s\n' % OTHER_VOLUME_LV
# A plain LV has no origin: the row holds its indent and the empty
# column, as wide as its heading, Origin.
ORIGIN_NONE = '        \n'

# env LC_ALL=C lvdisplay --noheading -C -o Attr cinder-volumes/<lv>
ATTR_PLAIN = '  -wi-a-----\n'
ATTR_THICK_ORIGIN = '  owi-a-s---\n'
ATTR_THICK_SNAPSHOT = '  swi-a-s---\n'
ATTR_MERGING_SNAPSHOT = '  Swi-a-s---\n'
# Its copy-on-write store overflowed: state (I)nvalid.
ATTR_INVALID_SNAPSHOT = '  swi-I-s---\n'
ATTR_THIN_VOLUME = '  Vwi-a-tz--\n'
# lvcreate -s of a thin LV flags the snapshot to skip activation ('k').
ATTR_THIN_SNAPSHOT = '  Vwi---tz-k\n'

# env LC_ALL=C lvdisplay --noheading -C -o Attr --readonly cinder-volumes/<lv>
# (brick's lv_has_snapshot): metadata only, state and open print as 'X'.
ATTR_PLAIN_READONLY = '  -wi-XX----\n'
ATTR_THIN_VOLUME_READONLY = '  Vwi-XXtz--\n'

# env LC_ALL=C lvs --noheadings -o lv_name,lv_attr,origin --separator :
#     --readonly cinder-volumes
LVS_ORIGINS_THICK_ALONE = (
    '  %s:-wi-XX----:\n' % VOLUME_LV)
LVS_ORIGINS_THICK_WITH_SNAPSHOT = (
    '  exported-snap:swi-XXs---:%(vol)s\n'
    '  other-snap:swi-XXs---:%(other)s\n'
    '  %(vol)s:owi-XXs---:\n'
    '  %(other)s:owi-XXs---:\n'
    % {'vol': VOLUME_LV, 'other': OTHER_VOLUME_LV})
LVS_ORIGINS_THIN_ALONE = (
    '  cinder-volumes-pool:twi-XXtz--:\n'
    '  %s:Vwi-XXtz--:\n' % VOLUME_LV)
LVS_ORIGINS_THIN_WITH_SNAPSHOT = (
    '  cinder-volumes-pool:twi-XXtz--:\n'
    '  exported-snap:Vwi-XXtz-k:%(vol)s\n'
    '  other-snap:Vwi-XXtz-k:%(other)s\n'
    '  %(vol)s:Vwi-XXtz--:\n'
    '  %(other)s:Vwi-XXtz--:\n'
    % {'vol': VOLUME_LV, 'other': OTHER_VOLUME_LV})
# Cinder's thin clone of the volume is a thin snapshot named as a volume
# (activated with -K, it keeps the skip flag 'k').
LVS_ORIGINS_THIN_WITH_CLONE = (
    '  cinder-volumes-pool:twi-XXtz--:\n'
    '  %(vol)s:Vwi-XXtz--:\n'
    '  %(clone)s:Vwi-XXtz-k:%(vol)s\n'
    % {'vol': VOLUME_LV, 'clone': OTHER_VOLUME_LV})
