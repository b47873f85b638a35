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

"""Backups a dead backup service left mid-way, claimed by a live one."""

from cinder import context as cinder_context
from cinder.message import api as message_api
from cinder.message import message_field
from cinder import objects
from cinder.objects import fields
from cinder.volume import volume_utils
from oslo_log import log as logging

from cinder_snapext.internals import backup as backup_internals

LOG = logging.getLogger(__name__)

BINARY = 'cinder-backup'
# Cinder's own clean-up at start handles these for its host only; backups
# are not in the workers table, so 'cinder work-cleanup' never sees them.
TRANSITIONAL = (fields.BackupStatus.CREATING, fields.BackupStatus.RESTORING,
                fields.BackupStatus.DELETING)
_ACTIONS = {fields.BackupStatus.CREATING: message_field.Action.BACKUP_CREATE,
            fields.BackupStatus.RESTORING:
                message_field.Action.BACKUP_RESTORE,
            fields.BackupStatus.DELETING: message_field.Action.BACKUP_DELETE}


def down_peers(context, host, zone):
    """Hosts of the other backup services of zone whose heartbeat stopped.

    Down means no heartbeat for service_down_time, the test Cinder's API
    applies before it stops sending a service work (and, for new backups,
    the scheduler with SnapextHostManager).
    """
    services = objects.ServiceList.get_all_by_binary(context, BINARY)
    return sorted({s.host for s in services
                   if s.host != host and s.availability_zone == zone
                   and not s.is_up})


class TakeOver:
    """One live backup service's look for a dead peer's backups."""

    def __init__(self, manager):
        self.manager = manager

    def run(self, context):
        """Claim and settle every unfinished backup of a down peer.

        Returns the ids of the backups this service took.
        """
        taken = []
        for dead in down_peers(context, self.manager.host, self.manager.az):
            backups = objects.BackupList.get_all(
                context, filters={'host': dead, 'status': list(TRANSITIONAL)})
            for backup in backups:
                try:
                    if self.take(context, backup, dead):
                        taken.append(backup.id)
                except Exception:
                    # One backup's failure must not keep the others stuck;
                    # the next look tries it again if it is still ours.
                    LOG.exception('Backup %s: taking it over from %s failed',
                                  backup.id, dead)
        return taken

    def take(self, context, backup, dead):
        """Claim backup from dead; settle it as Cinder does at start.

        The claim is a compare-and-swap of the row's host (and status):
        of the live services that look at once, one wins, and a dead
        service that comes back finds the backup no longer its own.
        """
        status = backup.status
        if not backup.conditional_update({'host': self.manager.host},
                                         {'host': dead, 'status': status}):
            LOG.debug('Backup %s: another service took it first', backup.id)
            return False
        LOG.warning('Backup %(id)s was %(status)s on backup service '
                    '%(dead)s, which is down; %(host)s takes it over.',
                    {'id': backup.id, 'status': status, 'dead': dead,
                     'host': self.manager.host})
        if status == fields.BackupStatus.CREATING:
            # Cinder's start-up step would say "manager restart"; the
            # operator should read which service died instead.
            backup_internals.give_source_back(self.manager, context, backup)
            volume_utils.update_backup_error(
                backup, 'backup service %s went down during the backup; '
                'taken over by %s' % (dead, self.manager.host))
        else:
            # restoring: the backup is available again, the volume being
            # restored error_restoring; deleting: the delete resumes here.
            backup_internals.reset_backup(self.manager, context, backup)
        if status != fields.BackupStatus.DELETING:
            self._tell_owner(backup, status)
        backup_internals.remove_temporaries(self.manager, context, backup)
        return True

    @staticmethod
    def _tell_owner(backup, status):
        owner = cinder_context.RequestContext(
            user_id=backup.user_id, project_id=backup.project_id,
            is_admin=True)
        message_api.API().create(
            owner, _ACTIONS[status],
            resource_type=message_field.Resource.VOLUME_BACKUP,
            resource_uuid=backup.id,
            detail=message_field.Detail.BACKUP_SERVICE_DOWN)
