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

SETTING = '[snapext] refuse_volume_delete_with_exported_snapshots = False'
COMPAT_SELECTION = """\
pkg.mod.Class.test_a
pkg.mod.Class.test_b skip: bug 123
pkg.mod.Member.test_m conflict: has snapshots | compat: %(s)s
pkg.mod.Reader.test_m conflict: has snapshots | compat: %(s)s
pkg.mod.Class.test_e conflict: other refusal
""" % {'s': SETTING}

# The main run: test_m refused by cinder-snapext in both classes.
MAIN_EVENTS = [
    ('pkg.mod.Class.test_a[id-1]', 'success', None),
    ('pkg.mod.Class.test_b[id-2]', 'skip', 'Skipped until bug 123'),
    ('pkg.mod.Member.test_m[id-3]', 'fail', 'BadRequest: has snapshots'),
    ('pkg.mod.Reader.test_m[id-3]', 'fail', 'BadRequest: has snapshots'),
    ('pkg.mod.Class.test_e[id-4]', 'fail', 'Conflict: other refusal')]


class TempestResultsTestCase(testtools.TestCase):

    def _files(self, events, selection_text=SELECTION):
        tmp = self.useFixture(fixtures.TempDir()).path
        selection = os.path.join(tmp, 'selection.txt')
        with open(selection, 'w') as f:
            f.write(selection_text)
        return (selection, self._stream(tmp, 'run.subunit', events),
                os.path.join(tmp, 'results.txt'))

    def _stream(self, tmp, name, events):
        stream = io.BytesIO()
        out = subunit.StreamResultToBytes(stream)
        for test_id, status, reason in events:
            out.status(test_id=test_id, test_status='inprogress')
            if reason:
                out.status(test_id=test_id, file_name='reason',
                           file_bytes=reason.encode(),
                           mime_type='text/plain; charset=utf8')
            out.status(test_id=test_id, test_status=status)
        path = os.path.join(tmp, name)
        with open(path, 'wb') as f:
            f.write(stream.getvalue())
        return path

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

    def test_judge_fails_class_of_a_prefix_that_skips_whole(self):
        # tempest reports a class whose skip_checks refuse as one skipped
        # setUpClass, none of its tests: the prefix still matches others.
        verdicts = self._judge([
            ('ours.test_x.T.test_y[id-4]', 'success', None),
            ('setUpClass (ours.test_x.U)', 'skip',
             'Cinder backups are not enabled')])

        self.assertEqual('pass', verdicts['ours.test_x.T.test_y'])
        self.assertEqual('FAIL', verdicts['setUpClass (ours.test_x.U)'])

    def test_plugin_disabled_fails_the_run(self):
        # [snapext] enabled = False: every class of ours skips whole.
        disabled = '[snapext] enabled is False: the Cinder under test ...'
        status, lines = self._results(MAIN_EVENTS + [
            ('setUpClass (ours.test_x.T)', 'skip', disabled),
            ('setUpClass (ours.test_z.V)', 'skip', disabled)])

        rows = self._rows(lines)
        self.assertEqual(1, status)
        self.assertIn(('FAIL', 'setUpClass', '(ours.test_x.T)  skipped whole '
                       '(counts as a failure): %s' % disabled), rows)
        self.assertTrue(lines[-1].startswith('1 passed, 2 failed, '),
                        lines[-1])

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

    def _results(self, main_events, *compat):
        """tempest_results.py's exit status and results file, as lines."""
        selection, main, results = self._files(main_events,
                                               COMPAT_SELECTION)
        if compat and compat[0] == '--compat':
            compat = ('--compat', self._stream(os.path.dirname(main),
                                               'compat.subunit', compat[1]))
        stdout = self.useFixture(fixtures.StringStream('stdout')).stream
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        status = tempest_results.main([selection, main, results] +
                                      list(compat))
        with open(results) as f:
            return status, f.read().splitlines()

    @staticmethod
    def _rows(lines):
        return [tuple(line.split(None, 2)) for line in lines[:-1]]

    def test_compat_pass_proves_conflicts_pass_with_the_setting(self):
        status, lines = self._results(MAIN_EVENTS, '--compat', [
            ('pkg.mod.Member.test_m[id-3]', 'success', None),
            ('pkg.mod.Reader.test_m[id-3]', 'success', None)])

        rows = self._rows(lines)
        self.assertEqual(0, status)
        self.assertEqual([
            ('pass', 'pkg.mod.Class.test_a'),
            ('skip', 'pkg.mod.Class.test_b'),
            ('conflict', 'pkg.mod.Member.test_m'),
            ('pass', 'pkg.mod.Member.test_m'),
            ('conflict', 'pkg.mod.Reader.test_m'),
            ('pass', 'pkg.mod.Reader.test_m'),
            ('conflict', 'pkg.mod.Class.test_e')],
            [row[:2] for row in rows])
        self.assertTrue(rows[3][2].startswith('with %s (' % SETTING))
        self.assertTrue(rows[2][2].startswith('fails as expected'))
        # Each id once: the two compat passes count as passed, the
        # conflict without a compat setting as skipped, as before.
        self.assertEqual(
            '3 passed, 0 failed, 2 skipped (3 known conflicts, 2 passing '
            'with %s; 1 counted as skipped)' % SETTING, lines[-1])

    def test_compat_pass_fails_a_conflict_that_does_not_pass_there(self):
        status, lines = self._results(MAIN_EVENTS, '--compat', [
            ('pkg.mod.Member.test_m[id-3]', 'fail',
             'Traceback...\nBadRequest: has snapshots'),
            ('pkg.mod.Reader.test_m[id-3]', 'skip', 'enforce_scope off'),
            ('tearDownClass (pkg.mod.Reader)', 'fail', 'Traceback: leak')])

        rows = self._rows(lines)
        self.assertEqual(1, status)
        self.assertIn(('FAIL', 'pkg.mod.Member.test_m',
                       'with %s: fail: BadRequest: has snapshots'
                       % SETTING), rows)
        self.assertIn(('FAIL', 'pkg.mod.Reader.test_m',
                       'with %s: skip: enforce_scope off' % SETTING), rows)
        self.assertIn(('FAIL', 'tearDownClass',
                       '(pkg.mod.Reader)  compat pass: fail: '
                       'Traceback: leak'), rows)
        self.assertEqual(
            '1 passed, 3 failed, 2 skipped (3 known conflicts, 0 passing, '
            '2 failing with %s; 1 counted as skipped)' % SETTING, lines[-1])

    def test_compat_pass_that_could_not_run_fails_each_id_with_why(self):
        status, lines = self._results(
            MAIN_EVENTS, '--compat-error', 'port 8831 is taken')

        rows = self._rows(lines)
        self.assertEqual(1, status)
        for tid in ('pkg.mod.Member.test_m', 'pkg.mod.Reader.test_m'):
            self.assertIn(('FAIL', tid, 'with %s: port 8831 is taken'
                           % SETTING), rows)
        self.assertTrue(lines[-1].startswith('1 passed, 2 failed, '))

    def test_compat_ids_missing_from_compat_stream_fail(self):
        status, lines = self._results(MAIN_EVENTS, '--compat', [])

        self.assertEqual(1, status)
        self.assertIn(('FAIL', 'pkg.mod.Member.test_m',
                       'with %s: did not run' % SETTING),
                      self._rows(lines))

    def test_without_compat_pass_conflicts_count_as_skipped(self):
        # SNAPEXT_TEMPEST_CONF: another deployment, no second API.
        status, lines = self._results(MAIN_EVENTS)

        self.assertEqual(0, status)
        self.assertEqual(5, len(lines) - 1)
        self.assertEqual('1 passed, 0 failed, 4 skipped (3 known '
                         'conflicts, 3 counted as skipped)', lines[-1])

    def test_conflict_that_passes_in_main_run_fails_despite_compat(self):
        events = [e if not e[0].startswith('pkg.mod.Member')
                  else (e[0], 'success', None) for e in MAIN_EVENTS]
        status, lines = self._results(events, '--compat', [
            ('pkg.mod.Member.test_m[id-3]', 'success', None),
            ('pkg.mod.Reader.test_m[id-3]', 'success', None)])

        rows = self._rows(lines)
        self.assertEqual(1, status)
        self.assertIn('FAIL', [r[0] for r in rows
                               if r[1] == 'pkg.mod.Member.test_m'])
        self.assertEqual(1, [r[1] for r in rows].count(
            'pkg.mod.Member.test_m'))

    def test_compat_conf_and_regexes_come_from_the_selection(self):
        selection, _, _ = self._files([], COMPAT_SELECTION)
        parsed = tempest_results.read_selection(selection)

        self.assertEqual(
            '[snapext]\n'
            'refuse_volume_delete_with_exported_snapshots = False\n',
            tempest_results.compat_conf(parsed))
        regexes = [re.compile(r) for r in tempest_results.include_regexes(
            tempest_results.compat_selection(parsed))]
        self.assertEqual(
            ['pkg.mod.Member.test_m[id-3]', 'pkg.mod.Reader.test_m'],
            [t for t in ('pkg.mod.Class.test_a', 'pkg.mod.Member.test_m[id-3]',
                         'pkg.mod.Reader.test_m', 'pkg.mod.Class.test_e')
             if any(r.search(t) for r in regexes)])
        self.assertEqual('', tempest_results.compat_conf(
            tempest_results.read_selection(self._files([])[0])))

    def test_selection_refuses_malformed_or_clashing_compat(self):
        for text in ('pkg.T.t conflict: x | compat: refuse = False\n',
                     'pkg.T.t compat: [snapext] a = b\n',
                     'pkg.* conflict: x | compat: [snapext] a = b\n'):
            selection, _, _ = self._files([], text)
            self.assertRaises(ValueError, tempest_results.read_selection,
                              selection)
        selection, _, _ = self._files([], (
            'pkg.T.t conflict: x | compat: [snapext] a = False\n'
            'pkg.T.u conflict: x | compat: [snapext] a = True\n'))
        self.assertRaises(ValueError, tempest_results.compat_conf,
                          tempest_results.read_selection(selection))
