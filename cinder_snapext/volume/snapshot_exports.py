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

"""Keeps snapext_snapshot_exports true to what the backends hold.

Runs on the volume service, which alone sees every unmanage (whatever
route or client asked for it), every import and the backend itself. The
API then refuses volume deletes from the table, never asking a service.
"""

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from oslo_log import log as logging

from cinder_snapext.objects import snapshot_export
from cinder_snapext.volume import snapshot_reference

LOG = logging.getLogger(__name__)

_Export = snapshot_export.SnapextSnapshotExport
_Exports = snapshot_export.SnapextSnapshotExportList


def exported_name(driver, snapshot):
    """The backend name that ``snapshot`` keeps after an export."""
    return snapshot_reference.backend_reference(driver,
                                                snapshot)['source-name']


def is_live(context, snapshot_id):
    try:
        cinder_objects.Snapshot.get_by_id(context.elevated(), snapshot_id)
    except cinder_exception.SnapshotNotFound:
        return False
    return True


def reference_names(ref):
    """The backend names an import reference may have meant."""
    if not isinstance(ref, dict):
        ref = {'source-name': ref}
    return {name for name in (ref.get('source-name'), ref.get('source-id'))
            if isinstance(name, str)}


def sync_volume(context, driver, volume):
    """Record what the backend holds of ``volume`` and Cinder does not.

    Rows are added for unmanaged backend snapshots (exports made before
    cinder-snapext recorded them) and forgotten only when the name is gone
    from the backend altogether: an export under way is still on the
    backend, so a sync racing with it never drops its row.

    :returns: (added, forgotten) names, or None if the driver cannot list.
    """
    listing = getattr(driver, 'snapext_backend_snapshots', None)
    if listing is None:
        return None
    present = set(listing(volume))
    unmanaged = set(snapshot_reference.unmanaged_snapshots(
        context, driver, volume, present))
    return _Exports.sync_volume(context, volume.id, unmanaged, present)


def sync_volumes(context, driver, volumes):
    """sync_volume for each volume; one failing never stops the others.

    :returns: {'volumes': n, 'added': n, 'forgotten': n, 'failed': n}
    """
    counts = dict.fromkeys(('volumes', 'added', 'forgotten', 'failed'), 0)
    for volume in volumes:
        try:
            result = sync_volume(context, driver, volume)
        except Exception:
            # A backend that cannot list one image must not stop the rest;
            # the volume keeps the rows it had.
            LOG.exception('Could not list the backend snapshots of volume '
                          '%s.', volume.id)
            counts['failed'] += 1
            continue
        if result is None:
            return counts
        counts['volumes'] += 1
        added, forgotten = result
        counts['added'] += len(added)
        counts['forgotten'] += len(forgotten)
        if added or forgotten:
            LOG.info('Exported snapshots of volume %(id)s: recorded '
                     '%(added)s, forgot %(gone)s.',
                     {'id': volume.id, 'added': added, 'gone': forgotten})
    return counts
