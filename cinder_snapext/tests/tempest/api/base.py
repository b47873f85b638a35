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

"""Base class of the cinder-snapext tempest tests, and shared steps."""

from tempest.api.volume import base
from tempest.common import waiters
from tempest import config

from cinder_snapext.tests.tempest.services import snapext_client

CONF = config.CONF


class SnapextBaseTest(base.BaseVolumeAdminTest):
    """A member (primary) and an admin, each in a project of their own."""

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.snapext.enabled:
            raise cls.skipException('[snapext] enabled is False: the Cinder '
                                    'under test does not load cinder-snapext')
        if not CONF.volume_feature_enabled.snapshot:
            raise cls.skipException('Cinder snapshots are not enabled')

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        params = config.service_client_config('volume')
        cls.snapext_client = snapext_client.SnapextClient(
            cls.os_primary.auth_provider, **params)
        cls.admin_snapext_client = snapext_client.SnapextClient(
            cls.os_admin.auth_provider, **params)
        cls.snapshot_manage_client = (
            cls.os_primary.snapshot_manage_client_latest)
        cls.admin_quotas_client = cls.os_admin.volume_quotas_client_latest

    def export_snapshot(self, snapshot_id):
        """Export as admin; the snapshot leaves Cinder, stays on Ceph."""
        body = self.admin_snapext_client.export_snapshot(snapshot_id)
        self.admin_snapshots_client.wait_for_resource_deletion(snapshot_id)
        return body['snapshot']

    def manage_snapshot(self, volume_id, reference):
        """Import as admin, wait until available, delete on clean-up."""
        snapshot = self.admin_snapshot_manage_client.manage_snapshot(
            volume_id=volume_id, ref=reference)['snapshot']
        self.addCleanup(self._delete_snapshot, snapshot['id'])
        waiters.wait_for_volume_resource_status(
            self.admin_snapshots_client, snapshot['id'], 'available')
        return snapshot

    def manage_on_cleanup(self, volume_id, reference):
        """Import an exported snapshot back before the volume's clean-up.

        cinder-snapext refuses to delete a volume whose exported snapshots
        are still on the backend: importing and deleting them first lets
        the volume go.
        """
        self.addCleanup(self._manage_and_delete, volume_id, reference)

    def _manage_and_delete(self, volume_id, reference):
        snapshot = self.admin_snapshot_manage_client.manage_snapshot(
            volume_id=volume_id, ref=reference)['snapshot']
        waiters.wait_for_volume_resource_status(
            self.admin_snapshots_client, snapshot['id'], 'available')
        self._delete_snapshot(snapshot['id'])

    def _delete_snapshot(self, snapshot_id):
        self.admin_snapshots_client.delete_snapshot(snapshot_id)
        self.admin_snapshots_client.wait_for_resource_deletion(snapshot_id)

    def snapshots_of(self, volume_id):
        """Every snapshot row of the volume, in any project."""
        return self.admin_snapshots_client.list_snapshots(
            detail=True, all_tenants=1, volume_id=volume_id)['snapshots']

    def quota_usage(self, project_id, resource):
        """(in use, reserved) of one quota resource of a project."""
        usage = self.admin_quotas_client.show_quota_set(
            project_id, params={'usage': True})['quota_set'][resource]
        return usage['in_use'], usage['reserved']
