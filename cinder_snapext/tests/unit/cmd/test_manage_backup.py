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

"""cinder-snapext-manage backup, run as a deployer runs it.

What verify finds is tested in tests/unit/backup/test_verify.py and on the
real stack (tests/integration/test_stack_backup_verify.py); here only the
command line.
"""

import os
import subprocess
import sys

import fixtures
import testtools


class ManageBackupTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.conf = os.path.join(folder, 'cinder.conf')
        with open(self.conf, 'w') as conf:
            conf.write('[database]\nconnection = sqlite:///%s\n' %
                       os.path.join(folder, 'cinder.db'))

    def manage(self, *args):
        command = os.path.join(os.path.dirname(sys.executable),
                               'cinder-snapext-manage')
        return subprocess.run([command, '--config-file', self.conf] +
                              list(args), capture_output=True, text=True,
                              timeout=120)

    def test_backup_verify_help_names_the_exit_statuses(self):
        result = self.manage('backup', 'verify', '--help')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('0 all match, 3 a mismatch, 4', ' '.join(
            result.stdout.split()))

    def test_backup_verify_needs_a_backup_id(self):
        result = self.manage('backup', 'verify')
        self.assertEqual(2, result.returncode)
        self.assertIn('backup-id', result.stderr)
