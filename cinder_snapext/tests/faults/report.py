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

Usage: python -m cinder_snapext.tests.faults.report RESULTS.jsonl > PAGE

RESULTS.jsonl is what the scenarios wrote (one line per fault);
``tools/faults.sh report`` runs both. The page holds only what the run
measured.
"""

import json
import sys

TITLE = 'Reliability: faults in the servers'
HEAD = """\
Each row is one fault injected into a server of the real stack
(``tools/stack.sh``: RBD on Ceph with one OSD, NFS on a local share with an
emulated Nova, PostgreSQL, RabbitMQ, cinder-api, -scheduler, -volume and
-backup) at a step of a flow, named by the service log line or the phase it
waited for. After each, the scenario checked that every resource the flow
touched reached ``available``, ``error`` or was gone within its deadline
(300 s), that the data (of a restore made after the fault, of a snapshot's
qcow2 chain on NFS) has the checksum of the data at its moment, that quota
in use returned to the baseline taken before the scenario with nothing
reserved, and that once everything was deleted no RBD image, trash entry or
snapshot of its volumes was left in the volumes or backups pool, and no file
of its volumes on the NFS share. *Recovery* runs from the fault to the last
check of the flow; *repair* is what ``tools/stack.sh`` took to bring the
server back. Produced by ``tools/faults.sh report`` from one run of every
scenario in ``cinder_snapext/tests/faults``; CI runs a subset (see
``.ci/run``) and fails on any check above. The generated-request counts are
on :doc:`reliability`.
"""


def _cell(value):
    text = str(value) if value not in (None, '', []) else '-'
    return text.replace('\n', ' ')


def render(rows):
    out = ['=' * len(TITLE), TITLE, '=' * len(TITLE), '']
    out += HEAD.splitlines() + ['']
    if not rows:
        return out + ['The last run recorded no fault.', '']
    out += ['.. list-table::', '   :header-rows: 1', '']
    header = ['fault', 'flow and step', 'outcome', 'recovery (s)',
              'repair (s)', 'user messages']
    for row in [header] + [[
            r['fault'], r['flow'], r.get('outcome'), r['recovery_s'],
            r.get('restart_s'), '; '.join(r.get('messages') or [])]
            for r in rows]:
        out.append('   * - %s' % _cell(row[0]))
        out += ['     - %s' % _cell(cell) for cell in row[1:]]
    return out + ['']


def main(argv):
    with open(argv[1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    sys.stdout.write('\n'.join(render(rows)) + '\n')


if __name__ == '__main__':
    main(sys.argv)
