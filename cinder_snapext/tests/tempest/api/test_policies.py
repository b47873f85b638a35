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

"""Non-admin users refused where cinder-snapext's policies say admin."""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from cinder_snapext.tests.tempest.api import base


class SnapextPolicyTest(base.SnapextBaseTest):
    """A project member, on a snapshot of their own, against admin rules."""

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.snapshot = self.create_snapshot(self.volume['id'])

    @decorators.idempotent_id('15a522c7-08f3-46fc-8214-2fdc342318ab')
    def test_admin_metadata_refused_to_member(self):
        self.assertRaises(lib_exc.Forbidden,
                          self.snapext_client.show_snapshot_admin_metadata,
                          self.snapshot['id'])
        # The route exists and answers an admin: the refusal is policy.
        self.admin_snapext_client.show_snapshot_admin_metadata(
            self.snapshot['id'])

    @decorators.idempotent_id('f735a8ad-d9ab-4651-9ffc-330d0ccc4476')
    def test_export_refused_to_member(self):
        self.assertRaises(lib_exc.Forbidden,
                          self.snapext_client.export_snapshot,
                          self.snapshot['id'])
        shown = self.snapshots_client.show_snapshot(
            self.snapshot['id'])['snapshot']
        self.assertEqual('available', shown['status'])

    @decorators.idempotent_id('da5257c0-f3bc-464a-bfc1-363925a89832')
    def test_manage_refused_to_member(self):
        self.assertRaises(
            lib_exc.Forbidden, self.snapshot_manage_client.manage_snapshot,
            volume_id=self.volume['id'],
            ref={'source-name': 'snapshot-%s' % self.snapshot['id']})
        self.assertEqual([self.snapshot['id']],
                         [s['id'] for s in self.snapshots_of(
                             self.volume['id'])])
