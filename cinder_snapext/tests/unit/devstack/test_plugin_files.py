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

"""The files the devstack plugin ships."""

import os
import re
import shutil
import subprocess
import sys

import testtools
import yaml

from cinder_snapext.tests.unit.devstack.plugin_base import DEVSTACK
from cinder_snapext.tests.unit.devstack.plugin_base import PLUGIN_FILES
from cinder_snapext.tests.unit.devstack.plugin_base import REPO


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
