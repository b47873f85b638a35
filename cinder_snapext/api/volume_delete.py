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

"""Volume deletes refused while exported snapshots remain on the backend."""

from cinder.api.openstack import wsgi
from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder import volume as cinder_volume
from oslo_config import cfg
from oslo_utils import strutils
from oslo_utils import uuidutils

from cinder_snapext.api import ids
from cinder_snapext import exception
from cinder_snapext.objects import snapshot_export

CONF = cfg.CONF


def refuse_if_exported(context, volume_ids, authorize):
    """VolumeHasUnmanagedSnapshots if any of the volumes has exports.

    One indexed read of snapext_snapshot_exports, which the volume services
    keep (every unmanage, whatever its route): no volume service is asked,
    so a delete never waits on one. ``authorize(volume_id)`` must raise
    for a volume the caller may not see before its exports are named.
    """
    if not CONF.snapext.refuse_volume_delete_with_exported_snapshots:
        return
    volume_ids = [v for v in volume_ids if uuidutils.is_uuid_like(v)]
    if not volume_ids:
        return
    found = snapshot_export.SnapextSnapshotExportList.get_all_by_volumes(
        context, volume_ids).names_by_volume()
    for volume_id, names in found.items():
        authorize(volume_id)
        raise exception.VolumeHasUnmanagedSnapshots(
            volume_id=volume_id, snapshots=', '.join(names))


class VolumeDeleteGuardController(wsgi.Controller):
    """Checks before Cinder's on every route that removes a volume's data.

    After an export, the volume's snapshots stay on the backend. Deleting
    the volume then fails in some drivers, trashes the image with its
    snapshots in others, and for an encrypted volume Cinder would already
    have deleted the key. Refusing first keeps everything intact, on
    ``DELETE /volumes/{id}`` (``cascade`` and ``force`` too),
    ``os-force_delete``, and the moves that delete the source afterwards
    (``os-migrate_volume``, ``os-retype`` that may migrate).
    """

    def __init__(self):
        super().__init__()
        self.volume_api = cinder_volume.API()

    def _refuse(self, req, id):
        ids.volume_id(id)
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level
        refuse_if_exported(context, [id],
                           lambda v: self.volume_api.get(context, v))

    @wsgi.extends
    def delete(self, req, id):
        self._refuse(req, id)
        yield

    @wsgi.extends(action='os-force_delete')
    def _force_delete(self, req, id, body):
        self._refuse(req, id)
        yield

    @wsgi.extends(action='os-migrate_volume')
    def _migrate_volume(self, req, id, body):
        self._refuse(req, id)
        yield

    @wsgi.extends(action='os-retype')
    def _retype(self, req, id, body):
        params = body.get('os-retype') if isinstance(body, dict) else None
        # Cinder validates the body; only a retype allowed to migrate moves
        # the data (and deletes the source).
        if (isinstance(params, dict)
                and params.get('migration_policy') == 'on-demand'):
            self._refuse(req, id)
        yield


class GroupDeleteGuardController(wsgi.Controller):
    """The same refusal for a group deleted with its volumes."""

    @wsgi.extends(action='delete')
    def delete_group(self, req, id, body):
        params = body.get('delete') if isinstance(body, dict) else None
        if isinstance(params, dict) and _is_true(
                params.get('delete-volumes', False)):
            _refuse_for_group(req, id, 'Group', 'get_all_by_generic_group')
        yield


class ConsistencyGroupDeleteGuardController(wsgi.Controller):
    """And for a consistency group deleted with ``force``."""

    # body=None: without a body Cinder passes none; answer that
    # here, not with a TypeError that Cinder logs, nor with the 500
    # of Cinder's own validation.
    @wsgi.extends
    def delete(self, req, id, body=None):
        if body is None:
            raise cinder_exception.ValidationError(
                detail='The request has no body.')
        params = (body.get('consistencygroup')
                  if isinstance(body, dict) else None)
        if isinstance(params, dict) and _is_true(params.get('force', False)):
            _refuse_for_group(req, id, 'ConsistencyGroup',
                              'get_all_by_group')
        yield


_ID_FIELDS = {'Group': 'group_id', 'ConsistencyGroup': 'consistencygroup_id'}


def _is_true(value):
    # Cinder's schema accepts booleans and their string forms; anything
    # else it refuses itself, after us.
    return strutils.bool_from_string(value, default=False)


def _refuse_for_group(req, group_id, group_class, listing):
    if not uuidutils.is_uuid_like(group_id):
        # Cinder's 404, as for an unknown group.
        raise getattr(cinder_exception, group_class + 'NotFound')(
            **{_ID_FIELDS[group_class]: ids.shown(group_id)})
    context = req.environ['cinder.context']
    try:
        # Scoped to the caller's project: a group it cannot see is left to
        # Cinder's own 404.
        getattr(cinder_objects, group_class).get_by_id(context, group_id)
    except cinder_exception.NotFound:
        return
    volumes = getattr(cinder_objects.VolumeList, listing)(context, group_id)
    refuse_if_exported(context, [v.id for v in volumes], lambda v: None)
