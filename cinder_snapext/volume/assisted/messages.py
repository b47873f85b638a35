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

"""The user messages that assisted snapshot phases leave, in Cinder's API."""

from cinder import context as cinder_context
from cinder.message import message_field

from cinder_snapext.volume.assisted import phases

_ACTIONS = {phases.CREATE: message_field.Action.SNAPSHOT_CREATE,
            phases.DELETE: message_field.Action.SNAPSHOT_DELETE}
_DETAILS = {phases.CREATE: message_field.Detail.SNAPSHOT_CREATE_ERROR,
            phases.DELETE: message_field.Detail.SNAPSHOT_DELETE_ERROR}


def owner_context(context, snapshot):
    """An admin context in the snapshot's project.

    User messages go to the project of the context they are written with;
    periodic and start-up checks run in an admin context without one.
    """
    if context.project_id == snapshot.project_id:
        return context
    return cinder_context.RequestContext(
        user_id=snapshot.user_id, project_id=snapshot.project_id,
        is_admin=True, overwrite=False)


def phase_failed(message_api, context, snapshot, operation, error=None):
    """The snapshot's create or delete failed (``error``, if known)."""
    message_api.create(
        owner_context(context, snapshot), action=_ACTIONS[operation],
        resource_type=message_field.Resource.VOLUME_SNAPSHOT,
        resource_uuid=snapshot.id, exception=error,
        detail=_DETAILS[operation])


def delete_refused(message_api, context, snapshot, busy):
    """The snapshot's delete was refused by ``busy``; it stays usable."""
    message_api.create(
        owner_context(context, snapshot),
        action=message_field.Action.SNAPSHOT_DELETE,
        resource_type=message_field.Resource.VOLUME_SNAPSHOT,
        resource_uuid=snapshot.id, exception=busy,
        detail=message_field.Detail.SNAPSHOT_IS_BUSY)
