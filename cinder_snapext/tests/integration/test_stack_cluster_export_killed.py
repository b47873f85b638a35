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

"""A volume member killed mid export; the live member gives it back.

Needs the stack with ``CLUSTER=1``: two cinder-volume members of cluster
``ci-cluster@ceph``, locks in Redis. An export (unmanage) of an RBD
snapshot takes a member milliseconds, so the scenario holds the
snapshot's ``delete_snapshot`` lock in the DLM first: the member that
takes the request from the cluster's queue waits for it with the
snapshot already ``unmanaging``, and is killed with ``kill -9``. The dead
member is NOT started again while the snapshot settles: Cinder touches
the snapshot no more (the unmanage is not in the workers table), and the
live member's recovery (volume/unmanage_recovery.py: any member answers
for the cluster's volumes, once the unmanage is MIN_AGE old) must give it
back ``available`` with its data whole; a second export and a manage back
then go through the live member, checked by checksum.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cluster_faults

FIRST = [(0, 16, 'cl-unm-a')]
BEFORE_SNAP = [(32, 16, 'cl-unm-b')]
AFTER_SNAP = [(0, 8, 'cl-unm-c')]
#: unmanage_recovery.MIN_AGE (60 s), then the live member's periodic
#: task (every 10 s on the stack); the rest is room for load.
RELEASE_DEADLINE = 180


class ExportMemberKilledTest(cluster_faults.ClusterFault,
                             base.FaultScenario):
    """kill -9 of the cinder-volume member exporting a snapshot."""

    @step
    def test_01_volume_with_a_snapshot(self):
        self.take_baseline()
        self.create_volume_for_faults('clunm-vol', FIRST)
        self._snapshot_between('clunm-snap', BEFORE_SNAP, AFTER_SNAP)

    @step
    def test_02_kill_the_member_mid_export(self):
        snap = self.ctx['snapshot']
        lock = '%s-delete_snapshot' % snap
        offsets = {r: self.servers.log_offset(r)
                   for r in cluster_faults.VOLUME_MEMBERS}
        with self.servers.holding_lock(lock):
            status, body = self.api('POST', '/snapshots/%s/action' % snap,
                                    {'os-unmanage': None})
            self.assertEqual(202, status, body)
            # coordination.py: 'Acquiring lock "<tooz key>" by "..."'.
            dead = self.member_at('cinder-%s_lock" by' % lock, offsets)
            self.assertEqual('unmanaging',
                             self.show('snapshot', snap)['status'])
            self.servers.kill9(dead)
            started = time.monotonic()
        self.ctx.update(dead=dead, started=started, restart=0.0)
        status = self.settle('snapshot', snap, deadline=RELEASE_DEADLINE)
        self.assertEqual('available', status)
        self.assertEqual('available', self.settle('volume',
                                                  self.ctx['volume']))
        self.ctx.update(took=time.monotonic() - started,
                        messages=self._messages(snap))

    @step
    def test_03_exported_again_manage_refused_while_dead(self):
        # Exports go to the cluster's queue: the live member serves them.
        # A manage is checked by Cinder's API against the service of the
        # volume's own host (volume/api.py _get_service_by_host_cluster
        # filters on host and cluster): while that member is dead, Cinder
        # refuses it (400, "Service is unavailable at this time.").
        self.ctx['ref'] = self.exported_again()
        status, body = self.api('GET', '/volumes/%s' % self.ctx['volume'])
        self.assertEqual(200, status, body)
        owner = body['volume']['os-vol-host-attr:host'].split('#')[0]
        if owner != cluster_faults.VOLUME_MEMBERS[self.ctx['dead']]:
            # Made by the live member: managed back at once.
            self.managed_back(self.ctx.pop('ref'))
            return
        rc, _out, err = self.cinder(
            'snapshot-manage', '--id-type', 'source-name', '--name',
            self.name('clunm-early'), self.ctx['volume'], self.ctx['ref'],
            check=False)
        self.assertNotEqual(0, rc)
        self.assertIn('Service is unavailable', err)

    @step
    def test_04_member_back_export_managed_back(self):
        self.servers.stack_tool('start', self.ctx.pop('dead')[len(
            'cinder-'):])
        if self.ctx.get('ref'):
            self.managed_back(self.ctx.pop('ref'))
        self.record('cinder-volume cluster member killed (-9), not '
                    'restarted', 'export (unmanage) of an RBD snapshot, the '
                    'member holding the request (lock in Redis)',
                    outcome='snapshot back available by the live member '
                    'in %.0f s, right checksum; exported again by the live '
                    'member; managed back once the member was back'
                    % self.ctx['took'])

    @step(always=True)
    def test_99_nothing_left(self):
        if self.ctx.get('ref'):
            self.take_back(self.ctx['volume'], self.ctx.pop('ref'),
                           check=False)
        self.finish()
