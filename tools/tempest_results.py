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

"""Judge a tempest run against tools/tempest-tests.txt; write the results.

Usage: tempest_results.py SELECTION SUBUNIT RESULTS
           [--compat SUBUNIT | --compat-error TEXT]
       tempest_results.py --regexes SELECTION
       tempest_results.py --compat-regexes SELECTION
       tempest_results.py --compat-conf SELECTION

Every selected id must have run and passed. A skip passes only where the
selection accepts that id's upstream skip reason; every other skip (one
our configuration causes, say) is a failure, and so are a selected id that
did not run and a class that skipped whole (our tempest plugin disabled).
A "conflict" is a test that fails because of a behaviour cinder-snapext
changes on purpose: the selection names the error text, and any other
outcome of that test (a pass included) is a failure.

A conflict may also name the "compat" setting that gives Cinder's own
behaviour back. tools/tempest.sh then runs those ids once more against a
compat slice of the stack (a cinder-api and a cinder-volume) with the
settings that --compat-conf prints, and passes that run's stream with
--compat (or, when that pass could not run or did not reach that slice,
--compat-error with why). Each such id must pass there; it
gets a second line with that verdict.

Prints "N passed, N failed, N skipped", each id counted once: a conflict
counts as passed or failed as its compat verdict says, and as skipped
without one; the conflicts are also counted in parentheses. Exit status 1
on any failure. Runs with the tempest venv's python (subunit, testtools).

Over 300 lines by this usage text: the code alone is about 300.
"""

import collections
import re
import sys

import subunit
import testtools

Selected = collections.namedtuple(
    'Selected', 'test_id prefix accepted_skip conflict compat')

# "[section] option = value", the form of a cinder.conf line.
_COMPAT = re.compile(r'^\[([\w-]+)\]\s*(\w+)\s*=\s*(\S.*)$')


def parse_compat(text):
    """(section, option, value) of "[section] option = value"."""
    match = _COMPAT.match(text.strip())
    if not match:
        raise ValueError('compat: "%s" is not "[section] option = value"'
                         % text.strip())
    return tuple(g.strip() for g in match.groups())


def compat_text(compat):
    return '[%s] %s = %s' % compat


def read_selection(path):
    """[Selected] in the order of the file; ValueError on a bad line."""
    selection = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            test_id, _, conflict = line.partition(' conflict: ')
            conflict, _, compat = conflict.partition(' | compat: ')
            test_id, _, accepted = test_id.partition(' skip: ')
            test_id = test_id.strip()
            prefix = test_id.endswith('.*')
            try:
                if ' compat: ' in test_id or prefix and conflict:
                    raise ValueError('compat: and conflict: belong to one '
                                     'id, compat: after conflict:')
                compat = parse_compat(compat) if compat.strip() else None
            except ValueError as e:
                raise ValueError('%s:%d: %s' % (path, number, e))
            selection.append(Selected(
                test_id[:-1] if prefix else test_id, prefix,
                accepted.strip() or None, conflict.strip() or None, compat))
    return selection


def _regex(test_id, prefix):
    return '^' + re.escape(test_id) + ('' if prefix else r'(\[|$)')


def include_regexes(selection):
    """One stestr regex per line of the selection."""
    for s in selection:
        yield _regex(s.test_id, s.prefix)


def compat_selection(selection):
    """The conflicts that name a compat setting."""
    return [s for s in selection if s.conflict and s.compat]


def compat_conf(selection):
    """The compat settings as cinder.conf lines, ValueError if they clash."""
    sections = {}
    for s in compat_selection(selection):
        section, option, value = s.compat
        options = sections.setdefault(section, {})
        if options.setdefault(option, value) != value:
            raise ValueError('compat: [%s] %s is set to both %s and %s'
                             % (section, option, options[option], value))
    lines = []
    for section, options in sections.items():
        lines.append('[%s]' % section)
        lines.extend('%s = %s' % item for item in options.items())
    return '\n'.join(lines) + '\n' if lines else ''


def read_subunit(path):
    """{test id without attributes: (status, reason, seconds)}."""
    results = {}

    def on_test(test):
        test_id = test['id'].split('[', 1)[0]
        # tempest reports a failing setUpClass as a pseudo-test.
        if test['status'] == 'exists':
            return
        reason = ''
        for name in ('reason', 'traceback'):
            detail = test['details'].get(name)
            if detail is not None:
                reason = detail.as_text().strip()
                break
        start, stop = test['timestamps']
        secs = (stop - start).total_seconds() if start and stop else 0.0
        results[test_id] = (test['status'], reason, secs)

    with open(path, 'rb') as stream:
        case = subunit.ByteStreamToStreamResult(stream)
        result = testtools.StreamToDict(on_test)
        result.startTestRun()
        try:
            case.run(result)
        finally:
            result.stopTestRun()
    return results


def _last_line(reason):
    return reason.splitlines()[-1] if reason else ''


def _class_errors(results, claimed):
    """FAIL rows for what no selected id claims (setUpClass and such).

    A class whose skip_checks refuse (our plugin with ``[snapext] enabled
    = False``, a feature turned off) reports no test, only a skipped
    "setUpClass (module.Class)": that is a failure too, or the class of a
    selected prefix would leave the run without a trace.
    """
    rows = []
    for tid in sorted(set(results) - claimed):
        status, reason, _ = results[tid]
        if status == 'skip':
            rows.append((tid, 'FAIL', 'skipped whole (counts as a '
                         'failure): %s' % _last_line(reason)))
        elif status != 'success':
            rows.append((tid, 'FAIL', '%s: %s' % (status,
                                                  _last_line(reason))))
    return rows


def judge(selection, results):
    """[(test id, verdict, detail)], verdict pass, skip, conflict or FAIL."""
    rows, claimed = [], set()
    for s in selection:
        if s.prefix:
            matched = sorted(t for t in results if t.startswith(s.test_id))
            if not matched:
                rows.append((s.test_id + '*', 'FAIL', 'no test matched'))
            ids = [(t, None, None) for t in matched]
        else:
            ids = [(s.test_id, s.accepted_skip, s.conflict)]
        for tid, ok_skip, conflict_text in ids:
            claimed.add(tid)
            status, reason, secs = results.get(tid, (None, '', 0.0))
            first = _last_line(reason)
            if conflict_text:
                if status == 'fail' and conflict_text in reason:
                    rows.append((tid, 'conflict',
                                 'fails as expected: %s' % conflict_text))
                else:
                    rows.append((tid, 'FAIL', 'expected to fail with "%s", '
                                 'got %s: %s' % (conflict_text, status,
                                                 first)))
            elif status == 'success':
                rows.append((tid, 'pass', '%.1f s' % secs))
            elif status == 'skip' and ok_skip and ok_skip in reason:
                rows.append((tid, 'skip', 'upstream: %s' % first))
            elif status == 'skip':
                rows.append((tid, 'FAIL', 'skipped (counts as a failure): '
                             '%s' % first))
            elif status is None:
                rows.append((tid, 'FAIL', 'did not run'))
            else:
                rows.append((tid, 'FAIL', '%s: %s' % (status, first)))
    return rows + _class_errors(results, claimed)


def judge_compat(selection, results, error=None):
    """{test id: (verdict, detail, setting)} of the compat pass; errors.

    Each conflict with a compat setting must pass in that pass: any other
    outcome, a skip included, is a failure. With error (the pass did not
    run, or did not reach the API it was meant for), every one fails.
    """
    verdicts, claimed = {}, set()
    for s in compat_selection(selection):
        claimed.add(s.test_id)
        setting = 'with %s' % compat_text(s.compat)
        status, reason, secs = results.get(s.test_id, (None, '', 0.0))
        if error:
            verdict = ('FAIL', '%s: %s' % (setting, error))
        elif status == 'success':
            verdict = ('pass', '%s (%.1f s)' % (setting, secs))
        elif status is None:
            verdict = ('FAIL', '%s: did not run' % setting)
        else:
            verdict = ('FAIL', '%s: %s: %s' % (setting, status,
                                               _last_line(reason)))
        verdicts[s.test_id] = verdict + (setting,)
    errors = [(tid, verdict, 'compat pass: ' + detail)
              for tid, verdict, detail in _class_errors(results, claimed)]
    return verdicts, errors


def combine(rows, compat_verdicts, compat_errors):
    """Rows with each conflict's compat line after it; the summary."""
    out = []
    passed = failed = skipped = 0
    conflicts = collections.defaultdict(lambda: [0, 0])
    plain_conflicts = 0
    for tid, verdict, detail in rows:
        out.append((tid, verdict, detail))
        if verdict == 'conflict' and tid in compat_verdicts:
            c_verdict, c_detail, setting = compat_verdicts[tid]
            out.append((tid, c_verdict, c_detail))
            conflicts[setting][c_verdict != 'pass'] += 1
            verdict = c_verdict
        elif verdict == 'conflict':
            plain_conflicts += 1
            verdict = 'skip'
        passed += verdict == 'pass'
        failed += verdict == 'FAIL'
        skipped += verdict == 'skip'
    out.extend(compat_errors)
    failed += len(compat_errors)
    summary = '%d passed, %d failed, %d skipped' % (passed, failed, skipped)
    total = plain_conflicts + sum(sum(c) for c in conflicts.values())
    notes = []
    for setting, (ok, bad) in conflicts.items():
        if not bad and ok == total:
            how = {1: '', 2: 'both '}.get(ok, 'all ')
            notes.append('%spassing %s' % (how, setting))
        elif not bad:
            notes.append('%d passing %s' % (ok, setting))
        else:
            notes.append('%d passing, %d failing %s' % (ok, bad, setting))
    if plain_conflicts:
        notes.append('%d counted as skipped' % plain_conflicts)
    if total:
        summary += ' (%d known conflict%s, %s)' % (
            total, '' if total == 1 else 's', '; '.join(notes))
    return out, summary, failed


def _print_lines(lines):
    for line in lines:
        print(line)


def write_results(selection_path, subunit_path, results_path,
                  compat_flag=None, compat_arg=None):
    selection = read_selection(selection_path)
    rows = judge(selection, read_subunit(subunit_path))
    compat_verdicts, compat_errors = {}, []
    if compat_flag == '--compat':
        compat_verdicts, compat_errors = judge_compat(
            selection, read_subunit(compat_arg))
    elif compat_flag == '--compat-error':
        compat_verdicts, compat_errors = judge_compat(
            selection, {}, error=compat_arg)
    elif compat_flag is not None:
        sys.exit(__doc__)
    rows, summary, failed = combine(rows, compat_verdicts, compat_errors)
    lines = ['%-8s %s  %s' % (verdict, tid, detail)
             for tid, verdict, detail in rows]
    with open(results_path, 'w') as out:
        out.write('\n'.join(lines + [summary]) + '\n')
    _print_lines(lines)
    print('tempest: ' + summary)
    return 1 if failed else 0


def main(argv):
    try:
        if len(argv) == 2 and argv[0] == '--regexes':
            _print_lines(include_regexes(read_selection(argv[1])))
        elif len(argv) == 2 and argv[0] == '--compat-regexes':
            _print_lines(include_regexes(compat_selection(
                read_selection(argv[1]))))
        elif len(argv) == 2 and argv[0] == '--compat-conf':
            sys.stdout.write(compat_conf(read_selection(argv[1])))
        elif len(argv) in (3, 5) and not argv[0].startswith('--'):
            return write_results(*argv)
        else:
            sys.exit(__doc__)
    except ValueError as e:
        sys.exit('%s: %s' % (sys.argv[0], e))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
