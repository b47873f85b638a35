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

"""The checks of a manage request that cinder-api runs before any row."""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.volume import volume_utils
from oslo_log import log as logging
import oslo_messaging as messaging

from cinder_snapext import exception
from cinder_snapext.volume import services
from cinder_snapext.volume import snapshot_reference

LOG = logging.getLogger(__name__)


def check_host(volume, host):
    """Refuse a ``host`` that is not the volume's host, backend or pool."""
    if host is None:
        return
    for served in (volume.host, volume.cluster_name):
        if served and host in (served,
                               volume_utils.extract_host(served, 'host'),
                               volume_utils.extract_host(served, 'backend')):
            return
    raise exception.ManageHostMismatch(host=host, volume_id=volume.id,
                                       volume_host=volume.host)


def find_managed_snapshot(context, volume, ref):
    """The live Cinder snapshot of ``volume`` that ``ref`` names, if any."""
    wanted = {ref.get('source-name'), ref.get('source-id')} - {None}
    for snapshot in cinder_objects.SnapshotList.get_all_for_volume(
            context, volume.id):
        if wanted & snapshot_reference.backend_names(snapshot):
            return snapshot
    return None


def validate_snapshot_reference(context, volume, ref, host, rpcapi):
    """Everything that can refuse a manage request before any row exists.

    Checks the host, the reference's shape, that Cinder does not already
    manage it, that Cinder's service records show the volume's service up,
    and then asks that service whether the backend holds such a snapshot
    of this volume. A stock volume service (no snapext
    endpoint) cannot be asked: Cinder's later, asynchronous check remains.

    :returns: the normalized reference.
    """
    check_host(volume, host)
    ref = snapshot_reference.normalize(ref)
    managed = find_managed_snapshot(context, volume, ref)
    if managed is not None:
        raise exception.InvalidSnapshotReference(
            existing_ref=ref,
            reason='Cinder already manages it as snapshot %s' % managed.id)
    services.require_up(context, volume)
    try:
        result = rpcapi.check_snapshot_reference(context, volume, ref)
    except cinder_exception.ManageExistingInvalidReference as e:
        raise exception.InvalidSnapshotReference(
            existing_ref=ref, reason=e.kwargs.get('reason', e.msg)) from e
    except messaging.RemoteError as e:
        raise exception.SnapshotReferenceCheckFailed(
            host=volume.host, existing_ref=ref, reason=e.value) from e
    if result is None:
        LOG.warning('Volume service %s runs no snapext endpoint: reference '
                    '%s of volume %s is checked later, by Cinder.',
                    volume.host, ref, volume.id)
    return ref
