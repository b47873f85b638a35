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

"""SnapextBackupAPI: Cinder's backup API, refusing what it would botch."""

from cinder.backup import api as backup_api
from cinder.policies import backups as backup_policy
from oslo_config import cfg

from cinder_snapext.backup import parent
from cinder_snapext.backup import verify_mark
from cinder_snapext import exception
from cinder_snapext.internals import backup as internal_backup

CONF = cfg.CONF


class SnapextBackupAPI(backup_api.API):
    """Set as ``[DEFAULT] backup_api_class``.

    When no backup predates the snapshot, Cinder 29 still takes a newer
    one as the incremental parent, and a legacy row without data time makes
    it fail after reserving quota. With no backup service up, Cinder 29
    accepts the request and its scheduler then fails it, leaving a
    snapshot in ``backing-up`` and setting the volume's status to its
    ``previous_status``, which may be empty. Both checks run first, so a
    refusal leaves quota, rows and statuses untouched; otherwise Cinder
    chooses as we would.
    """

    def create(self, context, name, description, volume_id, container,
               incremental=False, availability_zone=None, force=False,
               snapshot_id=None, metadata=None):
        # Cinder moves the volume to 'backing-up' and reserves quota
        # before its row insert meets such text (PostgreSQL refuses a
        # NUL): the volume would stay 'backing-up'. Refuse it first.
        _refuse_nul(name=name, description=description, container=container,
                    availability_zone=availability_zone,
                    metadata=metadata)
        volume = self.volume_api.get(context, volume_id)
        context.authorize(backup_policy.CREATE_POLICY, target_obj=volume)
        if incremental:
            snapshot = None
            if snapshot_id:
                snapshot = self.volume_api.get_snapshot(context, snapshot_id)
            # A snapshot of another volume is Cinder's to refuse.
            if snapshot is None or snapshot.volume_id == volume.id:
                parent.check_incremental_parent(context, volume, snapshot)
        self._require_backup_service(availability_zone, volume_id,
                                     snapshot_id)
        return super().create(context, name, description, volume_id,
                              container, incremental=incremental,
                              availability_zone=availability_zone,
                              force=force, snapshot_id=snapshot_id,
                              metadata=metadata)

    def delete(self, context, backup, force=False):
        # A delete under a running verify makes its reads fail or return
        # zeros: the verify would have to guess. Refused until the verify
        # is done or its mark is stale; the service side still tells a
        # vanished backup from a mismatch should one slip through.
        context.authorize(backup_policy.DELETE_POLICY, target_obj=backup)
        since = verify_mark.since(backup)
        if since is not None:
            raise exception.BackupBeingVerified(
                backup_id=backup.id, since=since.isoformat(),
                timeout=CONF.snapext.backup_verify_timeout)
        return super().delete(context, backup, force=force)

    def _require_backup_service(self, availability_zone, volume_id,
                                snapshot_id):
        # The scheduler may still find none a moment later (the service
        # dies in between); that rare race keeps Cinder's handling.
        if internal_backup.any_available_backup_service(self,
                                                        availability_zone):
            return
        source = ('snapshot %s' % snapshot_id if snapshot_id
                  else 'volume %s' % volume_id)
        where = (' in availability zone %s' % availability_zone
                 if availability_zone else '')
        raise exception.NoBackupServiceUp(where=where, source=source)


def _refuse_nul(**fields):
    for field, value in fields.items():
        texts = ([value] if isinstance(value, str) else
                 [str(v) for item in value.items() for v in item]
                 if isinstance(value, dict) else [])
        if any('\x00' in text for text in texts):
            raise exception.InvalidBackupText(field=field)
