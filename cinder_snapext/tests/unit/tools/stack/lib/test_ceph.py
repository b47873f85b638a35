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

"""tools/stack/lib/ceph.sh: when the stack's Ceph counts as ready.

After a benchmark deleted thousands of snapshots, every PG was
``active+clean+snaptrim_wait`` for minutes and ``up`` gave up on a
healthy cluster. The function runs as the stack runs it, with the two
answers of ``ceph`` it reads given as canned JSON.
"""

import json
import os
import subprocess
import sys

import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..', '..', '..'))
SCRIPT = os.path.join(REPO, 'tools', 'stack', 'lib', 'ceph.sh')
# ceph_ osd dump / ceph_ status, answered from the environment.
RUN = '''
. "$1"
ceph_() {
    case $1 in
        osd) printf '%s' "$DUMP" ;;
        status) printf '%s' "$STATUS" ;;
        *) return 2 ;;
    esac
}
ceph_ready
'''


def ready(states, osd_up=True, pg_num=(32, 32, 1)):
    dump = {'pools': [{'pg_num': n} for n in pg_num],
            'osds': [{'osd': 0, 'up': int(osd_up)}]}
    status = {'pgmap': {'pgs_by_state': [
        {'state_name': name, 'count': count} for name, count in states]}}
    # VENV/bin/python: this interpreter stands in for the stack's.
    venv = os.path.dirname(os.path.dirname(sys.executable))
    env = dict(os.environ, VENV=venv, DUMP=json.dumps(dump),
               STATUS=json.dumps(status))
    return subprocess.run(['bash', '-c', RUN, 'bash', SCRIPT],
                          env=env, capture_output=True).returncode == 0


class CephReadyTestCase(testtools.TestCase):

    def test_every_pg_active_and_clean(self):
        self.assertTrue(ready([('active+clean', 65)]))

    def test_trimming_and_scrubbing_pgs_are_clean(self):
        self.assertTrue(ready([('active+clean+snaptrim_wait', 62),
                               ('active+clean+snaptrim', 2),
                               ('active+clean+scrubbing+deep', 1)]))

    def test_a_pg_not_clean_or_not_active_is_not_ready(self):
        self.assertFalse(ready([('active+clean', 64),
                                ('active+undersized+degraded', 1)]))
        self.assertFalse(ready([('active+clean', 64), ('peering', 1)]))
        self.assertFalse(ready([('clean', 65)]))

    def test_pgs_missing_from_the_count_are_not_ready(self):
        # A pool just made: the mgr has not reported its PGs yet.
        self.assertFalse(ready([('active+clean', 33)]))

    def test_osd_down_is_not_ready(self):
        self.assertFalse(ready([('active+clean', 65)], osd_up=False))
