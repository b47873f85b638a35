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

"""The mark of a verify in progress, kept in the backup's metadata."""

import datetime

from cinder import exception as cinder_exception
from cinder import objects
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Why the database and not the service's memory: the API that refuses a
# delete and the backup service that runs the verify are other processes,
# and either may restart in between.
MARK = 'snapext_verifying_since'


def _save(backup, metadata):
    backup.metadata = metadata
    backup.save()


def start(backup):
    """Mark backup as being verified from now on."""
    metadata = dict(backup.metadata or {})
    metadata[MARK] = timeutils.utcnow().isoformat(timespec='seconds')
    _save(backup, metadata)


def finish(ctxt, backup_id):
    """Drop the mark of backup_id, if the backup is still there."""
    try:
        backup = objects.Backup.get_by_id(ctxt, backup_id)
        if MARK in (backup.metadata or {}):
            metadata = dict(backup.metadata)
            del metadata[MARK]
            _save(backup, metadata)
    except cinder_exception.BackupNotFound:
        pass  # deleted meanwhile: nothing holds it any more


def since(backup):
    """When a verify that still holds backup was marked, or None.

    A mark older than [snapext] backup_verify_timeout (or unreadable) is
    stale: whatever set it died or lost the request.
    """
    value = (backup.metadata or {}).get(MARK)
    try:
        marked = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if timeutils.is_older_than(marked, CONF.snapext.backup_verify_timeout):
        return None
    return marked


def clear_host(ctxt, host):
    """Drop every mark of host's backups: its verifies died with it.

    Called by a backup service as it starts. A request still queued for
    it marks its backup again when the service takes it.
    """
    cleared = 0
    for backup in objects.BackupList.get_all_by_host(ctxt, host):
        if MARK in (backup.metadata or {}):
            finish(ctxt, backup.id)
            cleared += 1
    if cleared:
        LOG.info('Cleared the verify marks of %d backups of %s left by '
                 'the previous run of this service', cleared, host)
    return cleared
