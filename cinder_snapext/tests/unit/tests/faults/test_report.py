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

import io
import json
import os
from unittest import mock

import fixtures
import testtools

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.faults import report
from cinder_snapext.tests.faults import test_unmanage_interrupted

ROW = {'fault': 'RabbitMQ killed (-9)', 'flow': 'backup, at: step',
       'outcome': 'backup error', 'recovery_s': 41.5, 'restart_s': 12.0,
       'messages': ['Backup failed.'], 'scenario': 'test_rabbitmq_restarted'}
RUN = {'started': '2026-12-07T17:23:01Z', 'ended': '2026-12-07T17:51:21Z',
       'filter': '', 'rc': '1'}
PREFIX = 'cinder_snapext.tests.faults.'


def _step(test, status, start, stop):
    return {'test': PREFIX + test, 'status': status,
            'start_time': '2026-12-07 17:%s+00:00' % start,
            'stop_time': '2026-12-07 17:%s+00:00' % stop}


STEPS = [
    _step('test_osd_stopped.OsdStoppedTest.test_01_volume', 'success',
          '23:01.000000', '23:31.500000'),
    _step('test_osd_stopped.OsdStoppedTest.test_02_osd_stopped', 'fail',
          '23:31.500000', '25:00.000000'),
    _step('test_x.XTest.test_01_y', 'skip', '25:00.000000', '25:00.000000'),
]


class RenderTestCase(testtools.TestCase):

    def test_one_row_per_fault_with_its_figures(self):
        page = '\n'.join(report.render([ROW, dict(ROW, fault='OSD')]))
        self.assertEqual(3, page.count('   * - '))
        for text in ('RabbitMQ killed (-9)', '41.5', '12.0',
                     'Backup failed.', '* - OSD', 'test_rabbitmq_restarted'):
            self.assertIn(text, page)

    def test_missing_figures_read_as_a_dash(self):
        row = dict(ROW, messages=[])
        del row['restart_s']
        del row['scenario']
        lines = report.render([row])
        table_end = lines.index('', lines.index('   * - ' + ROW['fault']))
        self.assertEqual(['     - -'] * 3, lines[table_end - 3:table_end])

    def test_no_fault_recorded_says_so(self):
        self.assertIn('The last run recorded no fault.',
                      report.render([]))

    def test_prose_has_the_scenarios_own_deadlines(self):
        prose = ' '.join(report.head().split())
        self.assertIn('(%d s; ' % base.SETTLE_DEADLINE, prose)
        self.assertIn('%d s for an interrupted export' %
                      test_unmanage_interrupted.RELEASE_DEADLINE, prose)


class RunTestCase(testtools.TestCase):

    def test_when_how_long_what_load_and_results(self):
        text = ' '.join(report.run_paragraph(
            RUN, STEPS, [8.8, 12.5, 10.0]).split())
        for part in ('every scenario', '2026-12-07 17:23 to 17:51 UTC '
                     '(1700 s)', '1 step passed, 1 failed, 1 skipped',
                     '8.8 to 12.5, median 10.0, in 3 samples'):
            self.assertIn(part, text)

    def test_a_filter_is_named(self):
        text = report.run_paragraph(dict(RUN, filter='faults\\.test_a'),
                                    [], [])
        self.assertIn('the scenarios matching ``faults\\.test_a``', text)
        self.assertNotIn('load average', text)

    def test_each_scenario_with_what_failed_and_its_seconds(self):
        table = report.scenario_table(STEPS)
        osd = table.index('   * - ``test_osd_stopped``')
        self.assertEqual(['     - 1 of 2', '     - test_02_osd_stopped',
                          '     - 119'], table[osd + 1:osd + 4])
        x = table.index('   * - ``test_x``')
        self.assertEqual('     - test_01_y (skipped)', table[x + 2])

    def test_page_from_the_record_folder(self):
        record = self.useFixture(fixtures.TempDir()).path

        def write(name, text):
            with open(os.path.join(record, name), 'w') as f:
                f.write(text)
        write('results.jsonl', json.dumps(ROW) + '\n')
        write('run.json', json.dumps(RUN))
        write('load.tsv', '2026-12-07T17:23:01Z\t9.5 7.1 4.0\n'
              '2026-12-07T17:23:31Z\t11.0 7.5 4.2\n')
        write('steps.csv', 'test,status,start_time,stop_time\n' + ''.join(
            '%(test)s,%(status)s,%(start_time)s,%(stop_time)s\n' % s
            for s in STEPS))
        out = io.StringIO()
        with mock.patch('sys.stdout', out):
            report.main(['report', record])
        page = ' '.join(out.getvalue().split())
        for part in ('RabbitMQ killed (-9)', '9.5 to 11.0',
                     '``test_osd_stopped`` - 1 of 2 - test_02_osd_stopped'):
            self.assertIn(part, page)
