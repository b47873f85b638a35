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

"""Where a backup's data sits on RBD, and whether a differential can use it."""

import collections
import json
import re

from cinder.backup.drivers import ceph as cinder_ceph

# Cinder's own naming of a backup's point in time: restore finds a
# backup's data by this name on its base image.
_BACKUP_SNAP = re.compile(
    cinder_ceph.CephBackupDriver.backup_snapshot_name_pattern())

DIFFERENTIAL = 'differential'
FULL = 'full'

# Why a differential was not possible: a short code for service_metadata
# (Cinder's column holds 255 characters) and the full reason for the log.
SOURCE_POINT_GONE = 'parent-data-gone-from-volume'
PARENT_IMAGE_GONE = 'parent-image-gone'
NO_RESTORE_POINT = 'parent-without-restore-point'
CLONE_FAILED = 'clone-failed'

Plan = collections.namedtuple(
    'Plan', 'mode from_snap parent_image parent_snap reason code')


def backup_snaps(snap_names, backup_id):
    """Every snapshot among snap_names named for backup_id's point."""
    return [name for name in snap_names
            if (m := _BACKUP_SNAP.match(name)) and m.group(1) == backup_id]


def backup_snap(snap_names, backup_id):
    """The snapshot holding backup_id's point among snap_names, or None.

    More than one would be ambiguous: Cinder refuses such a base too.
    """
    found = backup_snaps(snap_names, backup_id)
    return found[0] if len(found) == 1 else None


def parent_source_snap(parent_id, parent_snapshot_name, source_snaps):
    """The snapshot of the source image that holds the parent's data.

    A backup of a Cinder snapshot holds that snapshot's data; a backup of
    the volume made through RBD left a ``backup.<id>.snap.<ts>`` snapshot
    on the volume. Either may be gone since (snapshot deleted, or pruned
    by ``backup_ceph_max_snapshots``).
    """
    if parent_snapshot_name:
        return (parent_snapshot_name
                if parent_snapshot_name in source_snaps else None)
    return backup_snap(source_snaps, parent_id)


def plan(parent_id, from_snap, parent_image, parent_image_snaps):
    """Differential against the parent when both of its points exist.

    :param parent_id: the parent Cinder chose, or None for a full backup.
    :param from_snap: the parent's point on the source image, or None.
    :param parent_image: the parent's base image in the backup pool.
    :param parent_image_snaps: that image's snapshots, None if it is gone.
    """
    if parent_id is None:
        return Plan(FULL, None, None, None, None, None)
    if from_snap is None:
        return fallback(SOURCE_POINT_GONE,
                        'the source volume no longer holds the data of '
                        'parent backup %s (its snapshot was deleted or '
                        'pruned)' % parent_id)
    if parent_image_snaps is None:
        return fallback(PARENT_IMAGE_GONE,
                        'the base image %s of parent backup %s is missing '
                        'from the backup pool' % (parent_image, parent_id))
    parent_snap = backup_snap(parent_image_snaps, parent_id)
    if parent_snap is None:
        return fallback(NO_RESTORE_POINT,
                        'parent backup %s has no restore point on %s (a '
                        'full copy made by a driver without differential '
                        'backups)' % (parent_id, parent_image))
    return Plan(DIFFERENTIAL, from_snap, parent_image, parent_snap, None,
                None)


def fallback(code, reason):
    """A full backup where an incremental was asked for."""
    return Plan(FULL, None, None, None, reason, code)


def service_metadata(base, mode, moved, code=None):
    """The backup's service_metadata: Cinder's ``base`` and how we made it.

    Cinder reads only ``base``; ``snapext`` tells an operator whether the
    backup is a differential, how many bytes it moved and, for a fallback,
    why (a code: the column holds 255 characters; the log has the rest).
    """
    record = {'mode': mode, 'bytes': moved}
    if code:
        record['fallback'] = code
    return json.dumps({'base': base, 'snapext': record},
                      separators=(',', ':'))


def made_by_us(service_metadata):
    """Whether a backup's service_metadata is the one service_metadata wrote.

    Only such a backup has an image of its own whose head is the backup's
    data until an incremental of Cinder's imports a diff into it, and
    SnapextCephBackupDriver takes the restore point before that: so the
    point may be taken after the backup.
    """
    try:
        return 'snapext' in json.loads(service_metadata or '')
    except (TypeError, ValueError):
        return False
