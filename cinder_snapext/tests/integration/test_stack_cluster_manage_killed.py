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

"""A volume member killed mid manage; Cinder's work-cleanup via the live one.

Needs the stack with ``CLUSTER=1``. The flow and its checks are
manage_flow's (an exported RBD snapshot managed back, the reference
checked by the member that took the request from the cluster's queue);
the fault is ``kill -9`` of that member, which is NOT started again. The
manage is in Cinder's ``workers`` table under the dead member's service;
once Cinder shows that service down, the operator's ``cinder
work-cleanup --cluster ... --host <dead>`` (microversion 3.24) makes the
scheduler send the clean-up to the cluster, whose live member claims the
row and fails the snapshot (``error``); the export is then managed back
through the live member and a volume made from it has the snapshot's data.
"""

from cinder_snapext.tests.faults import manage_flow
from cinder_snapext.tests.integration import cluster_faults

CLUSTER = 'ci-cluster@ceph'
HOSTS = cluster_faults.VOLUME_MEMBERS
#: service_down_time on the stack (20 s) and room for load.
DOWN_DEADLINE = 90


class ManageMemberKilledTest(cluster_faults.ClusterFault,
                             manage_flow.ManageFaultScenario):
    """kill -9 of the member managing a snapshot; work-cleanup after."""

    FAULT = ('cinder-volume cluster member killed (-9), not restarted; '
             'cinder work-cleanup')
    TAG = 'clkv'
    RECORDS = tuple(HOSTS)

    def _state(self, host):
        status, body = self.api('GET', '/os-services?binary=cinder-volume')
        self.assertEqual(200, status, body)
        return {s['host']: s['state'] for s in body['services']}.get(host)

    def interrupt(self):
        record = self.ctx['member']
        self.servers.kill9(record)
        host = HOSTS[record]
        self.ctx['dead'] = record
        self.wait_for('%s down' % host, lambda: self._state(host) == 'down',
                      timeout=DOWN_DEADLINE)
        out = self.cinder('--os-volume-api-version', '3.24', 'work-cleanup',
                          '--cluster', CLUSTER, '--host', host)
        # The scheduler lists the services it sent the clean-up for, and
        # those it found no live service of the cluster for.
        self.assertIn('Following services will be cleaned:', out)
        self.assertIn(host, out)
        self.assertNotIn('no alternative nodes', out)
        return 0.0

    def before_managing_again(self):
        # Cinder's API checks a manage against the service of the
        # volume's own host (not any member of its cluster): while that
        # member is dead it refuses the manage (400). Started again here,
        # once the failed manage is settled without it.
        status, body = self.api('GET', '/volumes/%s' % self.ctx['volume'])
        self.assertEqual(200, status, body)
        owner = body['volume']['os-vol-host-attr:host'].split('#')[0]
        if owner == HOSTS[self.ctx['dead']]:
            self.servers.stack_tool('start', self.ctx.pop('dead')[len(
                'cinder-'):])
