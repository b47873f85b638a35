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

"""The NFS volume service dies mid assisted snapshot; another host replaces it.

Needs the stack with ``CLUSTER=1``: the NFS backend runs alone in
``cinder-volume-nfs`` (host ``ci@nfs``), and ``tools/stack.sh start
volume-nfs-2`` starts the same backend under host ``ci2`` (a spare). An
online snapshot of an attached NFS volume opens an assisted phase on
``ci@nfs`` and waits for the emulated Nova, which stays silent; that
service gets ``kill -9`` and never comes back. Nova then answers: the
API records it, and its cast to ``ci@nfs`` reaches nobody. The operator
does what Cinder documents for a volume node that moved: ``cinder-manage
volume update_host`` from ``ci@nfs`` to ``ci2@nfs``, then starts the new
service. The new service must continue the phase the dead host opened
(one compare-and-swap), make the snapshot ``available`` with its data by
checksum, and serve the volume afterwards: an online delete through Nova,
detach, delete, quota back to the baseline, no file left on the share.
"""

import os
import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import cluster_faults
from cinder_snapext.tests.integration.nfs_base import BACKEND
from cinder_snapext.tests.integration.nfs_base import HOST

DEAD = 'cinder-volume-nfs'
SPARE = 'cinder-volume-nfs-2'
NEW_HOST = 'ci2@' + BACKEND
#: The new service starts, resumes the phase at once or at its next
#: periodic check (periodic_interval); the rest is room for load.
TAKEOVER_DEADLINE = 180


class NfsHostReplacedTest(cluster_faults.ClusterFault,
                          base.NfsFaultScenario):
    """kill -9 of the NFS volume service with a phase waiting for Nova."""

    def manage(self, *args):
        """cinder-manage of the stack, as the operator runs it."""
        return cli.run([os.path.join(os.path.dirname(self.stack.python),
                                     'cinder-manage'), '--config-file',
                        os.path.join(self.stack.dir, 'cinder.conf')]
                       + list(args), env=self.env)[1]

    def phase(self, snapshot_id):
        return self.admin_metadata(snapshot_id).get('snapext:phase')

    @step
    def test_01_attached_volume_with_data(self):
        self.attached_volume('replaced', 0x51)

    @step
    def test_02_kill_the_host_of_the_open_phase(self):
        self.behave(failure='no_callback')
        snapshot_id = self.snapshot('replaced', status='creating')
        self.ctx['snapshot'] = snapshot_id
        self.ctx['sha_snap'] = self.expected()
        self.wait_for('phase waiting for Nova', lambda: self.phase(
            snapshot_id) == 'create_waiting_compute')
        self.assertEqual(HOST, self.admin_metadata(snapshot_id)[
            'snapext:phase_host'])
        self.servers.kill9(DEAD)
        self.ctx.update(dead=DEAD, started=time.monotonic())
        # Nova answers now: recorded by the API, its cast lost.
        answer = self.nova('POST', '/emulator/callback', {
            'snapshot_id': snapshot_id, 'status': 'creating'})
        self.assertEqual(202, answer['code'], answer)
        self.assertEqual('creating', self.show('snapshot',
                                               snapshot_id)['status'])
        self.assertEqual('create_waiting_compute', self.phase(snapshot_id))

    @step
    def test_03_new_host_continues_the_phase(self):
        snapshot_id = self.ctx['snapshot']
        self.manage('volume', 'update_host', '--currenthost', HOST,
                    '--newhost', NEW_HOST)
        offset = self.servers.log_offset(DEAD)
        spare_log = os.path.join(self.servers.logs, SPARE + '.log')
        spare_offset = (self.servers.log_offset(SPARE)
                        if os.path.exists(spare_log) else 0)
        self.servers.stack_tool('start', 'volume-nfs-2')
        self.ctx['spare'] = True
        self.assertEqual('available', self.settle(
            'snapshot', snapshot_id, TAKEOVER_DEADLINE))
        self.ctx['took'] = time.monotonic() - self.ctx['started']
        self.assertEqual('create_done', self.phase(snapshot_id))
        # The new host finished it; the dead one never ran again.
        self.assertTrue(self.servers.wait_log(
            SPARE, 'Create snapshot completed successfully', spare_offset,
            0))
        self.assertEqual(offset, self.servers.log_offset(DEAD))
        volume = self.show('volume', self.ctx['volume'])
        self.assertEqual(NEW_HOST,
                         volume['os-vol-host-attr:host'].split('#')[0])
        self.assertEqual(self.ctx['sha_snap'],
                         self.snapshot_sha(snapshot_id))
        self.assertEqual([], self._messages(snapshot_id))

    @step
    def test_04_volume_served_by_the_new_host(self):
        self.write(4, 4, 0x52)
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.behave(delay=0.5)
        snapshot_id = self.ctx['snapshot']
        self.cinder('snapshot-delete', snapshot_id)
        self.wait_gone('snapshot', snapshot_id)
        self.made['snapshot'].remove(snapshot_id)
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.cinder('attachment-delete', self.ctx['attachment'])
        self.wait_status('volume', self.ctx['volume'], 'available')
        self.cinder('delete', self.ctx['volume'])
        self.wait_gone('volume', self.ctx['volume'])
        self.made['volume'].remove(self.ctx['volume'])
        self.assertEqual([], self.files_of(self.ctx['volume']))
        self.assert_quota_at_baseline()
        self.record('NFS cinder-volume killed (-9) with an assisted phase '
                    'open, replaced by a service under another host',
                    'online snapshot of an attached NFS volume; Nova '
                    'answers after the kill; cinder-manage volume '
                    'update_host; start volume-nfs-2',
                    started=self.ctx['started'],
                    outcome='phase continued by the new host in %.0f s; '
                    'snapshot available, data by checksum; volume '
                    'served, quota at baseline' % self.ctx['took'])

    @step(always=True)
    def test_98_member_back(self):
        # The stack as it was for the next scenario: the original host
        # started again (the stack counts as running only then), the spare
        # stopped, whatever is left moved back, its record removed.
        self.behave()
        super().test_98_member_back()
        if self.ctx.get('spare'):
            self.servers.stack_tool('stop', 'volume-nfs-2')
            self.manage('volume', 'update_host', '--currenthost',
                        NEW_HOST, '--newhost', HOST)
            self.manage('service', 'remove', 'cinder-volume', NEW_HOST)

    @step(always=True)
    def test_99_nothing_left(self):
        self.finish()
