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

"""The fault lane's results page (doc/source/admin/reliability-faults.rst).

Usage: python -m cinder_snapext.tests.faults.report RECORD_DIR > PAGE

RECORD_DIR is what ``tools/faults.sh report`` keeps of one run: the
scenarios' rows (results.jsonl, one line per fault), each step's result
and times (steps.csv, stestr's), the load average sampled during the run
(load.tsv) and the run's start, end and filter (run.json). The page holds
only what that run measured; the prose says what every scenario checks.
"""

import csv
import datetime
import json
import os
import statistics
import sys
import textwrap

TITLE = 'Reliability: faults in the servers'
# Each figure here is a constant of the scenarios (base.SETTLE_DEADLINE,
# test_assisted_phase_faults' wait for the periodic check after a lost
# callback, test_unmanage_interrupted.RELEASE_DEADLINE), filled in by
# head() so that the page changes with them.
HEAD = """\
Each row is one fault injected into a server of the real stack
(``tools/stack.sh``: RBD on Ceph with one OSD, NFS on a local share with an
emulated Nova, PostgreSQL, RabbitMQ, cinder-api, -scheduler, -volume and
-backup) at a step of a flow, named by the service log line or the phase it
waited for. After each, the scenario checked that every resource the flow
touched reached ``available``, ``error`` or was gone within its deadline
({settle} s; {lost} s for the volume service's periodic check to fail a
snapshot whose Nova never called back, {release} s for an interrupted export
to be given back), that the data has the checksum of the data at its moment
(a restore made after the fault, the RBD snapshot itself, a volume made from
a snapshot managed back, a snapshot's qcow2 chain on NFS), that quota in use
returned to the baseline taken before the scenario with nothing reserved,
and that once everything was deleted no RBD image or trash entry of its
volumes or their backups was left in the volumes or backups pool, and no
file of its volumes on the NFS share. *Recovery* runs from the fault to the
last check of the flow; *repair* is what ``tools/stack.sh`` took to bring
the server back (none where the scenario itself lets the server go on).
Produced by ``tools/faults.sh report`` from one run of the scenarios in
``cinder_snapext/tests/faults``; CI runs a subset (the modules its fault
lane names in ``.ci/run``) and fails on any check above. The
generated-request counts are on :doc:`reliability`.
"""
FOUND = """\
Defects these faults found in cinder-snapext, each fixed with a regression
test and checked again by its scenario on every run:

- cinder-volume killed mid manage left the snapshot ``creating`` for good:
  Cinder keeps a ``workers`` row for a snapshot create but not for a
  manage. The manage now runs under Cinder's own ``set_workers``, so the
  restart (or ``cinder-manage work-cleanup``) moves it to ``error``.
- PostgreSQL or cinder-volume gone in the middle of an export (unmanage)
  left the snapshot ``unmanaging`` for good. The volume service gives such
  a snapshot back ``available`` at its start and periodically, with a user
  message (``volume/unmanage_recovery.py``).
- cinder-backup killed during an incremental backup of a snapshot left the
  differential's clone in the backups pool, holding its parent's restore
  point, so the parent's delete failed with ``ImageHasSnapshots``. The
  delete of such a backup now removes what it owned
  (``backup/unfinished.py``).
- cinder-backup killed while it wrote a backup's RBD image: deleting the
  backup right after went to ``error`` with ``ImageBusy``, since Ceph keeps
  the dead client's watch on the image for up to 30 s. The removal now
  tries again for about 45 s (``backup/rbd_backup.py``).
- PostgreSQL killed while an assisted snapshot waited for Nova: the
  stack's own database acknowledged commits before writing them and lost
  the phase's last move, and the phase, recorded as running on a live
  volume service, stayed open (the snapshot ``creating``, every delete
  refused) until that service restarted. The stack's databases now write
  a commit before acknowledging it, and a volume service fails a phase
  recorded as running on it that it is not running, at its next periodic
  check (``volume/assisted/running.py``); a database error between the
  driver's begin and the phase's next record left the same state.
"""
COLUMNS = ['fault', 'flow and step', 'outcome', 'recovery (s)',
           'repair (s)', 'user messages', 'scenario']


def head():
    """The prose, with the scenarios' own deadlines."""
    from cinder_snapext.tests.faults import base
    from cinder_snapext.tests.faults import test_assisted_phase_faults
    from cinder_snapext.tests.faults import test_unmanage_interrupted
    return HEAD.format(
        settle=base.SETTLE_DEADLINE,
        lost=test_assisted_phase_faults.LOST_SETTLE_DEADLINE,
        release=test_unmanage_interrupted.RELEASE_DEADLINE)


def _cell(value):
    text = str(value) if value not in (None, '', []) else '-'
    return text.replace('\n', ' ')


def _when(stamp):
    return datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%SZ')


def _seconds(step):
    try:
        return (datetime.datetime.fromisoformat(step['stop_time']) -
                datetime.datetime.fromisoformat(step['start_time'])
                ).total_seconds()
    except (KeyError, TypeError, ValueError):
        return 0.0


def _scenario(test_id):
    """test_x of cinder_snapext.tests.faults.test_x.Class.test_01_y."""
    parts = test_id.split('.')
    return parts[-3] if len(parts) >= 3 else test_id


def run_paragraph(run, steps, loads):
    """When, how long, on what load and with what result the run ran."""
    started, ended = _when(run['started']), _when(run['ended'])
    count = {s: sum(1 for step in steps if step['status'] == s)
             for s in ('success', 'skip')}
    failed = len(steps) - count['success'] - count['skip']
    which = ('the scenarios matching ``%s``' % run['filter']
             if run.get('filter') else 'every scenario')
    text = ('This run: %s, from %s to %s UTC (%d s), %d %s passed, '
            '%d failed, %d skipped.' % (
                which, started.strftime('%Y-%m-%d %H:%M'),
                ended.strftime('%H:%M'), (ended - started).total_seconds(),
                count['success'], 'step' if count['success'] == 1
                else 'steps', failed, count['skip']))
    if loads:
        text += (' The machine (2 CPUs) was shared with other stacks and '
                 'tests: load average over one minute %.1f to %.1f, median '
                 '%.1f, in %d samples taken every 30 s. Times on CI\'s idle '
                 'machine are shorter.' % (min(loads), max(loads),
                                           statistics.median(loads),
                                           len(loads)))
    return textwrap.fill(text, 79)


def scenario_table(steps):
    """One row per scenario module: its steps' results and seconds."""
    order, by_scenario = [], {}
    for step in steps:
        name = _scenario(step['test'])
        if name not in by_scenario:
            order.append(name)
            by_scenario[name] = []
        by_scenario[name].append(step)
    out = ['.. list-table::', '   :header-rows: 1', '',
           '   * - scenario', '     - steps passed', '     - failed or '
           'skipped', '     - seconds']
    for name in order:
        mine = by_scenario[name]
        bad = [s['test'].rsplit('.', 1)[-1] + (
            ' (skipped)' if s['status'] == 'skip' else '')
            for s in mine if s['status'] != 'success']
        out += ['   * - ``%s``' % name,
                '     - %d of %d' % (len(mine) - len(bad), len(mine)),
                '     - %s' % _cell(', '.join(bad)),
                '     - %.0f' % sum(_seconds(s) for s in mine)]
    return out + ['']


def render(rows, run=None, steps=(), loads=(), prose=None):
    out = ['=' * len(TITLE), TITLE, '=' * len(TITLE), '']
    out += (prose if prose is not None else head()).splitlines() + ['']
    if run:
        out += [run_paragraph(run, steps, loads), '']
    if not rows:
        out += ['The last run recorded no fault.', '']
    else:
        out += ['.. list-table::', '   :header-rows: 1', '']
        for row in [COLUMNS] + [[
                r['fault'], r['flow'], r.get('outcome'), r['recovery_s'],
                r.get('restart_s'), '; '.join(r.get('messages') or []),
                r.get('scenario')] for r in rows]:
            out.append('   * - %s' % _cell(row[0]))
            out += ['     - %s' % _cell(cell) for cell in row[1:]]
        out.append('')
    if steps:
        out += textwrap.wrap('Every step of the run, by scenario (a '
                             'scenario whose fault step failed has no row '
                             'above):', 79) + ['']
        out += scenario_table(steps)
    return out + FOUND.splitlines() + ['']


def _read(record_dir, name, parse):
    path = os.path.join(record_dir, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return parse(f)


def main(argv):
    record = argv[1]
    rows = _read(record, 'results.jsonl', lambda f: [
        json.loads(line) for line in f if line.strip()]) or []
    run = _read(record, 'run.json', json.load)
    steps = _read(record, 'steps.csv', lambda f: list(
        csv.DictReader(f))) or []
    loads = _read(record, 'load.tsv', lambda f: [
        float(line.split('\t')[1].split()[0]) for line in f
        if line.strip()]) or []
    sys.stdout.write('\n'.join(render(rows, run, steps, loads)) + '\n')


if __name__ == '__main__':
    main(sys.argv)
