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

"""tools/stack/lib/scenario.sh: which scenario classes run alone.

With two workers, 'demo' runs the classes that kill or stop a service
after the others, one at a time, selected by a lookahead built from the
caller's filter. The cluster lane's filter has two alternatives; the
second one's classes were silently left out while the first's ran.
"""

import os
import re
import subprocess

import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..', '..', '..'))
SCRIPT = os.path.join(REPO, 'tools', 'stack', 'lib', 'scenario.sh')
# The cluster lane's filter as .ci/run builds it.
CLUSTER_FILTER = (
    r'test_stack_(cluster|cluster_takeover|cluster_export_killed'
    r'|cluster_manage_killed|scenario|backup_chain)\.'
    r'|test_stack_cluster_(point_killed|nfs_host_replaced)\.')
MODULES = (
    'test_stack_backup_chain', 'test_stack_cluster',
    'test_stack_cluster_export_killed', 'test_stack_cluster_manage_killed',
    'test_stack_cluster_nfs_host_replaced', 'test_stack_cluster_point_killed',
    'test_stack_cluster_takeover', 'test_stack_nfs_assisted',
    'test_stack_scenario', 'test_stack_volume_service_down',
)


def alone(filter_=''):
    """The modules whose test ids the alone_regex of filter_ selects."""
    out = subprocess.run(
        ['bash', '-c', '. "$1" && alone_regex "$2"', 'bash', SCRIPT,
         filter_], capture_output=True, text=True, check=True).stdout
    # stestr filters with Python's re, searching the whole test id.
    regex = re.compile(out.strip())
    return [module for module in MODULES if regex.search(
        'cinder_snapext.tests.integration.%s.SomeTest.test_01' % module)]


class AloneRegexTestCase(testtools.TestCase):

    def test_every_alternative_of_the_filter_counts(self):
        self.assertEqual(
            ['test_stack_cluster', 'test_stack_cluster_export_killed',
             'test_stack_cluster_manage_killed',
             'test_stack_cluster_nfs_host_replaced',
             'test_stack_cluster_point_killed',
             'test_stack_cluster_takeover'],
            alone(CLUSTER_FILTER))

    def test_only_the_filter_s_classes(self):
        self.assertEqual(['test_stack_cluster_point_killed'],
                         alone(r'cluster_point_killed\.'))

    def test_without_a_filter_every_class_that_runs_alone(self):
        self.assertEqual(
            ['test_stack_cluster', 'test_stack_cluster_export_killed',
             'test_stack_cluster_manage_killed',
             'test_stack_cluster_nfs_host_replaced',
             'test_stack_cluster_point_killed',
             'test_stack_cluster_takeover',
             'test_stack_volume_service_down'],
            alone())
