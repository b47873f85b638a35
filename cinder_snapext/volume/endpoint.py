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

"""Server side of the 'snapext' RPC namespace, served next to the manager."""

import oslo_messaging as messaging

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.volume.assisted import slots
from cinder_snapext.volume import rpcapi
from cinder_snapext.volume import snapshot_reference

FEATURES = ('snapshot_admin_metadata', 'check_snapshot_reference',
            'get_snapshot_reference', 'get_unmanaged_snapshots',
            'assisted_snapshots', 'backup_source', 'sync_snapshot_exports')


class SnapextVolumeEndpoint:
    """RPC methods of cinder-snapext, in a namespace of their own.

    Cinder's service serves ``manager.additional_endpoints`` on the same
    topics as the manager, so these calls reach the same host@backend
    without any change to Cinder's RPC_API_VERSION.
    """

    target = messaging.Target(namespace=rpcapi.NAMESPACE,
                              version=rpcapi.SnapextVolumeAPI.RPC_API_VERSION)

    def __init__(self, manager):
        self.manager = manager

    def get_capabilities(self, context):
        return {'rpc_version': self.target.version,
                'host': self.manager.host,
                'features': list(FEATURES)}

    def update_snapshot_admin_metadata(self, context, snapshot, metadata,
                                       delete=False):
        snapshot_admin_metadata.SnapextSnapshotAdminMetadataList.\
            set_for_snapshot(context, snapshot.id, metadata, delete=delete)

    def check_snapshot_reference(self, context, volume, ref):
        return snapshot_reference.inspect_on_backend(
            context, self.manager.driver, volume, ref)

    def get_snapshot_reference(self, context, snapshot):
        return snapshot_reference.backend_reference(self.manager.driver,
                                                    snapshot)

    def get_unmanaged_snapshots(self, context, volume):
        return snapshot_reference.unmanaged_snapshots(
            context, self.manager.driver, volume)

    def get_backup_source(self, context, snapshot):
        """Where a backup service can read ``snapshot`` itself (1.3)."""
        source = getattr(self.manager.driver, 'snapext_backup_source', None)
        return source(snapshot) if source else None

    def sync_snapshot_exports(self, context):
        """Record the backend's exports (1.4); counts, or None if unknown."""
        return self.manager.sync_snapshot_exports(context)

    def continue_assisted_snapshot(self, context, snapshot=None,
                                   snapshot_id=None):
        """The compute service reported on a snapshot: act on it.

        1.1 clients send the Snapshot, 1.2 clients only its id.
        """
        snapshot_id = snapshot_id or snapshot.id
        with slots.process_slots().held('Compute report on snapshot %s'
                                        % snapshot_id, first=True):
            self.manager.assisted.continue_phase(context, snapshot_id)
