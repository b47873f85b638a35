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

"""Ids and names from a URL or body, checked before any query uses them.

A value that cannot be an id of Cinder's gets the answer Cinder gives an
unknown id (404), here, before it reaches the database: PostgreSQL refuses
a NUL character in a query with a server error, not an empty result.
"""

from cinder import exception as cinder_exception
from oslo_utils import uuidutils

from cinder_snapext import exception


def volume_id(value):
    """``value`` if it can be a volume's id, else VolumeNotFound."""
    if not uuidutils.is_uuid_like(value):
        raise cinder_exception.VolumeNotFound(volume_id=shown(value))
    return value


def snapshot_id(value):
    """``value`` if it can be a snapshot's id, else SnapshotNotFound."""
    if not uuidutils.is_uuid_like(value):
        raise cinder_exception.SnapshotNotFound(snapshot_id=shown(value))
    return value


def backup_id(value):
    """``value`` if it can be a backup's id, else BackupNotFound."""
    if not uuidutils.is_uuid_like(value):
        raise cinder_exception.BackupNotFound(backup_id=shown(value))
    return value


def metadata_key(snapshot, value):
    """``value`` if it can be a key, else SnapshotAdminMetadataNotFound."""
    if not isinstance(value, str) or not 0 < len(value) <= 255 or any(
            ord(c) < 32 for c in value):
        raise exception.SnapshotAdminMetadataNotFound(
            snapshot_id=snapshot, key=shown(value))
    return value


def shown(value):
    """``value`` fit to echo in a message: no control character."""
    return ''.join(c if ord(c) >= 32 else '?' for c in str(value))[:255]
