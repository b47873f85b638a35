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

"""The parent of an incremental backup, chosen by data time in one query."""

from cinder_snapext.db import backups
from cinder_snapext import exception


def check_incremental_parent(context, volume, snapshot=None):
    """The parent an incremental backup must get, or a clear refusal.

    The parent is the newest available backup of the volume, in the
    caller's project, whose data is strictly older than the snapshot (any
    age for a backup of the volume itself).

    :raises IncrementalBackupParentMissing: no backup qualifies; the error
        names the newest candidate, so the caller sees why.
    """
    backups.fill_missing_data_timestamps(context, volume.id)
    before = snapshot.created_at if snapshot is not None else None
    parent = backups.newest_available(context, volume.id, context.project_id,
                              before)
    if parent is not None:
        return parent
    newest = backups.newest_available(context, volume.id, context.project_id)
    if newest is None:
        candidate = 'the volume has no available backup in this project'
    else:
        candidate = ('the newest available backup, %s, holds data from %s'
                     % (newest.id, newest.data_timestamp))
    if snapshot is None:
        raise exception.IncrementalBackupParentMissing(
            volume_id=volume.id, reason=candidate)
    raise exception.IncrementalBackupParentMissing(
        volume_id=volume.id,
        reason='no backup predates snapshot %s (taken %s): %s' % (
            snapshot.id, snapshot.created_at, candidate))
