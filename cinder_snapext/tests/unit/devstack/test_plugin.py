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

"""The devstack plugin, sourced in bash with stub devstack functions."""

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap

import fixtures
from oslo_config import cfg
import testtools
import yaml

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


class PostConfigTestCase(DevstackPluginTestCase):
    """stack post-config: cinder.conf and our db sync."""

    def test_post_config_adds_extension_after_standard(self):
        self._run('stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_adds_standard_when_option_absent(self):
        self._write('cinder.conf', CINDER_CONF.replace(
            'osapi_volume_extension = %s\n' % STANDARD, ''))

        self._run('stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_twice_adds_no_duplicates(self):
        self._run('stack post-config', 'stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_sets_manager_and_backup_api(self):
        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual(
            ['cinder_snapext.volume.manager.SnapextVolumeManager'],
            default['volume_manager'])
        self.assertEqual(['cinder_snapext.backup.api.SnapextBackupAPI'],
                         default['backup_api_class'])

    def test_post_config_skips_backup_api_when_disabled(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_ENABLE_BACKUP_API='False')

        self.assertNotIn('backup_api_class', self._cinder()['DEFAULT'])

    def test_post_config_swaps_only_rbd_lvm_and_nfs_drivers(self):
        self._run('stack post-config')

        conf = self._cinder()
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([SNAPEXT_LVM], conf['lvmdriver-1']['volume_driver'])
        self.assertEqual([SNAPEXT_NFS], conf['nfs']['volume_driver'])
        # Another RemoteFS driver, which cinder-snapext does not subclass.
        self.assertEqual([QUOBYTE], conf['quobyte']['volume_driver'])
        self.assertEqual(['volumes'], conf['ceph']['rbd_pool'])
        self.assertEqual(['/etc/cinder/nfs-shares-nfs.conf'],
                         conf['nfs']['nfs_shares_config'])

    def test_post_config_keeps_drivers_when_swap_disabled(self):
        self._run('stack post-config', CINDER_SNAPEXT_SWAP_DRIVERS='False')

        conf = self._cinder()
        self.assertEqual([RBD], conf['ceph']['volume_driver'])
        self.assertEqual([LVM], conf['lvmdriver-1']['volume_driver'])
        self.assertEqual([NFS], conf['nfs']['volume_driver'])

    def test_post_config_keeps_nfs_driver_when_nfs_swap_disabled(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_SWAP_NFS_DRIVER='False')

        conf = self._cinder()
        self.assertEqual([NFS], conf['nfs']['volume_driver'])
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([SNAPEXT_LVM], conf['lvmdriver-1']['volume_driver'])

    def test_post_config_keeps_driver_of_backend_not_enabled(self):
        # A section devstack wrote but CINDER_ENABLED_BACKENDS left out.
        self._run('stack post-config',
                  CINDER_ENABLED_BACKENDS='ceph:ceph')

        conf = self._cinder()
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([NFS], conf['nfs']['volume_driver'])

    def test_post_config_keeps_drivers_without_c_vol(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='mysql,c-api,c-sch,tempest')

        self.assertEqual([RBD], self._cinder()['ceph']['volume_driver'])

    def test_post_config_swaps_ceph_backup_driver_and_manager(self):
        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])
        self.assertEqual(['backups'], default['backup_ceph_pool'])

    def test_post_config_swaps_ceph_backup_module_path(self):
        # The form older devstack and guides wrote.
        self._edit_cinder_conf('backup_driver = %s' % CEPH_BACKUP,
                               'backup_driver = cinder.backup.drivers.ceph')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_replaces_cinder_default_backup_manager(self):
        self._edit_cinder_conf(
            'backup_ceph_pool', 'backup_manager = '
            'cinder.backup.manager.BackupManager\nbackup_ceph_pool')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_keeps_other_backup_drivers(self):
        for driver in ('cinder.backup.drivers.swift.SwiftBackupDriver',
                       'cinder.backup.drivers.posix.PosixBackupDriver',
                       'cinder.backup.drivers.nfs.NFSBackupDriver'):
            self._write('cinder.conf', CINDER_CONF.replace(
                CEPH_BACKUP, driver))

            self._run('stack post-config')

            default = self._cinder()['DEFAULT']
            self.assertEqual([driver], default['backup_driver'])
            self.assertNotIn('backup_manager', default, driver)

    def test_post_config_adds_no_backup_driver_where_none_is_set(self):
        # Cinder's default backup driver (Swift) is not Ceph's.
        self._edit_cinder_conf('backup_driver = %s\n' % CEPH_BACKUP, '')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertNotIn('backup_driver', default)
        self.assertNotIn('backup_manager', default)

    def test_post_config_keeps_ceph_backup_with_another_manager(self):
        self._edit_cinder_conf(
            'backup_ceph_pool',
            'backup_manager = vendor.backup.Manager\nbackup_ceph_pool')

        out = self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([CEPH_BACKUP], default['backup_driver'])
        self.assertEqual(['vendor.backup.Manager'], default['backup_manager'])
        self.assertIn('warn: backup_manager vendor.backup.Manager: Ceph '
                      'backup driver kept', out)

    def test_post_config_keeps_backup_driver_when_toggle_off(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_SWAP_BACKUP_DRIVER='False')

        conf = self._cinder()
        self.assertEqual([CEPH_BACKUP], conf['DEFAULT']['backup_driver'])
        self.assertNotIn('backup_manager', conf['DEFAULT'])
        # The other switches stay on.
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])

    def test_post_config_keeps_backup_driver_without_c_bak(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='mysql,c-api,c-sch,c-vol,tempest')

        default = self._cinder()['DEFAULT']
        self.assertEqual([CEPH_BACKUP], default['backup_driver'])
        self.assertNotIn('backup_manager', default)

    def test_post_config_twice_keeps_our_backup_lines(self):
        self._run('stack post-config', 'stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_runs_db_sync_with_cinder_conf(self):
        self._run('stack post-config')

        self.assertEqual(
            ['cinder-snapext-manage --config-file %s db sync'
             % self.cinder_conf], self._calls())

    def test_post_config_skips_db_sync_without_database(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='rabbit,c-vol,tempest')

        self.assertEqual([], self._calls())

    def test_post_config_fails_when_db_sync_fails(self):
        self._write(os.path.join('bin', 'cinder-snapext-manage'),
                    '#!/bin/sh\nexit 1\n')

        script = self._write('run.sh', STUBS % {'local_conf': ''})
        result = subprocess.run(['bash', script, 'stack post-config'],
                                env=self.env, capture_output=True,
                                text=True, check=False)

        self.assertNotEqual(0, result.returncode)
        self.assertIn('cinder-snapext-manage db sync failed', result.stderr)


class OtherPhasesTestCase(DevstackPluginTestCase):
    """install, test-config, unstack, clean and the service toggle."""

    def test_install_runs_setup_develop_on_checkout(self):
        self._run('stack install')

        self.assertEqual(['setup_develop /opt/stack/cinder-snapext venv='],
                         self._calls())

    def test_install_uses_cinder_venv_when_cinder_has_one(self):
        self._run('stack install',
                  prelude='declare -A -g PROJECT_VENV\n'
                          'PROJECT_VENV[cinder]=/opt/stack/cinder.venv\n')

        self.assertEqual(
            ['setup_develop /opt/stack/cinder-snapext '
             'venv=/opt/stack/cinder.venv'], self._calls())

    def test_install_uses_dir_from_local_conf(self):
        self._run('stack install', CINDER_SNAPEXT_DIR='/src/snapext')

        self.assertEqual(['setup_develop /src/snapext venv='],
                         self._calls())

    def test_test_config_sets_tempest_options_for_rbd(self):
        self._run('stack test-config')

        conf = self._tempest()
        features = conf['volume-feature-enabled']
        self.assertEqual(['True'], features['snapshot'])
        self.assertEqual(['True'], features['backup'])
        self.assertEqual(['True'], features['manage_snapshot'])
        self.assertEqual(['all'], features['api_extensions'])
        self.assertEqual(['source-name,snapshot-%s'],
                         conf['volume']['manage_snapshot_ref'])
        self.assertEqual(['True'], conf['snapext']['enabled'])

    def test_test_config_keeps_default_snapshot_ref_for_lvm(self):
        self._run('stack test-config',
                  CINDER_ENABLED_BACKENDS='lvm:lvmdriver-1,ceph:ceph')

        conf = self._tempest()
        self.assertEqual(['True'],
                         conf['volume-feature-enabled']['manage_snapshot'])
        self.assertNotIn('manage_snapshot_ref', conf['volume'])

    def test_test_config_skips_manage_for_other_backends(self):
        self._run('stack test-config', CINDER_ENABLED_BACKENDS='nfs:nfs')

        conf = self._tempest()
        self.assertNotIn('manage_snapshot', conf['volume-feature-enabled'])
        self.assertEqual(['True'],
                         conf['volume-feature-enabled']['snapshot'])

    def test_test_config_sets_cinder_enforce_scope(self):
        # cinder.conf has no [oslo_policy]: Cinder 29's defaults apply.
        self._run('stack test-config')

        self.assertEqual(['True'], self._tempest()['enforce_scope']['cinder'])

    def test_test_config_sets_enforce_scope_with_new_defaults_on(self):
        self._write('cinder.conf', CINDER_CONF +
                    '\n[oslo_policy]\nenforce_new_defaults = true\n')

        self._run('stack test-config')

        self.assertEqual(['True'], self._tempest()['enforce_scope']['cinder'])

    def test_test_config_skips_enforce_scope_with_old_defaults(self):
        self._write('cinder.conf', CINDER_CONF +
                    '\n[oslo_policy]\nenforce_new_defaults = False\n')

        self._run('stack test-config')

        self.assertNotIn('enforce_scope', self._tempest())

    def test_test_config_skips_backup_without_c_bak(self):
        self._run('stack test-config',
                  ENABLED_SERVICES='mysql,c-api,c-vol,tempest')

        self.assertNotIn('backup', self._tempest()['volume-feature-enabled'])

    def test_test_config_changes_nothing_without_tempest(self):
        self._run('stack test-config', ENABLED_SERVICES='mysql,c-api,c-vol')

        with open(self.tempest_conf) as f:
            self.assertEqual(TEMPEST_CONF, f.read())

    def test_test_config_changes_nothing_when_toggle_off(self):
        self._run('stack test-config',
                  CINDER_SNAPEXT_CONFIGURE_TEMPEST='False')

        with open(self.tempest_conf) as f:
            self.assertEqual(TEMPEST_CONF, f.read())

    def test_unstack_changes_nothing(self):
        self._run('unstack')

        self.assertEqual([], self._calls())
        with open(self.cinder_conf) as f:
            self.assertEqual(CINDER_CONF, f.read())

    def test_clean_uninstalls_package(self):
        self._run('clean')

        self.assertEqual(['pip_uninstall cinder-snapext'], self._calls())

    def test_all_phases_do_nothing_when_service_disabled(self):
        # As local.conf does: after settings, before the phases.
        self._run('stack pre-install', 'stack install', 'stack post-config',
                  'stack extra', 'stack test-config', 'unstack', 'clean',
                  local_conf='disable_service cinder-snapext\n')

        self.assertEqual([], self._calls())
        with open(self.cinder_conf) as f:
            self.assertEqual(CINDER_CONF, f.read())
        with open(self.tempest_conf) as f:
            self.assertEqual(TEMPEST_CONF, f.read())


class AgreementTestCase(DevstackPluginTestCase):
    """The plugin writes what tools/stack.sh and the guides say."""

    def setUp(self):
        super().setUp()
        self._run('stack post-config')
        self.conf = self._cinder()

    def _snapext_lines(self, conf):
        default = conf['DEFAULT']
        return {
            'osapi_volume_extension': default['osapi_volume_extension'],
            'volume_manager': default['volume_manager'],
            'backup_api_class': default['backup_api_class'],
            # What replaces Cinder's Ceph backup driver.
            'backup_driver': default['backup_driver'],
            'backup_manager': default['backup_manager'],
        }

    def test_default_lines_match_stack_sh(self):
        stack = self._stack_sh_conf()

        self.assertEqual(self._snapext_lines(stack),
                         self._snapext_lines(self.conf))

    def test_rbd_driver_matches_stack_sh(self):
        self.assertEqual(self._stack_sh_conf()['ceph']['volume_driver'],
                         self.conf['ceph']['volume_driver'])

    def test_nfs_driver_matches_stack_nfs_part(self):
        self.assertEqual(self._stack_nfs_conf()['nfs']['volume_driver'],
                         self.conf['nfs']['volume_driver'])

    def test_nfs_driver_matches_assisted_snapshots_guide(self):
        path = os.path.join(REPO, 'doc', 'source', 'user',
                            'assisted-snapshots.rst')
        with open(path) as f:
            drivers = re.findall(r'^   \[nfs\]\n   volume_driver = (\S+)$',
                                 f.read(), re.MULTILINE)

        self.assertEqual(self.conf['nfs']['volume_driver'], drivers)

    def test_lines_match_install_guide(self):
        guide = self._install_guide_conf()

        self.assertEqual(self._snapext_lines(guide),
                         self._snapext_lines(self.conf))
        self.assertEqual(guide['ceph']['volume_driver'],
                         self.conf['ceph']['volume_driver'])
        self.assertEqual(guide['lvm']['volume_driver'],
                         self.conf['lvmdriver-1']['volume_driver'])

    def test_dotted_paths_name_existing_classes(self):
        paths = (self.conf['DEFAULT']['osapi_volume_extension'][1:] +
                 self.conf['DEFAULT']['volume_manager'] +
                 self.conf['DEFAULT']['backup_api_class'] +
                 self.conf['DEFAULT']['backup_driver'] +
                 self.conf['DEFAULT']['backup_manager'] +
                 self.conf['ceph']['volume_driver'] +
                 self.conf['lvmdriver-1']['volume_driver'] +
                 self.conf['nfs']['volume_driver'])

        for path in paths:
            module, name = path.rsplit('.', 1)
            spec = importlib.util.find_spec(module)
            self.assertIsNotNone(spec, path)
            with open(spec.origin) as f:
                tree = ast.parse(f.read())
            classes = [node.name for node in tree.body
                       if isinstance(node, ast.ClassDef)]
            self.assertIn(name, classes, path)

    def test_db_sync_matches_stack_sh(self):
        with open(os.path.join(REPO, 'tools', 'stack', 'lib',
                               'cinder.sh')) as f:
            stack = f.read()

        self.assertRegex(stack, r'/cinder-snapext-manage" --config-file '
                                r'"\$CINDER_CONF" db sync')
        self.assertIn('--config-file %s db sync' % self.cinder_conf,
                      self._calls()[0])

    def _stack_sh_conf(self):
        """cinder.conf as tools/stack.sh writes it with BACKUP=ceph."""
        out = os.path.join(self.tmp, 'stack.conf')
        self._render(
            'hook_output() { :; }\n'
            'db_url() { echo sqlite://; }\n'
            'source "$REPO/tools/stack/lib/cinder.sh"\n'
            'BACKUP=ceph\n'
            'write_cinder_conf "$1"\n', out)
        return read_ini(out)

    def _stack_nfs_conf(self):
        """The backend sections tools/stack/lib/part-nfs.sh adds."""
        out = os.path.join(self.tmp, 'stack-nfs.conf')
        self._render(
            'STATE=$(dirname "$1") OFFSET=0 NFS=1 NFS_STOCK=0\n'
            'source "$REPO/tools/stack/lib/part-nfs.sh"\n'
            'hook_conf_sections_nfs >"$1"\n', out)
        return read_ini(out)

    def _render(self, script, out):
        result = subprocess.run(
            ['bash', '-c', script, 'render', out],
            env={'PATH': self.env['PATH'], 'REPO': REPO},
            capture_output=True, text=True, check=False)
        self.assertEqual(0, result.returncode, result.stderr)

    def _install_guide_conf(self):
        path = os.path.join(REPO, 'doc', 'source', 'install', 'index.rst')
        with open(path) as f:
            text = f.read()
        blocks = re.findall(r'^\.\. code-block:: ini\n\n((?:   .*\n|\n)+)',
                            text, re.MULTILINE)
        self.assertNotEqual([], blocks)
        ini = ''.join(textwrap.dedent(block) for block in blocks)
        return read_ini(self._write('guide.conf', ini))


class FilesTestCase(testtools.TestCase):
    """Static checks of the plugin files, the sample and the Zuul job."""

    def test_plugin_files_parse_with_bash_n(self):
        for name in PLUGIN_FILES:
            result = subprocess.run(
                ['bash', '-n', os.path.join(DEVSTACK, name)],
                capture_output=True, text=True, check=False)
            self.assertEqual(0, result.returncode, name + result.stderr)

    def test_plugin_files_pass_bashate(self):
        bashate = shutil.which(
            'bashate', path=os.path.dirname(sys.executable))
        if bashate is None:
            self.skipTest('bashate is not installed beside %s'
                          % sys.executable)
        result = subprocess.run(
            [bashate, '-v'] + [os.path.join(DEVSTACK, n)
                               for n in PLUGIN_FILES],
            capture_output=True, text=True, check=False)

        self.assertEqual(0, result.returncode, result.stdout)

    def test_plugin_sh_only_dispatches(self):
        with open(os.path.join(DEVSTACK, 'plugin.sh')) as f:
            text = f.read()

        self.assertNotIn('function ', text)
        self.assertNotIn('iniset', text)
        self.assertLess(len(text.splitlines()), 60)

    def test_local_conf_sample_enables_plugin_after_ceph(self):
        with open(os.path.join(DEVSTACK, 'local.conf.sample')) as f:
            plugins = re.findall(r'^enable_plugin (\S+) ', f.read(),
                                 re.MULTILINE)

        self.assertEqual(['devstack-plugin-ceph', 'cinder-snapext'], plugins)

    def test_zuul_job_enables_plugin_and_selects_volume_tests(self):
        with open(os.path.join(REPO, '.zuul.yaml')) as f:
            config = yaml.safe_load(f)
        jobs = {item['job']['name']: item['job']
                for item in config if 'job' in item}
        project = [item['project'] for item in config if 'project' in item]

        job = jobs['cinder-snapext-devstack']
        self.assertEqual('devstack-tempest', job['parent'])
        self.assertEqual(['devstack-plugin-ceph', 'cinder-snapext'],
                         list(job['vars']['devstack_plugins']))
        self.assertTrue(job['vars']['devstack_services']['c-bak'])
        regex = re.compile(job['vars']['tempest_test_regex'])
        for test in (
                'tempest.api.volume.admin.test_snapshot_manage.'
                'SnapshotManageAdminTest.test_unmanage_manage_snapshot',
                'tempest.api.volume.test_volumes_backup.'
                'VolumesBackupsTest.test_volume_backup_create_get_detailed_'
                'list_restore_delete'):
            self.assertIsNotNone(regex.match(test), test)
        self.assertIsNone(regex.match(
            'tempest.api.compute.servers.test_servers.ServersTestJSON'))
        check = [list(job)[0] if isinstance(job, dict) else job
                 for job in project[0]['check']['jobs']]
        self.assertIn('cinder-snapext-devstack', check)
