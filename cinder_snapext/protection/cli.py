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

"""The cinder-snapext-protect command: parsing, Cinder session, output."""

import logging
import sys

from keystoneauth1 import exceptions as ks_exceptions
from oslo_config import cfg

from cinder_snapext.protection import arguments
from cinder_snapext.protection import client
from cinder_snapext.protection import connection
from cinder_snapext.protection import copies
from cinder_snapext.protection import cycle
from cinder_snapext.protection import exception
from cinder_snapext.protection import expiry
from cinder_snapext.protection import group_client
from cinder_snapext.protection import groups
from cinder_snapext.protection import messages
from cinder_snapext.protection import opts
from cinder_snapext.protection import output
from cinder_snapext.protection import plugin
from cinder_snapext.protection import records
from cinder_snapext.protection import runner

# What a command may fail with before it has a result to print: one line
# and Cinder's messages, exit status 1 (the openstack plugin shows the same).
ERRORS = (exception.ProtectionError, client.SDKException,
          ks_exceptions.ClientException)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = arguments.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format='%(levelname)s %(name)s: %(message)s')
    if not args.debug:
        # Operations log their failures for Karbor's log files; here the
        # same failure is the one ERROR line below.
        logging.getLogger('cinder_snapext.protection.operations').setLevel(
            logging.CRITICAL)
    cinder = None
    try:
        cinder = connect(args)
        return run(args, cinder, sys.stdout, sys.stderr)
    except ERRORS as e:
        sys.stderr.write('ERROR: %s\n' % client.describe(e))
        if cinder is not None:
            _explain(cinder, messages.resource_ids(e), sys.stderr)
        return 1


def connect(args):
    """protect's Cinder client, from clouds.yaml or the OS_* settings."""
    return connection.cinder(connection.from_args(args))


def run(args, cinder, stdout, stderr):
    """Run the parsed command with ``cinder``; returns the exit code."""
    conf = cfg.ConfigOpts()
    opts.register(conf)
    if args.poll_interval is not None:
        conf.set_override('poll_interval', args.poll_interval, opts.GROUP)
    if args.wait_timeout is not None:
        for name in ('volume_ready_timeout', 'snapshot_timeout',
                     'restore_timeout', 'delete_timeout',
                     'backup_timeout'):
            conf.set_override(name, args.wait_timeout, opts.GROUP)
    display = output.ProgressDisplay(stderr, enabled=not args.no_progress)
    protection = plugin.SnapextProtectionPlugin(
        conf, client_factory=lambda context: cinder, progress=display)
    command = _COMMANDS[args.command]
    try:
        result, code = command(args, cinder, protection)
    finally:
        display.finish()
    failed = code and isinstance(result, dict) and result.get('error')
    notes = []
    if failed:
        notes = messages.explain(cinder, messages.result_ids(result))
        if notes:
            # The result is the run's record (the journal, cron's log):
            # Cinder's why belongs in it too.
            result['cinder_messages'] = notes
    elif code:
        # prune and delete: rows whose deletion failed (error_deleting).
        notes = messages.explain(cinder, messages.failed_row_ids(result))
    output.print_result(result, args.format, stdout)
    if failed:
        # The one line cron mails and scripts grep goes to stderr, as for
        # any failure.
        stderr.write('ERROR: %s\n' % result['error'])
    for line in notes:
        stderr.write(line + '\n')
    return code


def _explain(cinder, ids, stderr):
    for line in messages.explain(cinder, ids):
        stderr.write(line + '\n')


def _restore(args, cinder, protection):
    if args.group_snapshot or args.latest_group:
        point = (group_client.find_group_snapshot(cinder, args.group_snapshot)
                 if args.group_snapshot else
                 groups.latest(cinder, args.latest_group))
        return groups.restore(cinder, protection, point, args.name,
                              args.description), 0
    if args.from_backup:
        return copies.restore(cinder, protection,
                              _backup(cinder, args.from_backup), args.name), 0
    if args.latest:
        volume = client.find_volume(cinder, args.latest)
        available = [snapshot for snapshot in
                     client.protection_snapshots(cinder, volume.id)
                     if snapshot.status == 'available']
        if not available:
            # The backend lost the snapshots, or retention took them: the
            # copies off the backend are what is left.
            backups = [backup for backup in
                       client.protection_backups(cinder, volume.id)
                       if backup.status == 'available']
            if not backups:
                raise exception.NoAvailableProtection(volume_id=volume.id)
            return copies.restore(cinder, protection, backups[0],
                                  args.name), 0
        snapshot = available[0]
    else:
        try:
            snapshot = client.find_snapshot(cinder, args.snapshot)
        except exception.NoSuchResource:
            backups = [backup for backup in client.protection_backups(
                cinder, snapshot_id=args.snapshot)
                if backup.status == 'available']
            if not backups:
                raise
            return copies.restore(cinder, protection, backups[0],
                                  args.name), 0
    checkpoint = records.Checkpoint.of_snapshot(snapshot)
    restore = records.ResourceRecord()
    new_resources: dict[str, str] = {}
    runner.run_operation(protection.get_restore_operation, checkpoint,
               snapshot.volume_id,
               {'restore_name': args.name,
                'restore_description': args.description},
               restore=restore, new_resources=new_resources)
    volume = client.get_volume(cinder, new_resources[snapshot.volume_id])
    return {'id': volume.id, 'name': volume.name, 'size': volume.size,
            'status': volume.status, 'snapshot_id': snapshot.id,
            'source_volume_id': snapshot.volume_id}, 0


def _backup(cinder, backup_id):
    backup = client.get_backup(cinder, backup_id)
    if backup is None:
        raise exception.NoSuchResource(resource='Backup', ref=backup_id)
    if client.PROTECTION_TAG not in (getattr(backup, 'metadata', None) or
                                     {}):
        raise exception.NotAProtectionBackup(backup_id=backup_id,
                                             tag=client.PROTECTION_TAG)
    return backup


def _delete(args, cinder, protection):
    rows, code = [], 0
    for snapshot_id in args.snapshots:
        snapshot = client.get_snapshot(cinder, snapshot_id)
        if snapshot is None:
            rows.append({'id': snapshot_id, 'result': 'already gone'})
            continue
        if client.PROTECTION_TAG not in (snapshot.metadata or {}):
            rows.append({'id': snapshot_id, 'result': 'refused: not a '
                         'protection snapshot (no %s metadata)' %
                         client.PROTECTION_TAG})
            code = 1
            continue
        try:
            runner.delete_protection(protection, snapshot)
            rows.append({'id': snapshot_id, 'result': 'deleted'})
        except exception.ProtectionError as e:
            rows.append({'id': snapshot_id, 'result': 'failed: %s' % e})
            code = 1
    return rows, code


def _prune(args, cinder, protection):
    rows, code = expiry.prune(args, cinder, protection)
    for ref in args.groups:
        group = group_client.find_group(cinder, ref)
        group_rows, failures = groups.expire(
            cinder, protection, group.id, args.policy, args.timezone,
            dry_run=args.dry_run)
        rows.extend(group_rows)
        code = 1 if failures else code
    if args.dry_run:
        expiry.name_rules(rows, args.rules)
    return rows, code


def _list(args, cinder, protection):
    if args.group:
        return groups.points(cinder, args.group), 0
    volume_id = (client.find_volume(cinder, args.volume).id
                 if args.volume else None)
    if args.backups:
        return [copies.backup_row(backup) for backup in
                client.protection_backups(cinder, volume_id)], 0
    return [runner.snapshot_row(snapshot) for snapshot in
            client.protection_snapshots(cinder, volume_id)], 0


_COMMANDS = {'protect': cycle.protect, 'prune': _prune,
             'restore': _restore, 'delete': _delete, 'list': _list}
