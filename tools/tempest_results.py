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

Every selected id must have run and passed. A skip passes only where the
selection accepts that id's upstream skip reason; every other skip (one
our configuration causes, say) is a failure, and so is a selected id that
did not run. A "conflict" is a test that fails because of a behaviour
cinder-snapext changes on purpose: the selection names the error text,
and any other outcome of that test (a pass included) is a failure.
Prints "N passed, N failed, N skipped", conflicts counted as skipped and
also listed; exit status 1 on any failure. Runs with the tempest venv's
python (subunit, testtools).
"""

import re
import sys

import subunit
import testtools


def read_selection(path):
    """[(id or prefix, is_prefix, accepted skip text, conflict text)]."""
    selection = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            test_id, _, conflict = line.partition(' conflict: ')
            test_id, _, accepted = test_id.partition(' skip: ')
            test_id = test_id.strip()
            prefix = test_id.endswith('.*')
            selection.append((test_id[:-1] if prefix else test_id, prefix,
                              accepted.strip() or None,
                              conflict.strip() or None))
    return selection


def include_regexes(selection):
    """One stestr regex per line of the selection."""
    for test_id, prefix, _, _ in selection:
        yield '^' + re.escape(test_id) + ('' if prefix else r'(\[|$)')


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


def judge(selection, results):
    """[(test id, verdict, detail)], verdict pass, skip, conflict or FAIL."""
    rows, claimed = [], set()
    for test_id, prefix, accepted, conflict in selection:
        if prefix:
            matched = sorted(t for t in results if t.startswith(test_id))
            if not matched:
                rows.append((test_id + '*', 'FAIL', 'no test matched'))
            ids = [(t, None, None) for t in matched]
        else:
            ids = [(test_id, accepted, conflict)]
        for tid, ok_skip, conflict_text in ids:
            claimed.add(tid)
            status, reason, secs = results.get(tid, (None, '', 0.0))
            first = reason.splitlines()[-1] if reason else ''
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
    # Class-level errors (setUpClass, tearDownClass) carry no selected id.
    for tid in sorted(set(results) - claimed):
        status, reason, _ = results[tid]
        if status not in ('success', 'skip'):
            first = reason.splitlines()[-1] if reason else ''
            rows.append((tid, 'FAIL', '%s: %s' % (status, first)))
    return rows


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--regexes':
        for regex in include_regexes(read_selection(sys.argv[2])):
            print(regex)
        return 0
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    selection = read_selection(sys.argv[1])
    rows = judge(selection, read_subunit(sys.argv[2]))
    count = {v: sum(r[1] == v for r in rows)
             for v in ('pass', 'FAIL', 'skip', 'conflict')}
    summary = '%d passed, %d failed, %d skipped' % (
        count['pass'], count['FAIL'], count['skip'] + count['conflict'])
    if count['conflict']:
        summary += ' (%d of them known conflicts)' % count['conflict']
    with open(sys.argv[3], 'w') as out:
        for tid, verdict, detail in rows:
            out.write('%-8s %s  %s\n' % (verdict, tid, detail))
        out.write(summary + '\n')
    for tid, verdict, detail in rows:
        print('%-8s %s  %s' % (verdict, tid, detail))
    print('tempest: ' + summary)
    return 1 if count['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
