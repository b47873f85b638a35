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

"""Backend snapshot references: checked before Cinder creates any row."""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.volume.drivers import lvm
from cinder.volume import volume_utils
import jsonschema
from oslo_log import log as logging
import oslo_messaging as messaging

from cinder_snapext.api import schemas
from cinder_snapext import exception
from cinder_snapext.volume import services

LOG = logging.getLogger(__name__)

_reference_validator = jsonschema.Draft4Validator(schemas.snapshot_reference)


def normalize(ref):
    """The reference as a dict; InvalidSnapshotReference if malformed."""
    if isinstance(ref, str):
        ref = {'source-name': ref}
    error = jsonschema.exceptions.best_match(
        _reference_validator.iter_errors(ref))
    if error is not None:
        raise exception.InvalidSnapshotReference(
            existing_ref=ref,
            reason='a reference is {"source-name": <name>} or '
                   '{"source-id": <id>} (%s)' % error.message)
    return ref


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


def backend_names(snapshot):
    """Names under which drivers keep a Cinder snapshot on the backend."""
    names = {snapshot.name, '_' + snapshot.name}
    if snapshot.provider_id:
        names.add(snapshot.provider_id)
    return names


def find_managed_snapshot(context, volume, ref):
    """The live Cinder snapshot of ``volume`` that ``ref`` names, if any."""
    wanted = {ref.get('source-name'), ref.get('source-id')} - {None}
    for snapshot in cinder_objects.SnapshotList.get_all_for_volume(
            context, volume.id):
        if wanted & backend_names(snapshot):
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
    ref = normalize(ref)
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


def inspect_on_backend(context, driver, volume, ref):
    """Run on the volume service: the driver's verdict on ``ref``.

    Drivers check references in manage_existing_snapshot_get_size, which
    only reads; the snapshot passed in is transient and never saved.

    :returns: {'size': <GiB>}
    """
    transient = cinder_objects.Snapshot(context, volume_id=volume.id,
                                        volume=volume)
    try:
        size = driver.manage_existing_snapshot_get_size(transient, ref)
    except NotImplementedError as e:
        raise cinder_exception.ManageExistingInvalidReference(
            existing_ref=ref,
            reason='backend %s cannot manage existing snapshots'
                   % volume.host) from e
    return {'size': size}


def backend_reference(driver, snapshot):
    """Run on the volume service: how ``snapshot`` is named on the backend.

    This is the reference that imports it again after an export. Drivers
    that know better answer ``snapext_snapshot_reference``.
    """
    exact = getattr(driver, 'snapext_snapshot_reference', None)
    if exact is not None:
        return exact(snapshot)
    name = snapshot.name
    # LVM reserves LV names that start with 'snapshot'; Cinder's LVM
    # driver stores such snapshots with a leading underscore.
    if isinstance(driver, lvm.LVMVolumeDriver) and name.startswith(
            'snapshot'):
        name = '_' + name
    return {'source-name': name}


def unmanaged_snapshots(context, driver, volume, present=None):
    """Run on the volume service: backend snapshots Cinder does not manage.

    These are what an export leaves behind, and what makes deleting the
    volume fail (or, on some backends, lose them). Drivers that can list
    a volume's backend snapshots answer ``snapext_backend_snapshots``;
    ``present`` is that listing when the caller already has it.

    :returns: sorted names, or None when the driver cannot tell.
    """
    if present is None:
        listing = getattr(driver, 'snapext_backend_snapshots', None)
        if listing is None:
            return None
        present = listing(volume)
    managed = set()
    for snapshot in cinder_objects.SnapshotList.get_all_for_volume(
            context, volume.id):
        managed |= backend_names(snapshot)
        managed.add(backend_reference(driver, snapshot)['source-name'])
    return sorted(set(present) - managed)
