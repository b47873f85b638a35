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

"""Accept a request to verify a backup, and pass it to its service."""

from cinder.common import constants
from cinder import exception as cinder_exception
from cinder import objects
from oslo_utils import timeutils

from cinder_snapext.backup import rpcapi
from cinder_snapext.backup import verify
from cinder_snapext.backup import verify_mark
from cinder_snapext import exception

# When the last request was accepted: with snapext_verified_at older than
# this, the service has not finished (or has lost) it.
META_REQUESTED_AT = 'snapext_verify_requested_at'


def request(context, backup, client=None):
    """Check backup can be verified now, note the request, cast it.

    InvalidBackup (400) for a backup that is busy, in error for another
    reason, or not on Ceph; BackupServiceDown (503) when the service that
    holds it is not up, so a request never waits in a queue unseen.
    """
    verify.check_state(backup)
    if backup.service not in verify.CEPH_SERVICES:
        raise cinder_exception.InvalidBackup(
            reason='only Ceph backups can be verified; backup %s was made '
                   'by %s' % (backup.id, backup.service))
    services = objects.ServiceList.get_all(
        context.elevated(),
        filters={'host': backup.host, 'binary': constants.BACKUP_BINARY})
    if not backup.host or not any(s.is_up and not s.disabled
                                  for s in services):
        raise exception.BackupServiceDown(host=backup.host,
                                          backup_id=backup.id)
    metadata = dict(backup.metadata or {})
    now = timeutils.utcnow().isoformat(timespec='seconds')
    # The mark holds the backup against a delete from now on: a request
    # waits in the service's queue before it runs.
    metadata.update({META_REQUESTED_AT: now, verify_mark.MARK: now})
    backup.metadata = metadata
    backup.save()
    (client or rpcapi.SnapextBackupAPI()).verify_backup(
        context, backup.id, backup.host)
