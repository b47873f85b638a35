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

"""The devstack plugin harness: bash with stub devstack functions."""

import os
import subprocess
import sys

import fixtures
from oslo_config import cfg
import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
DEVSTACK = os.path.join(REPO, 'devstack')
PLUGIN_FILES = ('plugin.sh', 'settings', os.path.join('lib', 'cinder_snapext'))

STANDARD = 'cinder.api.contrib.standard_extensions'
RBD = 'cinder.volume.drivers.rbd.RBDDriver'
LVM = 'cinder.volume.drivers.lvm.LVMVolumeDriver'
NFS = 'cinder.volume.drivers.nfs.NfsDriver'
QUOBYTE = 'cinder.volume.drivers.quobyte.QuobyteDriver'
SNAPEXT_RBD = 'cinder_snapext.volume.drivers.rbd.SnapextRBDDriver'
SNAPEXT_LVM = 'cinder_snapext.volume.drivers.lvm.SnapextLVMVolumeDriver'
SNAPEXT_NFS = 'cinder_snapext.volume.drivers.nfs.SnapextNfsDriver'
CEPH_BACKUP = 'cinder.backup.drivers.ceph.CephBackupDriver'
SNAPEXT_CEPH_BACKUP = ('cinder_snapext.backup.drivers.ceph.'
                       'SnapextCephBackupDriver')
SNAPEXT_BACKUP_MANAGER = 'cinder_snapext.backup.manager.SnapextBackupManager'

# cinder.conf as devstack's configure_cinder leaves it before post-config,
# with CINDER_BACKUP_DRIVER=ceph (lib/cinder_backups/ceph).
CINDER_CONF = """\
[DEFAULT]
osapi_volume_extension = %(standard)s
enabled_backends = ceph,lvmdriver-1,nfs,quobyte
default_volume_type = ceph
backup_driver = %(ceph_backup)s
backup_ceph_pool = backups

[ceph]
volume_driver = %(rbd)s
rbd_pool = volumes

[lvmdriver-1]
volume_driver = %(lvm)s

[nfs]
volume_driver = %(nfs)s
nfs_shares_config = /etc/cinder/nfs-shares-nfs.conf

[quobyte]
volume_driver = %(quobyte)s
""" % {'standard': STANDARD, 'rbd': RBD, 'lvm': LVM, 'nfs': NFS,
       'quobyte': QUOBYTE, 'ceph_backup': CEPH_BACKUP}

TEMPEST_CONF = """\
[volume]
catalog_type = block-storage

[volume-feature-enabled]
api_extensions = all
"""

# iniset/iniadd/iniget/iniget_multiline with devstack's semantics, on real
# ini files (duplicate keys kept, in order).
INI_TOOL = r'''
import re
import sys


def sections(lines):
    """Index of each section header, and the end of the section."""
    heads = [i for i, line in enumerate(lines) if line.startswith('[')]
    spans = {}
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        spans[lines[i].strip()[1:-1]] = (i, end)
    return spans


def values(lines, span, option):
    pattern = re.compile(r'^%s[ \t]*=[ \t]*(.*)$' % re.escape(option))
    found = []
    for i in range(span[0] + 1, span[1]):
        m = pattern.match(lines[i])
        if m:
            found.append((i, m.group(1).rstrip('\n')))
    return found


def main(cmd, path, section, option, *args):
    try:
        with open(path) as f:
            lines = f.readlines()
    except FileNotFoundError:
        lines = []
    span = sections(lines).get(section)
    current = values(lines, span, option) if span else []
    if cmd == 'get':
        print(current[0][1] if current else '')
        return
    if cmd == 'getmulti':
        print(' '.join(v for _, v in current))
        return
    if span is None:
        lines += ['\n', '[%s]\n' % section]
        span = sections(lines)[section]
    if cmd == 'set':
        new = [args[0]]
        if current:
            for i, _ in current:
                lines[i] = '%s = %s\n' % (option, args[0])
            new = []
    else:  # add: the old values, then the new ones, after the header
        new = [v for _, v in current] + list(args)
        for i, _ in reversed(current):
            del lines[i]
    for n, value in enumerate(new):
        lines.insert(span[0] + 1 + n, '%s = %s\n' % (option, value))
    with open(path, 'w') as f:
        f.writelines(lines)


main(*sys.argv[1:])
'''

# The devstack functions the plugin calls. Calls with side effects
# outside the ini files are recorded in $CALLS.
STUBS = r'''
set -o errexit -o nounset -o pipefail
declare -A -g PROJECT_VENV
function define_plugin { :; }
function enable_service { ENABLED_SERVICES+=",$1"; }
function disable_service {
    ENABLED_SERVICES=$(echo ",$ENABLED_SERVICES," | sed "s/,$1,/,/g")
}
function is_service_enabled {
    local s
    for s in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$s,"* ]] && return 0
    done
    return 1
}
function trueorfalse {
    local v=${!2:-$1}
    case "${v,,}" in
        1|yes|true|on) echo True ;;
        *) echo False ;;
    esac
}
function echo_summary { echo "summary: $*"; }
function die { shift; echo "die: $*" >&2; exit 1; }
function warn { echo "warn: $2"; }
function setup_develop {
    echo "setup_develop $* venv=${PROJECT_VENV[cinder-snapext]:-}" \
        >>"$CALLS"
}
function pip_install { echo "pip_install $*" >>"$CALLS"; }
function pip_uninstall { echo "pip_uninstall $*" >>"$CALLS"; }
function iniset { "$PYTHON" "$INI_TOOL" set "$@"; }
function iniadd { "$PYTHON" "$INI_TOOL" add "$@"; }
function iniget { "$PYTHON" "$INI_TOOL" get "$@"; }
function iniget_multiline { "$PYTHON" "$INI_TOOL" getmulti "$@"; }
function inicomment { echo "inicomment $*" >>"$CALLS"; }

source "$PLUGIN_DIR/settings"
%(local_conf)s
for phase in "$@"; do
    # devstack: source plugin.sh MODE [PHASE]
    source "$PLUGIN_DIR/plugin.sh" $phase
done
'''

MANAGE = """\
#!/bin/sh
echo "cinder-snapext-manage $*" >>"$CALLS"
"""


def read_ini(path):
    """{section: {option: [values]}}, as oslo.config parses the file."""
    sections = {}
    cfg.ConfigParser(path, sections).parse()
    return sections


class DevstackPluginTestCase(testtools.TestCase):
    """Runs plugin phases against temporary cinder.conf/tempest.conf."""

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.cinder_conf = self._write('cinder.conf', CINDER_CONF)
        self.tempest_conf = self._write('tempest.conf', TEMPEST_CONF)
        self.calls = self._write('calls', '')
        bin_dir = os.path.join(self.tmp, 'bin')
        os.mkdir(bin_dir)
        manage = self._write(os.path.join('bin', 'cinder-snapext-manage'),
                             MANAGE)
        os.chmod(manage, 0o755)
        self.env = {
            'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
            'PYTHON': sys.executable,
            'INI_TOOL': self._write('ini.py', INI_TOOL),
            'CALLS': self.calls,
            'PLUGIN_DIR': DEVSTACK,
            'DEST': '/opt/stack',
            'CINDER_CONF': self.cinder_conf,
            'CINDER_BIN_DIR': bin_dir,
            'TEMPEST_CONFIG': self.tempest_conf,
            'CINDER_ENABLED_BACKENDS':
                'ceph:ceph,lvm:lvmdriver-1,nfs:nfs,quobyte:quobyte',
            'DATABASE_BACKENDS': 'mysql postgresql',
            'ENABLED_SERVICES': 'mysql,rabbit,c-api,c-sch,c-vol,c-bak,'
                                'tempest',
        }

    def _write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def _run(self, *phases, prelude='', local_conf='', **env):
        """Source settings, then plugin.sh once per 'MODE [PHASE]'."""
        script = self._write('run.sh', prelude + STUBS % {
            'local_conf': local_conf})
        result = subprocess.run(
            ['bash', script] + list(phases), env=dict(self.env, **env),
            capture_output=True, text=True, check=False)
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)
        return result.stdout

    def _calls(self):
        with open(self.calls) as f:
            return f.read().splitlines()

    def _cinder(self):
        return read_ini(self.cinder_conf)

    def _tempest(self):
        return read_ini(self.tempest_conf)

    def _edit_cinder_conf(self, old, new):
        with open(self.cinder_conf) as f:
            text = f.read()
        self.assertIn(old, text)
        self._write('cinder.conf', text.replace(old, new))
