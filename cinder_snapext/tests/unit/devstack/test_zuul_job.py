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

"""The Zuul job's tempest selection against tools/tempest-tests.txt."""

import ast
import os
import re

import testtools
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
TEMPEST_PLUGIN_DIR = os.path.join(REPO, 'cinder_snapext', 'tests', 'tempest')
# Tempest lists its tests with their attributes appended.
ATTRS = '[id-00000000-0000-0000-0000-000000000000]'


def devstack_job():
    with open(os.path.join(REPO, '.zuul.yaml')) as f:
        config = yaml.safe_load(f)
    jobs = {item['job']['name']: item['job']
            for item in config if 'job' in item}
    return jobs['cinder-snapext-devstack']


def tools_list():
    """(test id, marker) per line of tools/tempest-tests.txt."""
    entries = []
    with open(os.path.join(REPO, 'tools', 'tempest-tests.txt')) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            test_id, _, rest = line.partition(' ')
            entries.append((test_id, rest.split(':', 1)[0]))
    return entries


def our_tempest_ids():
    """The ids of every test method in cinder_snapext/tests/tempest."""
    ids = []
    for root, _dirs, files in os.walk(TEMPEST_PLUGIN_DIR):
        for name in sorted(files):
            if not (name.startswith('test_') and name.endswith('.py')):
                continue
            path = os.path.join(root, name)
            module = os.path.relpath(path[:-3], REPO).replace(os.sep, '.')
            with open(path) as f:
                tree = ast.parse(f.read())
            for cls in tree.body:
                if not isinstance(cls, ast.ClassDef):
                    continue
                ids += ['%s.%s.%s' % (module, cls.name, node.name)
                        for node in cls.body
                        if isinstance(node, ast.FunctionDef) and
                        node.name.startswith('test_')]
    return ids


class ZuulJobTestCase(testtools.TestCase):
    """Which tempest tests cinder-snapext-devstack runs, and when."""

    def setUp(self):
        super().setUp()
        self.job = devstack_job()
        self.select = re.compile(self.job['vars']['tempest_test_regex'])
        self.exclude = re.compile(self.job['vars']['tempest_exclude_regex'])

    def _runs(self, test_id):
        test_id += ATTRS
        return bool(self.select.match(test_id) and
                    not self.exclude.match(test_id))

    def test_job_installs_both_tempest_plugins(self):
        self.assertIn('opendev.org/openstack/cinder-tempest-plugin',
                      self.job['required-projects'])
        self.assertEqual(['cinder-tempest-plugin', 'cinder-snapext'],
                         self.job['vars']['tempest_plugins'])

    def test_job_runs_each_test_of_tools_list(self):
        entries = tools_list()
        self.assertGreater(len(entries), 20)

        for test_id, marker in entries:
            if test_id.endswith('.*'):
                test_id = test_id[:-2] + '.SomeTest.test_some'
            if marker == 'conflict':
                # Fails by design here: CI reports it, Zuul cannot.
                self.assertFalse(self._runs(test_id), test_id)
                self.assertIsNotNone(self.select.match(test_id), test_id)
            else:
                self.assertTrue(self._runs(test_id), test_id)

    def test_job_runs_each_test_of_our_tempest_plugin(self):
        ids = our_tempest_ids()
        self.assertGreater(len(ids), 5)

        for test_id in ids:
            self.assertTrue(self._runs(test_id), test_id)

    def test_job_leaves_out_unrelated_tests(self):
        for test_id in (
                'tempest.api.compute.servers.test_servers.ServersTestJSON.'
                'test_create_server_with_admin_password',
                'tempest.api.volume.test_volumes_get.VolumesGetTest.'
                'test_volume_create_get_update_delete',
                'cinder_tempest_plugin.api.volume.test_volume_revert.'
                'VolumeRevertTests.test_volume_revert_to_snapshot',
                'cinder_tempest_plugin.rbac.v3.test_volume_actions.'
                'VolumeV3RbacVolumeActionsTests.test_reset_status'):
            self.assertFalse(self._runs(test_id), test_id)

    def test_tempest_plugin_changes_trigger_job(self):
        irrelevant = [re.compile(p) for p in self.job['irrelevant-files']]

        def is_irrelevant(path):
            return any(p.match(path) for p in irrelevant)

        changed = [os.path.relpath(os.path.join(root, name), REPO)
                   for root, _dirs, files in os.walk(TEMPEST_PLUGIN_DIR)
                   for name in files if name.endswith('.py')]
        changed += ['devstack/lib/cinder_snapext', 'devstack/settings',
                    'cinder_snapext/volume/drivers/nfs.py', '.zuul.yaml',
                    'setup.cfg']
        self.assertGreater(len(changed), 10)
        for path in changed:
            self.assertFalse(is_irrelevant(path), path)
        for path in ('cinder_snapext/tests/unit/devstack/test_zuul_job.py',
                     'cinder_snapext/tests/functional/base.py',
                     'doc/source/install/index.rst',
                     'tools/tempest-tests.txt'):
            self.assertTrue(is_irrelevant(path), path)
