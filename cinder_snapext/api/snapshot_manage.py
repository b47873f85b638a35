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

"""Snapshot import/export as the spec promises, on Cinder's own routes."""

from http import HTTPStatus

from cinder.api.contrib import snapshot_unmanage
from cinder.api import microversions as mv
from cinder.api.openstack import wsgi
from cinder.api import validation
from cinder.policies import manageable_snapshots as manage_policy
from cinder import volume as cinder_volume
import webob

from cinder_snapext.api import ids
from cinder_snapext.api import manage_checks
from cinder_snapext.api import schemas
from cinder_snapext.api import version_header
from cinder_snapext.internals import api as internal_api
from cinder_snapext.volume import rpcapi
from cinder_snapext.volume import services


class SnapshotManageController(wsgi.Controller):
    """Checks on ``os-snapshot-manage`` that must run before Cinder's own.

    Cinder accepts a manage request with 202 and lets the volume service
    discover a bad reference later, leaving an errored snapshot that holds
    quota. This pre-processing step refuses it while nothing exists yet.
    """

    def __init__(self):
        super().__init__()
        self.volume_api = cinder_volume.API()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    # Cinder's @validation.schema wrapper would hide that this is a
    # generator, which makes it a pre-processing extension: validate inline.
    # body=None: without a body Cinder passes no 'body' argument, and a
    # TypeError here would be logged with its traceback behind the 400.
    @wsgi.extends
    def create(self, req, body=None):
        """Accept the spec's ``host`` and refuse a bad ``ref`` at once.

        .. code-block:: json

            {"snapshot": {"volume_id": "<volume uuid>",
                          "ref": {"source-name": "<backend name>"},
                          "host": "<host or host@backend of the volume>"}}
        """
        # Cinder's schema forbids 'host': validate the whole body here,
        # then hand Cinder the body it knows.
        internal_api.validate(schemas.manage_snapshot, body)
        snapshot = body['snapshot']
        host = snapshot.pop('host', None)
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level
        volume = self.volume_api.get(context, snapshot['volume_id'])
        context.authorize(manage_policy.MANAGE_POLICY, target_obj=volume)
        snapshot['ref'] = manage_checks.validate_snapshot_reference(
            context, volume, snapshot['ref'], host, self.rpcapi)
        yield


class ManageableSnapshotsController(SnapshotManageController):
    """The same checks on ``POST /manageable_snapshots`` (3.8 and later).

    openstacksdk, and so the ``openstack`` CLI, import through this route
    whenever the cloud speaks 3.8; python-cinderclient through the one
    above. Below 3.8 the route does not exist: answer as Cinder does
    before doing anything.
    """

    @wsgi.extends
    def create(self, req, body=None):
        if not req.api_version_request.matches(mv.MANAGE_EXISTING_LIST,
                                               None):
            # Cinder's answer to a method missing at this version: a bare
            # 404 that says nothing more.
            raise wsgi.Fault(webob.exc.HTTPNotFound())
        yield from super().create(req, body)


class SnapshotExportController(snapshot_unmanage.SnapshotUnmanageController):
    """``POST /os-snapshot-manage/{id}/action {"os-unmanage": {}}``.

    The spec's export route, beside Cinder's ``snapshots/{id}/action``.
    The answer names the backend object, to import it with elsewhere.
    """

    def __init__(self):
        super().__init__()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    @wsgi.response(HTTPStatus.ACCEPTED)
    @wsgi.action('os-unmanage')
    @version_header.checked
    @validation.schema(schemas.unmanage_snapshot)
    def export(self, req, id, body):
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level
        snapshot = self.volume_api.get_snapshot(context, ids.snapshot_id(id))
        services.require_up(context, snapshot.volume)
        reference = self.rpcapi.get_snapshot_reference(context, snapshot)
        super().unmanage(req, id, body=body)
        return {'snapshot': {'id': snapshot.id,
                             'volume_id': snapshot.volume_id,
                             'status': 'unmanaging',
                             'reference': reference}}
