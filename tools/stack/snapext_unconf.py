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

"""Take cinder-snapext out of a cinder.conf as the install guide says.

Usage: snapext_unconf.py CONF [CONF...]; each file is rewritten in place
and what changed is printed. The rules are those of "Removing it" in
doc/source/install/index.rst: the lines whose Cinder default is right go,
the drivers go back to the Cinder classes ours subclass, the [snapext]
section goes. Comments and every other line stay as they were. A line
naming cinder_snapext that no rule covers is an error: the guide would
be missing it.
"""

import re
import sys

# Dropped: Cinder's default is what a deployment without us runs.
DROP = {
    'osapi_volume_extension': 'cinder_snapext.api.extension.SnapextExtension',
    'volume_manager': 'cinder_snapext.volume.manager.SnapextVolumeManager',
    'backup_api_class': 'cinder_snapext.backup.api.SnapextBackupAPI',
    'backup_manager': 'cinder_snapext.backup.manager.SnapextBackupManager',
    'scheduler_host_manager':
        'cinder_snapext.backup.host_manager.SnapextHostManager',
}
# Replaced: the class ours subclasses (the backup driver's default is
# Swift, a volume driver's LVM, neither of them what the deployment has).
REPLACE = {
    ('backup_driver',
     'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver'):
        'cinder.backup.drivers.ceph.CephBackupDriver',
    ('volume_driver', 'cinder_snapext.volume.drivers.rbd.SnapextRBDDriver'):
        'cinder.volume.drivers.rbd.RBDDriver',
    ('volume_driver',
     'cinder_snapext.volume.drivers.lvm.SnapextLVMVolumeDriver'):
        'cinder.volume.drivers.lvm.LVMVolumeDriver',
    ('volume_driver', 'cinder_snapext.volume.drivers.nfs.SnapextNfsDriver'):
        'cinder.volume.drivers.nfs.NfsDriver',
}
_OPTION = re.compile(r'^\s*([A-Za-z0-9_]+)\s*=\s*(\S*)\s*$')
_SECTION = re.compile(r'^\s*\[([^]]+)\]\s*$')


def unconfigure(lines):
    """(new lines, [what changed]) for the lines of one cinder.conf."""
    out, changes, section = [], [], None
    for number, line in enumerate(lines, 1):
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            if section == 'snapext':
                changes.append('%d: [snapext] section removed' % number)
                continue
            out.append(line)
            continue
        if section == 'snapext':
            continue
        option = _OPTION.match(line)
        if option:
            name, value = option.groups()
            if DROP.get(name) == value:
                changes.append('%d: %s = %s removed' % (number, name, value))
                continue
            if (name, value) in REPLACE:
                stock = REPLACE[name, value]
                changes.append('%d: %s = %s' % (number, name, stock))
                out.append('%s = %s\n' % (name, stock))
                continue
        if 'cinder_snapext' in line and not line.lstrip().startswith('#'):
            raise ValueError('line %d names cinder_snapext and no removal '
                             'rule covers it: %s' % (number, line.strip()))
        out.append(line)
    return out, changes


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    for path in argv:
        with open(path) as f:
            lines, changes = unconfigure(f.readlines())
        with open(path, 'w') as f:
            f.writelines(lines)
        for change in changes:
            print('%s:%s' % (path, change))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
