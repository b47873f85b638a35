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

"""Copies off the backend: protection snapshots backed up, expired, restored.

A snapshot lives on its volume's backend; a backup of it lives in the
backup service's store (another Ceph cluster, object storage, NFS), so it
outlives the backend. The backup is Cinder's own of the snapshot: on RBD
our backup API makes it differential, on other backends Cinder's path
copies it.
"""

import functools

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import removal
from cinder_snapext.protection import retention
from cinder_snapext.protection import statuses

# Where a backed-up protection snapshot names its copy.
BACKUP_KEY = 'snapext-backup'
DEPENDED_ON = 'incremental backups depend on it'
# What a row says after a real run, for each planned action.
_DONE = {retention.KEEP: 'kept', retention.IGNORE: 'ignored',
         retention.DELETE: 'deleted'}


def back_up(cinder, protection, snapshot, incremental):
    """Back up a protection snapshot and wait; returns the backup's row.

    ``incremental`` asks for a differential copy against the volume's
    newest backup; the first copy of a volume is full, as Cinder refuses
    an incremental backup without a parent.
    """
    checkpoint_id = (snapshot.metadata or {}).get(client.PROTECTION_TAG)
    incremental = incremental and any(
        backup.status == 'available'
        for backup in client.volume_backups(cinder, snapshot.volume_id))
    backup_id = None
    try:
        backup = client.create_backup(
            cinder, snapshot, name=snapshot.name, incremental=incremental,
            checkpoint_id=checkpoint_id)
        backup_id = backup.id
        backup = protection.waiter('backup_timeout').wait(
            'Backup', backup_id, lambda: client.get_backup(cinder, backup_id),
            statuses.BACKUP_AVAILABLE, status=backup.status)
    except (exception.ProtectionError, client.ClientException) as e:
        raise exception.BackupFailed(snapshot_id=snapshot.id,
                                     backup_id=backup_id,
                                     reason=client.reason(e)) from e
    try:
        client.set_snapshot_metadata(cinder, snapshot.id,
                                     {BACKUP_KEY: backup.id})
    except client.ClientException:
        # The backup names its snapshot too; the snapshot's note is only
        # a convenience for whoever lists snapshots.
        pass
    return backup_row(backup)


def backup_row(backup):
    """What the commands print of a protection backup."""
    metadata = getattr(backup, 'metadata', None) or {}
    return {'id': backup.id, 'volume_id': backup.volume_id,
            'snapshot_id': metadata.get(client.SNAPSHOT_TAG),
            'status': backup.status, 'size': backup.size,
            'incremental': backup.is_incremental,
            'created_at': backup.created_at,
            'checkpoint_id': metadata.get(client.PROTECTION_TAG)}


def expire(cinder, protection, volume_id, policy, zone, dry_run=False,
           pending=None):
    """Apply ``policy`` to a volume's backups; (rows, failure messages).

    As for snapshots, a backup protect did not tag is listed and never
    deleted. A backup the rules drop but that a kept incremental backup
    may build on stays: Cinder refuses to delete a parent, and deleting
    it would lose the kept one. Deletions go newest first, so that a
    chain expired whole goes child before parent.
    """
    backups = {backup.id: backup for backup in
               client.volume_backups(cinder, volume_id)}
    depended = set()
    if pending is not None:
        # protect --dry-run: its incremental backup would build on the
        # newest available one, which Cinder cannot mark as a parent yet.
        parent = max((backup for backup in backups.values()
                      if backup.status == 'available'),
                     key=lambda backup: retention.parse_time(
                         backup.created_at), default=None)
        if pending.is_incremental and parent is not None:
            depended.add(parent.id)
        backups[pending.id] = pending
    decisions = retention.plan(
        [retention.Candidate(
            id=backup.id, created_at=retention.parse_time(backup.created_at),
            status=backup.status,
            protection=client.PROTECTION_TAG in (
                getattr(backup, 'metadata', None) or {}))
         for backup in backups.values()], policy, zone)
    kept_incremental = False
    rows, failures = [], []
    # By instant, as retention sorts: Cinder's naive UTC times and a
    # dry run's stand-in compare only as instants.
    for decision in sorted(decisions, reverse=True,
                           key=lambda d: d.local_time.timestamp()):
        backup = backups[decision.candidate.id]
        action, reasons = decision.action, list(decision.reasons)
        if action == retention.DELETE and kept_incremental and (
                backup.id in depended or
                _has_dependents(cinder, backup, fresh=not dry_run)):
            action, reasons = retention.KEEP, [DEPENDED_ON]
        if action == retention.KEEP and backup.is_incremental:
            kept_incremental = True
        row = {'id': backup.id, 'volume_id': volume_id, 'kind': 'backup',
               'created_at': decision.local_time.isoformat(
                   timespec='seconds'),
               'status': backup.status,
               'action': action if dry_run else _DONE[action],
               'reasons': reasons}
        rows.append(row)
        if dry_run or action != retention.DELETE:
            continue
        try:
            delete(cinder, protection, backup.id)
        except exception.ProtectionError as e:
            row['action'] = 'delete failed'
            row['reasons'] = reasons + [str(e)]
            failures.append(str(e))
    return rows, failures


def _has_dependents(cinder, backup, fresh):
    # A real run asks again: the children deleted a moment ago (newer, so
    # handled first) no longer count.
    if fresh:
        backup = client.get_backup(cinder, backup.id) or backup
    return bool(backup.has_dependent_backups)


def delete(cinder, protection, backup_id):
    """Delete a backup and wait until Cinder no longer lists it."""
    removal.delete_and_wait(
        protection.waiter('delete_timeout'), 'Backup', backup_id,
        functools.partial(client.delete_backup, cinder),
        lambda: client.get_backup(cinder, backup_id),
        statuses.BACKUP_DELETED)


def restore(cinder, protection, backup, name):
    """Restore a protection backup to a new volume; the volume's row."""
    metadata = getattr(backup, 'metadata', None) or {}
    try:
        volume_id = client.restore_backup(cinder, backup.id, name)
        volume = protection.waiter('restore_timeout').wait(
            'Volume', volume_id, lambda: client.get_volume(cinder, volume_id),
            statuses.VOLUME_RESTORED)
    except client.ClientException as e:
        raise exception.RestoreFailed(volume_id=backup.volume_id,
                                      reason=client.reason(e)) from e
    return {'id': volume.id, 'name': volume.name, 'size': volume.size,
            'status': volume.status, 'backup_id': backup.id,
            'snapshot_id': metadata.get(client.SNAPSHOT_TAG),
            'source_volume_id': backup.volume_id}
