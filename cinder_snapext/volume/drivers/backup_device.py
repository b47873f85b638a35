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

"""The device a backup reads, and its source given back when none comes."""

from cinder import objects
from cinder.objects import fields
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import excutils

from cinder_snapext import opts

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Cinder's backups.fail_reason column holds 255 characters.
FAIL_REASON_LENGTH = 255


class SnapextBackupDeviceMixin:
    """get_backup_device of cinder-snapext's volume drivers.

    A driver that exports its snapshots itself sets
    ``snapext_exports_snapshots``; Cinder then attaches a snapshot being
    backed up directly instead of a temporary volume made from it.
    """

    def get_backup_device(self, context, backup):
        try:
            if (backup.snapshot_id
                    and getattr(self, 'snapext_exports_snapshots', False)
                    and CONF[opts.GROUP].backup_snapshot_in_place):
                snapshot = objects.Snapshot.get_by_id(context,
                                                      backup.snapshot_id)
                return snapshot, True
            return super().get_backup_device(context, backup)
        except Exception as e:
            with excutils.save_and_reraise_exception():
                release_backup_source(context, backup, e)


def release_backup_source(context, backup, error):
    """Fail the backup and give its snapshot or volume back.

    The volume service is asked for the device in a cast that nobody
    answers on failure: in Cinder 29 the backup stays ``creating`` and its
    snapshot or volume ``backing-up`` until cinder-backup restarts. Each
    update applies only to the state the backup request left, so a user's
    or operator's change since then wins.
    """
    reason = ('the volume service could not provide a device to back up: '
              '%s' % error)[:FAIL_REASON_LENGTH]
    LOG.error('Backup %(backup)s failed: %(reason)s',
              {'backup': backup.id, 'reason': reason})
    if backup.snapshot_id:
        snapshot = objects.Snapshot.get_by_id(context, backup.snapshot_id)
        snapshot.conditional_update(
            {'status': fields.SnapshotStatus.AVAILABLE},
            {'status': fields.SnapshotStatus.BACKING_UP})
    else:
        volume = objects.Volume.get_by_id(context, backup.volume_id)
        # As cinder-backup does when a backup of a volume fails.
        volume.conditional_update(
            {'status': volume.previous_status,
             'previous_status': 'error_backing-up'},
            {'status': fields.VolumeStatus.BACKING_UP})
    backup.conditional_update(
        {'status': fields.BackupStatus.ERROR, 'fail_reason': reason},
        {'status': fields.BackupStatus.CREATING})
