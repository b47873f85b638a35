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

"""benchmarks/cluster_scale_report.py: its arithmetic and its tables."""

import importlib.util
import os
import sys

import testtools

BENCH = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                     '..', '..', '..', '..', 'benchmarks'))


def _load(name):
    # The benchmarks import each other by bare name, as run from there.
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, os.path.join(BENCH, name + '.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


_load('assisted_snapshots_report')
_load('cluster_scale_page')
report = _load('cluster_scale_report')


def _wave(members, flows, ok, wall, cpu, busy=0.5, times=None):
    return {'members': members, 'flows': flows, 'ok': ok, 'wall': wall,
            'times': times or {'create': [1.0, 2.0, 3.0, 4.0, 5.0]},
            'flow_times': [10.0, 20.0], 'errors': [], 'load': '3.0 / 4.0',
            'costs': {'cpu': cpu, 'machine_busy': busy, 'tx_per_s': 12.5,
                      'backends_peak': 17, 'mon_commits': None}}


class ClusterScaleReportTestCase(testtools.TestCase):

    def test_percentiles_interpolate(self):
        values = [5.0, 1.0, 4.0, 2.0, 3.0]
        self.assertEqual('3.0', report.seconds(values, 50))
        self.assertEqual('4.8', report.seconds(values, 95))
        self.assertEqual('-', report.seconds([], 50))

    def test_flows_per_minute(self):
        self.assertEqual(20.0, report.per_minute(_wave(2, 10, 10, 30.0, {})))
        self.assertEqual(15.0, report.per_minute(_wave(1, 10, 5, 20.0, {})))
        self.assertEqual(0.0, report.per_minute(_wave(1, 10, 0, 0.0, {})))

    def test_op_table_has_a_column_per_wave_and_skips_unmeasured_ops(self):
        waves = [_wave(2, 10, 10, 60.0, {}),
                 _wave(1, 10, 10, 60.0, {}, times={
                     'create': [2.0], 'backup': [7.0, 9.0]})]
        lines = report.op_table(waves).splitlines()
        self.assertIn('2m x 10', lines[1])
        self.assertIn('1m x 10', lines[1])
        body = {line.split()[0]: line for line in lines[3:-1]}
        self.assertEqual({'create', 'backup'}, set(body))
        self.assertIn('3.0 / 4.8', body['create'])
        self.assertIn('2.0 / 2.0', body['create'])
        # Measured in one wave only: '-' in the other.
        self.assertIn('- / -', body['backup'])
        self.assertIn('8.0 / 8.9', body['backup'])

    def test_cpu_table_in_percent_of_one_core_busiest_first(self):
        waves = [_wave(2, 10, 10, 100.0, {'cinder-volume': 50.0,
                                          'postgresql': 20.0}, busy=0.9)]
        rows = report.cpu_table(waves).splitlines()[3:-1]
        self.assertEqual(['cinder-volume', '50'], rows[0].split())
        self.assertEqual(['postgresql', '20'], rows[1].split())
        self.assertEqual(['the', 'stack', '70'], rows[2].split())
        self.assertEqual(['machine', '180'], rows[3].split())

    def test_verdict_names_the_busiest_process_and_others_work(self):
        wave = _wave(1, 50, 50, 100.0, {'cinder-volume': 80.0,
                                        'cinder-api': 40.0}, busy=0.95)
        text = report.verdict(wave)
        line = ' '.join(text.split())
        self.assertIn('1m x 50', line)
        self.assertIn('cinder-volume at 80 % of one core (67 % of the '
                      "stack's CPU)", line)
        # 1.9 cores busy, 1.2 of them the stack's.
        self.assertIn('the stack 1.20, other work 0.70', line)
        self.assertTrue(line.endswith(': CPU-bound'))
        self.assertTrue(all(len(t) <= 72 for t in text.splitlines()))
        idle = report.verdict(_wave(1, 10, 10, 100.0, {'x': 1.0}, busy=0.3))
        self.assertNotIn('CPU-bound', idle)

    def test_throughput_table_row(self):
        row = report.throughput_table(
            [_wave(2, 25, 24, 120.0, {})]).splitlines()[3].split()
        self.assertEqual(['2', '25', '24/25', '120', '12.0', '15.0', '19.5',
                          '12.5', '17', '-', '3.0', '/', '4.0'], row)

    def test_op_tables_one_per_member_count_lines_fit(self):
        waves = [_wave(m, n, n, 60.0, {}, times={'create': [123.4, 234.5]})
                 for m in (2, 1) for n in (10, 25, 50)]
        text = report.op_tables(waves)
        tables = text.split('\n\n')
        self.assertEqual(2, len(tables))
        self.assertIn('2m x 50', tables[0])
        self.assertNotIn('1m x', tables[0])
        self.assertIn('1m x 10', tables[1])
        self.assertEqual([], [line for line in text.splitlines()
                              if len(line) > 79 or line != line.rstrip()])

    def test_page_head_is_a_comment_then_a_title(self):
        lines = report.page_head('cluster_scale.py', 'A title').splitlines()
        self.assertEqual('..', lines[0])
        self.assertIn('benchmarks/cluster_scale.py', lines[1])
        self.assertEqual(['=======', 'A title', '======='], lines[-3:])

    def test_bullets_wrap_long_errors(self):
        text = report.bullets(['left behind: ' + ', '.join(
            ['volume 7fb3c26b-d257-4027-ba3f-38c666276210'] * 5), 'short'])
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith('* left behind: '))
        self.assertTrue(all(len(line) <= 72 for line in lines))
        self.assertTrue(all(line.startswith('  ') for line in lines[1:-1]))
        self.assertEqual('* short', lines[-1])
        self.assertEqual('', report.bullets([]))

    def test_member_gains_pair_waves_of_the_same_size(self):
        waves = [_wave(2, 10, 10, 30.0, {}), _wave(1, 10, 10, 60.0, {}),
                 _wave(2, 25, 25, 60.0, {})]
        text = report.member_gains(waves)
        self.assertTrue(all(len(t) <= 72 for t in text.splitlines()))
        self.assertEqual(
            '* 10 flows: two members 20.0 flows/min, one 10.0 (x2.00); '
            'flow p50 15.0 s against 15.0 s', ' '.join(text.split()))
        self.assertEqual('No wave ran with both member counts.',
                         report.member_gains(waves[2:]))
        self.assertIn('(n/a)', report.member_gains(
            [_wave(2, 10, 10, 30.0, {}), _wave(1, 10, 0, 60.0, {})]))
