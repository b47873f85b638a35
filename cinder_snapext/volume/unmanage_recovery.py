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

"""Snapshots an interrupted unmanage left ``unmanaging`` become available.

Cinder's API sets ``unmanaging`` and casts to the volume service, which
removes the row. When the service dies or the database goes away in
between, nothing in Cinder changes the status again: the snapshot can be
neither used nor deleted without an admin's reset-state. Every driver of
cinder-snapext leaves the backend as it was on unmanage (it only logs
where the data stays), so such a snapshot is still whole and managed:
``available`` is the truth, and the user can ask for the export again.
"""

from cinder.message import message_field
from cinder import objects as cinder_objects
from cinder.objects import fields
from cinder.volume import volume_utils
from oslo_log import log as logging
from oslo_utils import timeutils

from cinder_snapext.volume.assisted import messages

LOG = logging.getLogger(__name__)

UNMANAGING = fields.SnapshotStatus.UNMANAGING
#: Seconds after which an unmanage that no thread of this service runs
#: counts as interrupted: a running one (a log line in the driver, quota
#: and the row in Cinder) takes well under this, and a cast still queued
#: for a service that just started may be that old too.
MIN_AGE = 60


def _ours(volume, host, cluster):
    # A member of a cluster answers for every volume of the cluster: the
    # member that was unmanaging may never come back.
    if cluster:
        return (volume_utils.extract_host(volume.cluster_name, 'backend') ==
                volume_utils.extract_host(cluster, 'backend'))
    return (volume_utils.extract_host(volume.host, 'backend') ==
            volume_utils.extract_host(host, 'backend'))


def interrupted(context, host, cluster, in_flight, min_age=MIN_AGE):
    """Snapshots of host's (or cluster's) volumes left ``unmanaging``.

    Leaves out those in ``in_flight`` (ids this service is unmanaging) and
    those changed less than ``min_age`` seconds ago.
    """
    now = timeutils.utcnow()
    found = []
    # Rare (an unmanage takes a moment): all of them, then ours.
    for snapshot in cinder_objects.SnapshotList.get_all(
            context, filters={'status': UNMANAGING}):
        if snapshot.id in in_flight or not _ours(snapshot.volume, host,
                                                  cluster):
            continue
        changed = snapshot.updated_at or snapshot.created_at
        if changed is not None and (
                now - changed.replace(tzinfo=None)).total_seconds() < min_age:
            continue
        found.append(snapshot)
    return found


def release(snapshot):
    """``unmanaging`` back to ``available``; False if it changed meanwhile."""
    if not snapshot.conditional_update(
            {'status': fields.SnapshotStatus.AVAILABLE},
            {'status': UNMANAGING}):
        return False
    LOG.warning('The unmanage of this snapshot was interrupted (its volume '
                'service or the database went away); it is available and '
                'managed again, and can be unmanaged again.',
                resource=snapshot)
    return True


def tell_owner(message_api, context, snapshot):
    """A user message in the snapshot's project: its unmanage did not end.

    The action and detail Cinder's own volume manager writes when an
    unmanage fails, so the user reads one story whichever process ended it.
    """
    message_api.create(
        messages.owner_context(context, snapshot),
        action=message_field.Action.SNAPSHOT_DELETE,
        resource_type=message_field.Resource.VOLUME_SNAPSHOT,
        resource_uuid=snapshot.id,
        detail=message_field.Detail.SNAPSHOT_DELETE_ERROR)
