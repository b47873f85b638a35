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

"""What the kill tests on the cluster share: the stack, the member back."""

from cinder_snapext.tests.integration.base import step

#: Record name (tools/stack.sh) of each RBD volume member -> its host.
VOLUME_MEMBERS = {'cinder-volume': 'ci@ceph', 'cinder-volume-2': 'ci2@ceph'}
#: Record name of each backup service of zone nova -> its host.
BACKUP_MEMBERS = {'cinder-backup': 'ci', 'cinder-backup-2': 'ci2'}


class ClusterFault:
    """Mixed in before a fault scenario that kills one member for good.

    The member killed (its record, ``ctx['dead']``) stays dead while the
    scenario checks what the live member and Cinder's clean-up do; it is
    started again only at the end, so that the next scenario finds the
    cluster whole.
    """

    # A kill test makes a volume and a snapshot or two, and one member is
    # dead for most of it. Which member logs their ids depends on the
    # turn of the cluster's queue, which the backup service's RPC calls
    # (get_backup_device, secure_file_operations) also take and which
    # log no id: the check would pass or fail by the parity of those
    # calls. That both members serve is proven by the cluster's own
    # scenario and by the core RBD scenarios on the cluster.
    check_members_served = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack.require_cluster()

    @step(always=True)
    def test_98_member_back(self):
        dead = self.ctx.get('dead')
        if dead:
            self.servers.stack_tool('start', dead[len('cinder-'):])
