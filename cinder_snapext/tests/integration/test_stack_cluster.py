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

"""The RBD backend as an active-active cluster: both members serve.

Needs the stack with ``CLUSTER=1`` (tools/stack/lib/part-cluster.sh):
two cinder-volume services, hosts ``ci@ceph`` and ``ci2@ceph``, in
cluster ``ci-cluster@ceph``, and two cinder-backup services. Cinder
addresses a clustered volume's work to the cluster's queue, which both
members consume; the evidence that both served is in their own logs.
Then one member is killed (``kill -9``) and the other serves everything,
until the stack starts it again.
"""

import os
import signal

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import stack

CLUSTER = 'ci-cluster@ceph'
# Enough creates that the queue's round robin reaches both members.
VOLUMES = 4
MEMBER_LOGS = stack.MEMBER_LOGS


def session(sid):
    """The pids of session ``sid``, one service of tools/stack.sh."""
    pids = []
    for entry in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the name: state ppid pgrp session.
        if fields[0] != 'Z' and int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


class ClusterTest(base.ScenarioTestCase):
    """Both members of the RBD cluster take work; snapext calls too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack.require_cluster()

    def members_up(self):
        status, body = self.api('GET', '/os-services?binary=cinder-volume')
        self.assertEqual(200, status, body)
        return {s['host'] for s in body['services']
                if s.get('cluster') == CLUSTER and s['state'] == 'up'}

    def export_and_import(self, vol_id, what):
        """Snapshot, export and import again, through the cluster's queue.

        The export asks for the backend reference and the import checks
        it: snapext calls addressed to the volume's cluster.
        """
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          vol_id)
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.wait_status('snapshot', snap_id, 'available')
        status, body = self.api(
            'POST', '/os-snapshot-manage/%s/action' % snap_id,
            {'os-unmanage': {}})
        self.assertEqual(202, status, body)
        reference = body['snapshot']['reference']
        self.assertTrue(reference, body)
        self.wait_gone('snapshot', snap_id)
        again = self.take_back(vol_id, reference['source-name'])
        self.assertEqual('available', self.show('snapshot', again)['status'])

    def member_log(self, host):
        return self.stack.member_log(host)

    @step
    def test_01_cluster_of_two_up(self):
        status, body = self.api('GET', '/clusters/detail?binary='
                                'cinder-volume')
        self.assertEqual(200, status, body)
        mine = [c for c in body['clusters'] if c['name'] == CLUSTER]
        self.assertEqual(1, len(mine), body)
        self.assertEqual((2, 0), (mine[0]['num_hosts'],
                                  mine[0]['num_down_hosts']), mine)
        self.assertEqual(set(MEMBER_LOGS), self.members_up())
        status, body = self.api('GET', '/os-services?binary=cinder-backup')
        self.assertEqual(200, status, body)
        backups = {(s['host'], s['zone']) for s in body['services']
                   if s['state'] == 'up'}
        self.assertLessEqual({('ci', 'nova'), ('ci2', 'nova')}, backups)

    @step
    def test_02_volumes_land_in_the_cluster(self):
        ids = []
        for i in range(VOLUMES):
            out = self.cinder('create', '--volume-type', 'ceph', '--name',
                              self.name('cl%d' % i), '1')
            ids.append(cli.parse_properties(out)['id'])
            self.made['volume'].append(ids[-1])
        for vol_id in ids:
            self.wait_status('volume', vol_id, 'available')
            status, body = self.api('GET', '/volumes/%s' % vol_id)
            self.assertEqual(200, status, body)
            self.assertEqual(CLUSTER + '#ceph',
                             body['volume']['cluster_name'], body)
            self.assertEqual(data.expected_sha256(data.GiB, []),
                             self.image_sha256(self.volume_image(vol_id)))
        self.ctx['volumes'] = ids

    @step
    def test_03_both_members_served(self):
        # The member that ran a volume's create logged its id; the queue
        # hands consecutive requests to its consumers in turn.
        served = {host: [v for v in self.ctx['volumes']
                         if v in self.member_log(host)]
                  for host in MEMBER_LOGS}
        for host, ids in served.items():
            self.assertTrue(ids, 'member %s served none of %s: %s' % (
                host, self.ctx['volumes'], served))
        self.assertEqual(set(self.ctx['volumes']),
                         set(served['ci@ceph']) | set(served['ci2@ceph']))

    @step
    def test_04_snapext_calls_reach_a_member(self):
        self.export_and_import(self.ctx['volumes'][0], 'clsnap')

    @step
    def test_05_kill_one_member(self):
        # kill -9 of every process of the member, as a node that crashes:
        # no deregistration, no goodbye. Killing only the recorded parent
        # would leave the child that runs the backend serving a while.
        with open(os.path.join(self.stack.dir, 'run',
                               'cinder-volume.pid')) as f:
            sid = int(f.read().split()[0])
        pids = session(sid)
        self.assertIn(sid, pids)
        self.ctx['killed'] = True
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.wait_for('cinder-volume (ci) gone', lambda: not any(
            base.alive(pid) for pid in pids), timeout=30)

    @step
    def test_06_the_survivor_serves_everything(self):
        # Every create, snapshot, export and import goes to the cluster's
        # queue; the queue now has one consumer, and the API's check
        # that a member is up passes on the survivor's heartbeat.
        before = self.member_log('ci2@ceph')
        vol_id = self.create_volume('survivor')
        self.assertIn(vol_id, self.member_log('ci2@ceph')[len(before):])
        self.export_and_import(vol_id, 'survivor-snap')

    @step(always=True)
    def test_98_member_back(self):
        if not self.ctx.get('killed'):
            return
        self.stack_tool('start', 'volume')
        self.wait_for('both members up', lambda: self.members_up() == set(
            MEMBER_LOGS), timeout=120)

    @step(always=True)
    def test_99_cleanup(self):
        self.sweep_made()
