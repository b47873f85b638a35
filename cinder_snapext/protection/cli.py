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

import argparse
import logging
import os
import sys

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from oslo_config import cfg

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import opts
from cinder_snapext.protection import output
from cinder_snapext.protection import plugin
from cinder_snapext.protection import records

NOAUTH = 'noauth'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format='%(levelname)s %(name)s: %(message)s')
    if not args.debug:
        # Operations log their failures for Karbor's log files; here the
        # same failure is the one ERROR line below.
        logging.getLogger('cinder_snapext.protection.operations').setLevel(
            logging.CRITICAL)
    try:
        cinder = connect(args)
        return run(args, cinder, sys.stdout, sys.stderr)
    except (exception.ProtectionError, client.ClientException,
            client.UnsupportedVersion, ks_exceptions.ClientException) as e:
        sys.stderr.write('ERROR: %s\n' % e)
        return 1


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='cinder-snapext-protect', conflict_handler='resolve',
        description='Protect Cinder volumes by snapshots, restore them as '
                    'new volumes, and expire old snapshots.')
    _add_connection_arguments(parser, argv)
    parser.add_argument('--debug', action='store_true')
    # Given after the command, as in "protect VOLUME --wait-timeout 60".
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--format', choices=['table', 'json'],
                        default='table', help='Output format.')
    common.add_argument('--wait-timeout', type=float, metavar='SECONDS',
                        help='Deadline of each wait (default: the plugin\'s '
                             'per-wait defaults, 600 to 3600 s).')
    common.add_argument('--poll-interval', type=float, metavar='SECONDS',
                        help='Seconds between status polls (default 5).')
    common.add_argument('--no-progress', action='store_true',
                        help='Do not show progress on stderr while waiting.')
    commands = parser.add_subparsers(dest='command', required=True)

    def add_command(name, help_text):
        return commands.add_parser(name, help=help_text, parents=[common])

    protect = add_command(
        'protect', 'Snapshot a volume; with --keep, expire old ones.')
    protect.add_argument('volume', help='Volume name or ID.')
    protect.add_argument('--name', help='Snapshot name (default '
                         'snapshot-<checkpoint>@<volume>).')
    protect.add_argument('--description', help='Snapshot description.')
    protect.add_argument('--force', action='store_true',
                         help='Snapshot the volume even if it is attached.')
    protect.add_argument('--keep', type=_positive, metavar='N',
                         help='Then delete this volume\'s protections older '
                              'than its newest N available ones.')

    restore = add_command(
        'restore', 'Create a new volume from a protection snapshot.')
    source = restore.add_mutually_exclusive_group(required=True)
    source.add_argument('snapshot', nargs='?', help='Snapshot name or ID.')
    source.add_argument('--latest', metavar='VOLUME',
                        help='Restore the newest available protection of '
                             'this volume (name or ID).')
    restore.add_argument('--name', help='Name of the new volume.')
    restore.add_argument('--description',
                         help='Description of the new volume.')

    delete = add_command('delete', 'Delete protection snapshots; already '
                         'gone counts as done.')
    delete.add_argument('snapshots', nargs='+', metavar='snapshot',
                        help='Snapshot ID.')

    listing = add_command('list', 'List protection snapshots, newest '
                          'first.')
    listing.add_argument('volume', nargs='?', help='Only this volume (name '
                         'or ID).')
    return parser.parse_args(argv)


def _add_connection_arguments(parser, argv):
    loading.register_session_argparse_arguments(parser)
    parser.add_argument('--os-endpoint', metavar='URL',
                        default=os.environ.get(
                            'OS_ENDPOINT', os.environ.get('CINDER_ENDPOINT')),
                        help='Block Storage endpoint overriding the catalog; '
                             'with noauth, the /v3 URL without project. '
                             'Defaults to env[OS_ENDPOINT] or '
                             'env[CINDER_ENDPOINT].')
    parser.add_argument('--os-interface', default=os.environ.get(
        'OS_INTERFACE', 'public'), help='Catalog interface.')
    parser.add_argument('--os-region-name', default=os.environ.get(
        'OS_REGION_NAME'), help='Catalog region.')
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument('--os-auth-type', default=os.environ.get(
        'OS_AUTH_TYPE', 'password'))
    if pre.parse_known_args(argv)[0].os_auth_type != NOAUTH:
        loading.register_auth_argparse_arguments(parser, argv,
                                                 default='password')
        return
    # cinderclient's own noauth loader reads Cinder_* variables and
    # --user-id style flags; the usual OS_* ones are what operators set.
    parser.add_argument('--os-auth-type', default=NOAUTH)
    parser.add_argument('--os-user-id', default=os.environ.get(
        'OS_USER_ID', 'admin'))
    parser.add_argument('--os-project-id', default=os.environ.get(
        'OS_PROJECT_ID', 'admin'))


def _positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError('must be at least 1')
    return number


def connect(args):
    """A cinderclient from the OS_* settings, Keystone or noauth."""
    if args.os_auth_type == NOAUTH:
        if not args.os_endpoint:
            raise ks_exceptions.ClientException(
                'noauth needs the Block Storage endpoint: set --os-endpoint '
                'or OS_ENDPOINT to its /v3 URL.')
        auth = client.noauth_plugin(args.os_endpoint, args.os_project_id,
                                    args.os_user_id)
        # As the stock cinder CLI does: URLs without the project (Cinder
        # accepts them from 3.67), whose id need not match Cinder's
        # project_id_regex under noauth ('admin' does not).
        endpoint = args.os_endpoint.rstrip('/')
    else:
        auth = loading.load_auth_from_argparse_arguments(args)
        endpoint = args.os_endpoint
    session = loading.load_session_from_argparse_arguments(args, auth=auth)
    return client.create(session, endpoint=endpoint,
                         interface=args.os_interface,
                         region_name=args.os_region_name)


def run(args, cinder, stdout, stderr):
    """Run the parsed command with ``cinder``; returns the exit code."""
    conf = cfg.ConfigOpts()
    opts.register(conf)
    if args.poll_interval is not None:
        conf.set_override('poll_interval', args.poll_interval, opts.GROUP)
    if args.wait_timeout is not None:
        for name in ('volume_ready_timeout', 'snapshot_timeout',
                     'restore_timeout', 'delete_timeout'):
            conf.set_override(name, args.wait_timeout, opts.GROUP)
    display = output.ProgressDisplay(stderr, enabled=not args.no_progress)
    protection = plugin.SnapextProtectionPlugin(
        conf, client_factory=lambda context: cinder, progress=display)
    command = _COMMANDS[args.command]
    try:
        result, code = command(args, cinder, protection)
    finally:
        display.finish()
    output.print_result(result, args.format, stdout)
    return code


def _protect(args, cinder, protection):
    volume = client.find_volume(cinder, args.volume)
    checkpoint = records.Checkpoint()
    parameters = {'snapshot_name': args.name,
                  'description': args.description, 'force': args.force}
    _run_hooks(protection.get_protect_operation, checkpoint, volume.id,
               parameters)
    saved = protection.get_saved_info(checkpoint,
                                      records.volume_resource(volume.id))
    result = _snapshot_row(client.get_snapshot(cinder, saved['snapshot_id']))
    if not args.keep:
        return result, 0
    result['expired'], failures = [], []
    for snapshot in records.expired(
            client.protection_snapshots(cinder, volume.id), args.keep):
        try:
            _delete_protection(protection, snapshot)
            result['expired'].append(snapshot.id)
        except exception.ProtectionError as e:
            failures.append(str(e))
    if failures:
        result['expiry_errors'] = failures
    return result, 1 if failures else 0


def _restore(args, cinder, protection):
    if args.latest:
        volume = client.find_volume(cinder, args.latest)
        available = [snapshot for snapshot in
                     client.protection_snapshots(cinder, volume.id)
                     if snapshot.status == 'available']
        if not available:
            raise exception.NoAvailableProtection(volume_id=volume.id)
        snapshot = available[0]
    else:
        snapshot = client.find_snapshot(cinder, args.snapshot)
    checkpoint = records.Checkpoint.of_snapshot(snapshot)
    restore, new_resources = records.ResourceRecord(), {}
    _run_hooks(protection.get_restore_operation, checkpoint,
               snapshot.volume_id,
               {'restore_name': args.name,
                'restore_description': args.description},
               restore=restore, new_resources=new_resources)
    volume = client.get_volume(cinder, new_resources[snapshot.volume_id])
    return {'id': volume.id, 'name': volume.name, 'size': volume.size,
            'status': volume.status, 'snapshot_id': snapshot.id,
            'source_volume_id': snapshot.volume_id}, 0


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
            _delete_protection(protection, snapshot)
            rows.append({'id': snapshot_id, 'result': 'deleted'})
        except exception.ProtectionError as e:
            rows.append({'id': snapshot_id, 'result': 'failed: %s' % e})
            code = 1
    return rows, code


def _list(args, cinder, protection):
    volume_id = (client.find_volume(cinder, args.volume).id
                 if args.volume else None)
    return [_snapshot_row(snapshot) for snapshot in
            client.protection_snapshots(cinder, volume_id)], 0


_COMMANDS = {'protect': _protect, 'restore': _restore, 'delete': _delete,
             'list': _list}


def _delete_protection(protection, snapshot):
    _run_hooks(protection.get_delete_operation,
               records.Checkpoint.of_snapshot(snapshot), snapshot.volume_id,
               {})


def _run_hooks(getter, checkpoint, volume_id, parameters, **kwargs):
    # One resource, no dependencies: Karbor's flow reduces to the four
    # hooks in order.
    resource = records.volume_resource(volume_id)
    operation = getter(resource)
    for hook in ('on_prepare_begin', 'on_prepare_finish', 'on_main',
                 'on_complete'):
        getattr(operation, hook)(checkpoint, resource, None, parameters,
                                 **kwargs)


def _snapshot_row(snapshot):
    return {'id': snapshot.id, 'volume_id': snapshot.volume_id,
            'name': snapshot.name, 'status': snapshot.status,
            'size': snapshot.size, 'created_at': snapshot.created_at,
            'checkpoint_id': (snapshot.metadata or {}).get(
                client.PROTECTION_TAG)}
