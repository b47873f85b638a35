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

"""Keeps snapshot admin metadata in step with the life of its snapshot."""

from cinder import context as cinder_context
from oslo_log import log as logging

from cinder_snapext.objects import snapshot_admin_metadata

LOG = logging.getLogger(__name__)


class SnapshotAdminMetadataLifecycleMixin:
    """Soft-deletes admin metadata with the snapshot that owns it.

    Cinder's snapshot_destroy soft-deletes only its own snapshot metadata.
    Every manager path that destroys snapshots (API delete, unmanage,
    cascade, the backup manager's temporary snapshots, group snapshots) is
    followed here, and a sweep at start-up catches destroys made elsewhere,
    so 'cinder-manage db purge' finds our rows deleted with their snapshot.
    The foreign key cascades on delete, so purge is never blocked anyway.
    """

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        # Catch up on snapshots destroyed while this service was down or
        # outside the manager (the API's own rollbacks, for instance).
        self._soft_delete_admin_metadata(
            cinder_context.get_admin_context(), None)

    def delete_snapshot(self, context, snapshot, unmanage_only=False):
        result = super().delete_snapshot(context, snapshot,
                                         unmanage_only=unmanage_only)
        self._soft_delete_admin_metadata(context, [snapshot.id])
        return result

    def delete_group_snapshot(self, context, group_snapshot):
        snapshot_ids = [s.id for s in group_snapshot.snapshots]
        result = super().delete_group_snapshot(context, group_snapshot)
        self._soft_delete_admin_metadata(context, snapshot_ids)
        return result

    def _soft_delete_admin_metadata(self, context, snapshot_ids):
        try:
            snapshot_admin_metadata.SnapextSnapshotAdminMetadataList.\
                delete_for_destroyed(context, snapshot_ids)
        except Exception:
            # The snapshot is already gone; failing its delete now would
            # only confuse the user. The next start-up sweep retries.
            LOG.exception('Could not soft-delete admin metadata of '
                          'snapshots %s.', snapshot_ids)
