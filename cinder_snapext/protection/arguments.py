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

"""The command line of cinder-snapext-protect: commands and their options."""

import argparse
import os

from keystoneauth1 import loading

from cinder_snapext.protection import retention

NOAUTH = 'noauth'
# Seconds one HTTP request to Cinder may take (--timeout).
REQUEST_TIMEOUT = 60.0


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
    add_wait_arguments(common)
    commands = parser.add_subparsers(dest='command', required=True)
    for name, (help_text, add) in COMMANDS.items():
        add(commands.add_parser(name, help=help_text, parents=[common]))
    args = parser.parse_args(argv)
    check(parser, args)
    return args


def add_wait_arguments(parser):
    """How every command waits: the options it takes after its name."""
    parser.add_argument('--wait-timeout', type=float, metavar='SECONDS',
                        help='Deadline of each wait (default: the plugin\'s '
                             'per-wait defaults, 600 to 3600 s).')
    parser.add_argument('--poll-interval', type=float, metavar='SECONDS',
                        help='Seconds between status polls (default 5).')
    parser.add_argument('--no-progress', action='store_true',
                        help='Do not show progress on stderr while waiting.')


def check(parser, args):
    """Refuse what the options cannot mean together; add the policies."""
    if hasattr(args, 'keep_last'):
        _policies(parser, args)
    if getattr(args, 'incremental', False) and not args.backup:
        parser.error('--incremental needs --backup')
    protect = args.command == 'protect'
    if protect and (args.volume is None) == (args.group is None):
        parser.error('protect needs a volume or --group, not both')
    if protect and args.group and args.backup:
        # Cinder backs up volumes and snapshots, not group snapshots.
        parser.error('--backup is for one volume, not --group')
    if args.command == 'prune' and not (args.volumes or args.groups):
        parser.error('prune needs a volume or --group')
    if args.command == 'list' and args.group and (args.volume or args.backups):
        parser.error('list --group takes no volume and no --backups')


def _protect(protect):
    protect.add_argument('volume', nargs='?', help='Volume name or ID.')
    protect.add_argument('--group', metavar='GROUP',
                         help='Protect every volume of this Cinder group '
                              '(name or ID) with one group snapshot, '
                              'instead of one volume.')
    protect.add_argument('--name', help='Snapshot name (default '
                         'snapshot-<checkpoint>@<volume>).')
    protect.add_argument('--description', help='Snapshot description.')
    protect.add_argument('--force', action='store_true',
                         help='Snapshot the volume even if it is attached.')
    copies = protect.add_argument_group(
        'backup copies', 'A copy off the storage backend: the new snapshot '
        'backed up by Cinder\'s backup service; --keep-* then expire the '
        'volume\'s protection backups too.')
    copies.add_argument('--backup', action='store_true',
                        help='Back up the new protection snapshot.')
    copies.add_argument('--incremental', action='store_true',
                        help='Differential against the volume\'s newest '
                             'backup (the first copy is full).')
    _add_retention_arguments(protect)
    _add_backup_retention_arguments(protect)
    _add_hook_arguments(protect)
    protect.add_argument('--dry-run', action='store_true',
                         help='Run nothing and create nothing: show the '
                              'volume, the hooks and backup that would '
                              'run, and what --keep-* would then expire.')


def _restore(restore):
    source = restore.add_mutually_exclusive_group(required=True)
    source.add_argument('snapshot', nargs='?', help='Snapshot name or ID; '
                        'once the snapshot is gone, its protection backup '
                        'is restored.')
    source.add_argument('--latest', metavar='VOLUME',
                        help='Restore the newest available protection of '
                             'this volume (name or ID): its snapshot, or '
                             'its backup when no snapshot is left.')
    source.add_argument('--backup', metavar='BACKUP', dest='from_backup',
                        help='Restore this protection backup (ID).')
    source.add_argument('--group-snapshot', metavar='GROUP_SNAPSHOT',
                        help='Restore this group protection (name or ID) '
                             'as a new group of new volumes.')
    source.add_argument('--latest-group', metavar='GROUP',
                        help='Restore the newest available protection of '
                             'this group (name or ID) as a new group.')
    restore.add_argument('--name', help='Name of the new volume.')
    restore.add_argument('--description',
                         help='Description of the new volume.')


def _delete(delete):
    delete.add_argument('snapshots', nargs='+', metavar='snapshot',
                        help='Snapshot ID.')


def _list(listing):
    listing.add_argument('volume', nargs='?', help='Only this volume (name '
                         'or ID).')
    listing.add_argument('--backups', action='store_true',
                         help='List protection backups instead.')
    listing.add_argument('--group', metavar='GROUP',
                         help='List the group protections of this group '
                              '(name or ID) instead.')


def _prune(prune):
    prune.add_argument('volumes', nargs='*', metavar='volume',
                       help='Volume name or ID.')
    prune.add_argument('--group', metavar='GROUP', action='append',
                       dest='groups', default=[],
                       help='Also expire the group protections of this '
                            'group (name or ID); repeatable.')
    _add_retention_arguments(prune)
    _add_backup_retention_arguments(prune)
    prune.add_argument('--dry-run', action='store_true',
                       help='Only show what would be kept and deleted, and '
                            'which rule keeps each protection.')


# Each command's help and its own options; 'openstack volume protection'
# (cinder_snapext/osc) takes the same.
COMMANDS = {
    'protect': ('Snapshot a volume between optional pre and post commands; '
                'with --keep-*, expire old protections.', _protect),
    'restore': ('Create a new volume from a protection snapshot.', _restore),
    'delete': ('Delete protection snapshots; gone counts as done.', _delete),
    'list': ('List protection snapshots, newest first.', _list),
    'prune': ('Delete the protections that the --keep-* rules do not keep: '
              'snapshots, then backups, each counted apart.', _prune)}


def _add_retention_arguments(parser):
    rules = parser.add_argument_group(
        'retention', 'Natural calendar buckets in --timezone: of each hour, '
        'day, ISO week, month and year the newest available protection '
        'counts; a protection kept by any rule stays.')
    rules.add_argument('--keep-last', '--keep', type=_count, default=0,
                       metavar='N', help='Keep the newest N.')
    for rule, bucket in (('hourly', 'hours'), ('daily', 'days'),
                         ('weekly', 'ISO weeks'), ('monthly', 'months'),
                         ('yearly', 'years')):
        rules.add_argument('--keep-' + rule, type=_count, default=0,
                           metavar='N', help='Keep the newest of each of '
                           'the last N %s that have one.' % bucket)
    rules.add_argument('--timezone', type=_zone, default='UTC',
                       metavar='ZONE', help='IANA time zone of the buckets, '
                       'e.g. Europe/Paris (default UTC).')


def _add_backup_retention_arguments(parser):
    rules = parser.add_argument_group(
        'backup retention', 'Rules of their own for protection backups, '
        'counted as --keep-* count snapshots: backups usually stay longer. '
        'Without any, backups follow the --keep-* rules; with any, only '
        'these (the others are 0); all 0 expires no backup.')
    for rule in retention.Policy.RULES:
        rules.add_argument('--backup-keep-' + rule, type=_count,
                           metavar='N', help='As --keep-%s, for backups.'
                           % rule)


def _policies(parser, args):
    """args.policy (snapshots), args.backup_policy, args.rules (words)."""
    args.policy = retention.Policy(**{
        rule: getattr(args, 'keep_' + rule)
        for rule in retention.Policy.RULES})
    own = {rule: getattr(args, 'backup_keep_' + rule)
           for rule in retention.Policy.RULES}
    args.rules = {'snapshot': args.policy.describe('--keep-')}
    if all(count is None for count in own.values()):
        args.backup_policy = args.policy
        args.rules['backup'] = args.rules['snapshot']
    else:
        args.backup_policy = retention.Policy(**{
            rule: count or 0 for rule, count in own.items()})
        args.rules['backup'] = args.backup_policy.describe('--backup-keep-')
        if args.command == 'protect' and not args.backup:
            parser.error('--backup-keep-* needs --backup')
    args.rules['group snapshot'] = args.rules['snapshot']
    if args.command != 'prune':
        return
    if args.policy.empty and args.backup_policy.empty:
        parser.error('prune needs at least one --keep-* rule')
    if args.policy.empty and args.groups:
        parser.error('prune --group needs a --keep-* rule')


def _add_hook_arguments(parser):
    group = parser.add_argument_group(
        'hooks', 'Shell commands (sh -c) run before and after the snapshot, '
        'in a process group of their own that is killed at the deadline.')
    group.add_argument('--pre', metavar='CMD',
                       help='Run before the snapshot (freeze, flush...).')
    group.add_argument('--post', metavar='CMD',
                       help='Run after the snapshot, even a failed or '
                            'skipped one (see SNAPEXT_PROTECT_STATUS).')
    group.add_argument('--hook-timeout', type=_seconds, default=300.0,
                       metavar='SECONDS',
                       help='Deadline of each hook (default 300).')
    group.add_argument('--on-hook-failure', choices=['abort', 'continue'],
                       default='abort',
                       help='abort (default): a failed pre hook skips the '
                            'snapshot, a failed post hook skips expiry, '
                            'and the exit status is 1; continue: record '
                            'the failure and go on.')


def _add_connection_arguments(parser, argv):
    loading.register_session_argparse_arguments(parser)
    # keystoneauth waits forever by default: a Cinder that accepts the
    # connection and never answers would hold a timer's run for good.
    parser.set_defaults(timeout=REQUEST_TIMEOUT)
    parser.add_argument('--os-cloud', metavar='CLOUD',
                        default=os.environ.get('OS_CLOUD'),
                        help='A cloud of clouds.yaml (and secure.yaml), '
                             'read as the openstack client reads it; the '
                             'other --os-* auth options are then ignored. '
                             'Defaults to env[OS_CLOUD].')
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


def _count(value):
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError('must not be negative')
    return number


def _seconds(value):
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError('must be more than 0')
    return number


def _zone(value):
    try:
        return retention.timezone(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e
