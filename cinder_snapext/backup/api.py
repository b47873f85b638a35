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

"""SnapextBackupAPI: Cinder's backup API, refusing a wrong parent."""

from cinder.backup import api as backup_api
from cinder.policies import backups as backup_policy

from cinder_snapext.backup import parent


class SnapextBackupAPI(backup_api.API):
    """Set as ``[DEFAULT] backup_api_class``.

    When no backup predates the snapshot, Cinder 29 still takes a newer
    one as the incremental parent, and a legacy row without data time makes
    it fail after reserving quota. The check runs first, so a refusal
    leaves quota and rows untouched; otherwise Cinder chooses as we would.
    """

    def create(self, context, name, description, volume_id, container,
               incremental=False, availability_zone=None, force=False,
               snapshot_id=None, metadata=None):
        if incremental:
            volume = self.volume_api.get(context, volume_id)
            context.authorize(backup_policy.CREATE_POLICY, target_obj=volume)
            snapshot = None
            if snapshot_id:
                snapshot = self.volume_api.get_snapshot(context, snapshot_id)
            # A snapshot of another volume is Cinder's to refuse.
            if snapshot is None or snapshot.volume_id == volume.id:
                parent.check_incremental_parent(context, volume, snapshot)
        return super().create(context, name, description, volume_id,
                              container, incremental=incremental,
                              availability_zone=availability_zone,
                              force=force, snapshot_id=snapshot_id,
                              metadata=metadata)
