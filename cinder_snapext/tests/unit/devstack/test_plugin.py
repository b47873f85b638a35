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

"""The devstack plugin's other phases, agreement with docs, its files."""

import ast
import importlib.util
import os
import re
import subprocess
import textwrap


from cinder_snapext.tests.unit.devstack.plugin_base import (
    DevstackPluginTestCase)
from cinder_snapext.tests.unit.devstack.plugin_base import CINDER_CONF
from cinder_snapext.tests.unit.devstack.plugin_base import read_ini
from cinder_snapext.tests.unit.devstack.plugin_base import REPO
from cinder_snapext.tests.unit.devstack.plugin_base import TEMPEST_CONF


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
            'source "$REPO/tools/stack/lib/cinder_conf.sh"\n'
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
