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

"""The notice tools/database_gate.py prints around a unit run."""

import importlib.util
import os
import subprocess
import sys

import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
SCRIPT = os.path.join(REPO, 'tools', 'database_gate.py')
_spec = importlib.util.spec_from_file_location('database_gate', SCRIPT)
database_gate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(database_gate)

URLS = {'SNAPEXT_TEST_MYSQL_URL': 'mysql+pymysql://u:p@127.0.0.1:1/',
        'SNAPEXT_TEST_POSTGRESQL_URL': 'postgresql://u:p@127.0.0.1:2/p'}


class DatabaseGateTestCase(testtools.TestCase):

    def test_message_silent_when_required_and_servers_given(self):
        self.assertIsNone(database_gate.message(
            dict(URLS, SNAPEXT_REQUIRE_DATABASES='1')))

    def test_message_says_which_urls_are_missing_when_required(self):
        text = database_gate.message({
            'SNAPEXT_REQUIRE_DATABASES': '1',
            'SNAPEXT_TEST_MYSQL_URL': URLS['SNAPEXT_TEST_MYSQL_URL']})

        self.assertIn('Not set: SNAPEXT_TEST_POSTGRESQL_URL.', text)
        self.assertIn('will FAIL', text)
        self.assertIn('SNAPEXT_REQUIRE_DATABASES=0 tox -e py3', text)

    def test_message_warns_of_skips_when_opted_out(self):
        for value in ('0', ''):
            text = database_gate.message(
                dict(URLS, SNAPEXT_REQUIRE_DATABASES=value))
            self.assertIn('SNAPEXT_REQUIRE_DATABASES=%s: ' % value, text)
            self.assertIn('will SKIP', text)

    def test_command_keeps_its_exit_status_with_notice_around(self):
        env = dict(os.environ, SNAPEXT_REQUIRE_DATABASES='0')
        run = subprocess.run(
            [sys.executable, SCRIPT, sys.executable, '-c',
             'import sys; print("ran"); sys.exit(3)'],
            env=env, capture_output=True, text=True, check=False)

        self.assertEqual((3, 'ran\n'), (run.returncode, run.stdout))
        self.assertEqual(2, run.stderr.count('will SKIP'))
