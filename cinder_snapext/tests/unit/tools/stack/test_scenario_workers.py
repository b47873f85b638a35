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

"""How tools/stack/scenario_workers.py splits the demo over workers."""

import importlib.util
import os
import re

import fixtures
import testtools
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..', '..'))
_spec = importlib.util.spec_from_file_location(
    'scenario_workers',
    os.path.join(REPO, 'tools', 'stack', 'scenario_workers.py'))
scenario_workers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario_workers)

PKG = 'cinder_snapext.tests.integration.'
IDS = [PKG + 'test_stack_a.ATest.test_01_x',
       PKG + 'test_stack_a.ATest.test_02_y',
       PKG + 'test_stack_a_b.ABTest.test_01_x',
       PKG + 'test_stack_nfs_one.OneTest.test_01_x',
       PKG + 'test_stack_nfs_two.TwoTest.test_01_x',
       PKG + 'test_stack_z.ZTest.test_01_x']
SECONDS = """\
# measured
test_stack_a.ATest 100
test_stack_nfs_one.OneTest 40
test_stack_nfs_two.TwoTest 50
test_stack_z.ZTest 60
"""


class ScenarioWorkersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.ids = os.path.join(self.dir, 'ids')
        self.seconds = os.path.join(self.dir, 'seconds')
        self.out = os.path.join(self.dir, 'workers.yaml')
        with open(self.seconds, 'w') as f:
            f.write(SECONDS)

    def run_main(self, ids, workers):
        with open(self.ids, 'w') as f:
            f.write('\n'.join(ids) + '\n')
        return scenario_workers.main([self.ids, self.seconds, str(workers),
                                      self.out])

    def test_classes_whole_nfs_together_longest_first(self):
        self.assertEqual(0, self.run_main(IDS, 2))
        with open(self.out) as f:
            workers = [w['worker'] for w in yaml.safe_load(f)]
        ran = [[i for i in IDS if any(re.search(r, i) for r in regexes)]
               for regexes in workers]
        # NFS (90 s together) and test_stack_a (100 s) first, on their
        # own workers; ZTest (60) then joins NFS; ABTest (1 step: 15 s)
        # the lighter worker, test_stack_a's. No test on two workers.
        self.assertEqual([[IDS[0], IDS[1], IDS[2]],
                          [IDS[3], IDS[4], IDS[5]]], sorted(ran))
        self.assertEqual(sorted(IDS), sorted(ran[0] + ran[1]))

    def test_one_group_runs_serially(self):
        self.assertEqual(3, self.run_main(IDS[3:5], 2))
        self.assertFalse(os.path.exists(self.out))
