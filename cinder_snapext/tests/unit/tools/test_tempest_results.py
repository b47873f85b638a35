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

"""The verdicts tools/tempest_results.py gives a tempest run."""

import importlib.util
import io
import os
import re

import fixtures
import subunit
import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
_spec = importlib.util.spec_from_file_location(
    'tempest_results', os.path.join(REPO, 'tools', 'tempest_results.py'))
tempest_results = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tempest_results)

SELECTION = """\
# comment
pkg.mod.Class.test_a
pkg.mod.Class.test_b skip: bug 123
pkg.mod.Class.test_c
pkg.mod.Class.test_d conflict: VolumeHasUnmanagedSnapshots
ours.*
"""


class TempestResultsTestCase(testtools.TestCase):

    def _files(self, events):
        tmp = self.useFixture(fixtures.TempDir()).path
        selection = os.path.join(tmp, 'selection.txt')
        with open(selection, 'w') as f:
            f.write(SELECTION)
        stream = io.BytesIO()
        out = subunit.StreamResultToBytes(stream)
        for test_id, status, reason in events:
            out.status(test_id=test_id, test_status='inprogress')
            if reason:
                out.status(test_id=test_id, file_name='reason',
                           file_bytes=reason.encode(),
                           mime_type='text/plain; charset=utf8')
            out.status(test_id=test_id, test_status=status)
        path = os.path.join(tmp, 'run.subunit')
        with open(path, 'wb') as f:
            f.write(stream.getvalue())
        return selection, path, os.path.join(tmp, 'results.txt')

    def _judge(self, events):
        selection, subunit_path, _ = self._files(events)
        rows = tempest_results.judge(
            tempest_results.read_selection(selection),
            tempest_results.read_subunit(subunit_path))
        return {tid: verdict for tid, verdict, _ in rows}

    def test_judge_passes_accepted_upstream_skip(self):
        verdicts = self._judge([
            ('pkg.mod.Class.test_a[id-1]', 'success', None),
            ('pkg.mod.Class.test_b[id-2]', 'skip', 'Skipped until bug 123'),
            ('pkg.mod.Class.test_c[id-3]', 'success', None),
            ('pkg.mod.Class.test_d[id-5]', 'fail',
             'BadRequest: VolumeHasUnmanagedSnapshots ...'),
            ('ours.test_x.T.test_y[id-4]', 'success', None)])

        self.assertEqual({'pkg.mod.Class.test_a': 'pass',
                          'pkg.mod.Class.test_b': 'skip',
                          'pkg.mod.Class.test_c': 'pass',
                          'pkg.mod.Class.test_d': 'conflict',
                          'ours.test_x.T.test_y': 'pass'}, verdicts)

    def test_judge_fails_conflict_that_passes_or_fails_otherwise(self):
        for status, reason in (('success', None), ('fail', 'Timeout')):
            verdicts = self._judge([
                ('pkg.mod.Class.test_d[id-5]', status, reason)])
            self.assertEqual('FAIL', verdicts['pkg.mod.Class.test_d'])

    def test_judge_fails_other_skips_missing_ids_and_class_errors(self):
        verdicts = self._judge([
            ('pkg.mod.Class.test_a[id-1]', 'skip',
             'Skipped because the compute service is not available'),
            ('pkg.mod.Class.test_b[id-2]', 'skip', 'neutron is disabled'),
            ('setUpClass (other.Class)', 'fail', 'Traceback: boom')])

        self.assertEqual({'pkg.mod.Class.test_a': 'FAIL',
                          'pkg.mod.Class.test_b': 'FAIL',
                          'pkg.mod.Class.test_c': 'FAIL',
                          'pkg.mod.Class.test_d': 'FAIL',
                          'ours.*': 'FAIL',
                          'setUpClass (other.Class)': 'FAIL'}, verdicts)

    def test_regexes_select_exact_ids_and_prefixes(self):
        selection, _, _ = self._files([])
        regexes = [re.compile(r) for r in tempest_results.include_regexes(
            tempest_results.read_selection(selection))]

        def selected(test_id):
            return any(r.search(test_id) for r in regexes)

        self.assertTrue(selected('pkg.mod.Class.test_a[id-1,smoke]'))
        self.assertFalse(selected('pkg.mod.Class.test_a_longer[id-1]'))
        self.assertTrue(selected('ours.test_x.T.test_y[id-4]'))
        self.assertFalse(selected('other.mod.Class.test_a'))
