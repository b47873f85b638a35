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

"""Nova's snapshot status callback, with the spec's compute_snapshot_status."""

from cinder.api.contrib import snapshot_actions
from cinder.api.openstack import wsgi

from cinder_snapext.internals import api as internal_api
from cinder_snapext.volume.assisted import callback
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume import rpcapi

_ACTION = 'os-update_snapshot_status'


class SnapshotStatusController(wsgi.Controller):
    """``POST /snapshots/{id}/action {"os-update_snapshot_status": ...}``.

    Accepts the spec's ``compute_snapshot_status`` beside Cinder's
    ``status`` and ``progress``, lets Cinder's own handler check and make
    the status transition, then wakes the volume service that waits for
    the compute service. Nova's legacy body (status + ``progress: 90%``)
    means the same and works as before.
    """

    def __init__(self):
        super().__init__()
        self.cinder_actions = snapshot_actions.SnapshotActionsController()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    @wsgi.extends(action=_ACTION)
    def update_snapshot_status(self, req, id, body):
        """Take compute_snapshot_status out before Cinder's schema sees it.

        .. code-block:: json

            {"os-update_snapshot_status": {
                "status": "creating",
                "progress": "90%",
                "compute_snapshot_status": "creating_compute_complete"}}

        Allowed values, each with the one status it goes with:
        ``creating_compute_complete`` (creating),
        ``creating_compute_error`` (error), ``delete_compute_complete``
        (deleting) and ``delete_compute_error`` (error_deleting).
        """
        update = body.get(_ACTION)
        compute_status = None
        if isinstance(update, dict) and 'compute_snapshot_status' in update:
            compute_status = update.pop('compute_snapshot_status')
            phases.check_compute_status(compute_status, update.get('status'))
        # Cinder's handler answers with a bare webob Response, and Cinder
        # never resumes an extension after its yield for such an answer:
        # run the handler (its schema, policy and transitions) here, and
        # return its answer in its place.
        response = internal_api.update_snapshot_status(
            self.cinder_actions, req, id, body)
        self._report(req.environ['cinder.context'], id, update,
                     compute_status)
        yield response

    def _report(self, context, snapshot_id, update, compute_status):
        """Record what the compute service said; wake a waiting phase."""
        host = callback.record_report(context, snapshot_id,
                                      update['status'], update.get('progress'),
                                      compute_status)
        if host is not None:
            self.rpcapi.continue_assisted_snapshot(context, snapshot_id, host)
