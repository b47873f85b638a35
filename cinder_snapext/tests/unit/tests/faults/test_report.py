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

"""The fault lane's results page shows each recorded fault as measured."""

import testtools

from cinder_snapext.tests.faults import report

ROW = {'fault': 'RabbitMQ killed (-9)', 'flow': 'backup, at: step',
       'outcome': 'backup error', 'recovery_s': 41.5, 'restart_s': 12.0,
       'messages': ['Backup failed.']}


class RenderTestCase(testtools.TestCase):

    def test_one_row_per_fault_with_its_figures(self):
        page = '\n'.join(report.render([ROW, dict(ROW, fault='OSD')]))
        self.assertEqual(3, page.count('   * - '))
        for text in ('RabbitMQ killed (-9)', '41.5', '12.0',
                     'Backup failed.', '* - OSD'):
            self.assertIn(text, page)

    def test_missing_figures_read_as_a_dash(self):
        row = dict(ROW, messages=[])
        del row['restart_s']
        lines = report.render([row])
        self.assertEqual(['     - -', '     - -'], lines[-3:-1])

    def test_no_fault_recorded_says_so(self):
        self.assertIn('The last run recorded no fault.',
                      report.render([]))
