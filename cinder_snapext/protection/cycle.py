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

"""One protect run: pre hook, snapshot, post hook, record, expiry."""

from cinder_snapext.protection import client
from cinder_snapext.protection import copies
from cinder_snapext.protection import dry_run
from cinder_snapext.protection import exception
from cinder_snapext.protection import expiry
from cinder_snapext.protection import groups
from cinder_snapext.protection import hooks
from cinder_snapext.protection import operations
from cinder_snapext.protection import records
from cinder_snapext.protection import runner

# The snapshot is the protection's only record without Karbor: each hook's
# outcome goes into a metadata key of it. Cinder caps values at 255.
HOOK_KEY = 'snapext-hook-%s'
METADATA_VALUE_LIMIT = 255

SKIPPED = 'skipped'
FAILED = 'error'


def protect(args, cinder, protection):
    """The protect command; returns (result, exit status)."""
    if args.group:
        return groups.protect(args, cinder, protection)
    volume = client.find_volume(cinder, args.volume)
    if args.dry_run:
        return dry_run.plan(args, cinder, protection, volume), 0
    checkpoint = records.Checkpoint()
    env = {'SNAPEXT_VOLUME_ID': volume.id,
           'SNAPEXT_CHECKPOINT_ID': checkpoint.id}
    status = SKIPPED
    ran, error = hooks.before(args, env, 'no snapshot taken')
    if error is None:
        try:
            runner.run_operation(
                protection.get_protect_operation, checkpoint, volume.id,
                {'snapshot_name': args.name, 'force': args.force,
                 'description': args.description})
            status = 'available'
        except exception.ProtectionError as e:
            if not (args.pre or args.post):
                raise
            status, error = FAILED, str(e)
    saved = operations.read_saved_info(
        checkpoint.get_resource_bank_section(volume.id)) or {}
    snapshot_id = saved.get('snapshot_id')
    error = hooks.after(args, dict(
        env, SNAPEXT_PROTECT_STATUS=status,
        SNAPEXT_SNAPSHOT_ID=snapshot_id or '',
        SNAPEXT_PROTECT_ERROR=error or ''), ran, error)
    result = _result(cinder, volume.id, checkpoint.id, snapshot_id, status)
    for name, hook in ran.items():
        result['%s_hook' % name] = hook.as_dict()
    if snapshot_id and ran:
        _record(cinder, snapshot_id, ran, result)
    if error is None and args.backup:
        # After the post hook: an application frozen by --pre must not
        # wait for a full copy of its volume.
        error = _back_up(cinder, protection, snapshot_id, args, result)
    if error is not None:
        result['error'] = error
        return result, 1
    failures = []
    if not args.policy.empty:
        rows, failures = expiry.expire(cinder, protection, volume.id,
                                       args.policy, args.timezone)
        result['expired'] = _deleted(rows)
    if args.backup and not args.backup_policy.empty:
        # The backup rules: --backup-keep-*, or else the same --keep-*.
        rows, backup_failures = copies.expire(
            cinder, protection, volume.id, args.backup_policy,
            args.timezone)
        result['expired_backups'] = _deleted(rows)
        failures += backup_failures
    if failures:
        result['expiry_errors'] = failures
    return result, 1 if failures else 0


def _back_up(cinder, protection, snapshot_id, args, result):
    snapshot = client.get_snapshot(cinder, snapshot_id)
    if snapshot is None:
        return 'snapshot %s vanished before its backup; nothing expired' % (
            snapshot_id)
    try:
        result['backup'] = copies.back_up(cinder, protection, snapshot,
                                          args.incremental)
    except exception.BackupFailed as e:
        if e.kwargs.get('backup_id'):
            # Which backup failed, for the record and Cinder's message.
            result['backup'] = {'id': e.kwargs['backup_id']}
        return '%s; nothing expired' % e
    return None


def _deleted(rows):
    return [row['id'] for row in rows if row['action'] == 'deleted']


def _result(cinder, volume_id, checkpoint_id, snapshot_id, status):
    snapshot = client.get_snapshot(cinder, snapshot_id) if snapshot_id \
        else None
    if snapshot is not None:
        return runner.snapshot_row(snapshot)
    return {'id': snapshot_id, 'volume_id': volume_id, 'status': status,
            'checkpoint_id': checkpoint_id}


def _record(cinder, snapshot_id, ran, result):
    metadata = {HOOK_KEY % name: metadata_value(hook)
                for name, hook in ran.items()}
    try:
        client.set_snapshot_metadata(cinder, snapshot_id, metadata)
    except client.ClientException as e:
        # The hooks ran and the result shows them; a snapshot Cinder will
        # not annotate (deleted meanwhile, say) must not hide that.
        result['record_error'] = str(e)


def metadata_value(hook):
    """``exit 0 after 0.2s: <output tail>``, within Cinder's 255."""
    head = hook.summary()
    output = ' | '.join(line.strip() for line in hook.output.splitlines()
                        if line.strip())
    if not output:
        return head[:METADATA_VALUE_LIMIT]
    room = METADATA_VALUE_LIMIT - len(head) - 2
    if len(output) > room:
        output = '...' + output[-(room - 3):]
    return '%s: %s' % (head, output)
