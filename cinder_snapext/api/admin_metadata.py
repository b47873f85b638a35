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

"""API to a snapshot's admin metadata, for operators."""

from http import HTTPStatus

from cinder.api.openstack import wsgi
from cinder.api import validation
from cinder import objects as cinder_objects

from cinder_snapext.api import ids
from cinder_snapext.api import schemas
from cinder_snapext.api import version_header
from cinder_snapext import exception
from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext import policies

_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList

# cinder-snapext's own keys (the assisted-snapshot phase machine's) all
# start with this: an operator's write there would corrupt a phase that
# a volume service is driving, so the API refuses it.
RESERVED_PREFIX = 'snapext:'


class SnapshotAdminMetadataController(wsgi.Controller):
    """``/snapshots/{snapshot_id}/snapext-admin-metadata[/{key}]``."""

    def _authorize(self, req, snapshot_id,
                   action=policies.ADMIN_METADATA_GET):
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level.
        snapshot = cinder_objects.Snapshot.get_by_id(
            context, ids.snapshot_id(snapshot_id))
        policies.authorize(context, action, target_obj=snapshot)
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

    @version_header.checked
    @validation.schema(schemas.admin_metadata_set)
    def create(self, req, snapshot_id, body):
        """Set the keys of the body, keep the others; answer all of them.

        .. code-block:: json

            {"admin_metadata": {"key": "value"}}
        """
        context = self._authorize(req, snapshot_id,
                                  policies.ADMIN_METADATA_UPDATE)
        metadata = body['admin_metadata']
        _refuse_reserved(metadata)
        updated = _MetadataList.set_for_snapshot(context, snapshot_id,
                                                 metadata)
        return {'admin_metadata': updated.to_dict()}

    @version_header.checked
    @validation.schema(schemas.admin_metadata_meta)
    def update(self, req, snapshot_id, id, body):
        """Set the one key of the URL: ``{"meta": {"<key>": "value"}}``."""
        context = self._authorize(req, snapshot_id,
                                  policies.ADMIN_METADATA_UPDATE)
        key = ids.metadata_key(snapshot_id, id)
        meta = body['meta']
        if key not in meta:
            raise exception.InvalidSnapshotAdminMetadata(
                reason='the body sets %s, not %s, the key of the URL'
                       % (ids.shown(next(iter(meta))), ids.shown(key)))
        _refuse_reserved(meta)
        _MetadataList.set_for_snapshot(context, snapshot_id, meta)
        return {'meta': meta}

    @wsgi.response(HTTPStatus.NO_CONTENT)
    @version_header.checked
    def delete(self, req, snapshot_id, id):
        """Delete one key; 404 if the snapshot has no such key."""
        context = self._authorize(req, snapshot_id,
                                  policies.ADMIN_METADATA_DELETE)
        key = ids.metadata_key(snapshot_id, id)
        _refuse_reserved([key])
        _MetadataList.delete_for_snapshot(context, snapshot_id, key)


def _refuse_reserved(keys):
    reserved = sorted(key for key in keys if key.startswith(RESERVED_PREFIX))
    if reserved:
        raise exception.InvalidSnapshotAdminMetadata(
            reason='%s: keys starting with %s are cinder-snapext\'s own '
                   'state, which only its services change'
                   % (', '.join(ids.shown(k) for k in reserved),
                      RESERVED_PREFIX))
