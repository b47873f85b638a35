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

"""Snapshot create/delete refused while an assisted phase holds the volume."""

from cinder.api.openstack import wsgi
from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from oslo_utils import uuidutils

from cinder_snapext.api import ids
from cinder_snapext import exception
from cinder_snapext.volume.assisted import phases


class AssistedSnapshotGuardController(wsgi.Controller):
    """Checks on ``POST /snapshots`` and ``DELETE /snapshots/{id}``.

    While Nova works on an assisted snapshot, a second snapshot operation
    on the same volume would interleave with its overlay chain. The volume
    service refuses it in any case (the recorded phase guards it); this
    answers 409 at once instead of accepting a request that then fails.
    """

    # body=None: without a body Cinder passes none; answer that
    # here, not with a TypeError that Cinder logs, nor with the 500
    # of Cinder's own validation.
    @wsgi.extends
    def create(self, req, body=None):
        if body is None:
            raise cinder_exception.ValidationError(
                detail='The request has no body.')
        snapshot = body.get('snapshot') if isinstance(body, dict) else None
        if isinstance(snapshot, dict) and uuidutils.is_uuid_like(
                snapshot.get('volume_id')):
            _refuse_while_open(req.environ['cinder.context'],
                               snapshot['volume_id'])
        # Cinder validates the body and answers for the volume.
        yield

    @wsgi.extends
    def delete(self, req, id):
        context = req.environ['cinder.context']
        # An id that cannot exist is answered here, as Cinder answers an
        # unknown one: Cinder's own query would fail on a NUL in it.
        ids.snapshot_id(id)
        try:
            snapshot = cinder_objects.Snapshot.get_by_id(context, id)
        except cinder_exception.SnapshotNotFound:
            snapshot = None
        if snapshot is not None:
            _refuse_while_open(context, snapshot.volume_id)
        yield


def _refuse_while_open(context, volume_id):
    busy = phases.find_open_phase(context, volume_id)
    if busy is not None:
        raise exception.AssistedSnapshotInProgress(
            volume_id=volume_id, snapshot_id=busy[0], phase=busy[1])
