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

"""Backend snapshot references: their shape, and what a backend holds."""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.volume.drivers import lvm
import jsonschema

from cinder_snapext import exception

# A reference names the backend object by name or by backend id (a bare
# string, as the spec writes it, is a name); drivers may add keys. The
# API's manage body and the volume service both read it with this schema.
_reference_text = {'type': 'string', 'minLength': 1, 'maxLength': 255}
SCHEMA = {
    'type': 'object',
    'properties': {
        'source-name': _reference_text,
        'source-id': _reference_text,
    },
    'anyOf': [{'required': ['source-name']}, {'required': ['source-id']}],
}

_reference_validator = jsonschema.Draft4Validator(SCHEMA)


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


def backend_names(snapshot):
    """Names under which drivers keep a Cinder snapshot on the backend."""
    names = {snapshot.name, '_' + snapshot.name}
    if snapshot.provider_id:
        names.add(snapshot.provider_id)
    return names


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
