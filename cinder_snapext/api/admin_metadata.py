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

"""Read-only API to a snapshot's admin metadata, for operators."""

from cinder.api.openstack import wsgi
from cinder import objects as cinder_objects

from cinder_snapext.api import ids
from cinder_snapext.api import version_header
from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext import policies

_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


class SnapshotAdminMetadataController(wsgi.Controller):
    """``/snapshots/{snapshot_id}/snapext-admin-metadata[/{key}]``."""

    def _authorize(self, req, snapshot_id):
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level.
        snapshot = cinder_objects.Snapshot.get_by_id(
            context, ids.snapshot_id(snapshot_id))
        policies.authorize(context, policies.ADMIN_METADATA_GET,
                           target_obj=snapshot)
        return context

    @version_header.checked
    def index(self, req, snapshot_id):
        """All live admin metadata of a snapshot.

        .. code-block:: json

            {"admin_metadata": {"key": "value"}}
        """
        context = self._authorize(req, snapshot_id)
        metadata = _MetadataList.get_by_snapshot(context, snapshot_id)
        return {'admin_metadata': metadata.to_dict()}

    @version_header.checked
    def show(self, req, snapshot_id, id):
        """One key, in the shape of Cinder's snapshot metadata ``meta``."""
        context = self._authorize(req, snapshot_id)
        item = snapshot_admin_metadata.SnapextSnapshotAdminMetadata.\
            get_by_key(context, snapshot_id, ids.metadata_key(snapshot_id, id))
        return {'meta': {item.key: item.value}}
