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

"""cinder-snapext-manage backup: verify backups against their sources."""

from cinder import context as cinder_context
from cinder import objects
from oslo_utils import importutils

# Exit status of ``backup verify``: the worst outcome among the backups (1
# stays an error of the command, 2 a usage error, as argparse has it).
EXIT = {'match': 0, 'mismatch': 3, 'unverifiable': 4}


def _verify(args):
    # Imported here: only this command needs Cinder's objects and Ceph.
    from cinder_snapext.backup import verify
    rados = importutils.try_import('rados')
    rbd = importutils.try_import('rbd')
    if rados is None or rbd is None:
        raise SystemExit('ERROR: the Python modules rados and rbd are '
                         'needed (python3-rados, python3-rbd)')
    objects.register_all()
    ctxt = cinder_context.get_admin_context()
    worst = 0
    for backup_id in args.backup_ids:
        outcome = verify.verify(ctxt, backup_id, rados, rbd,
                                in_flight=args.in_flight,
                                mark=not args.no_mark)
        print('%s %s: %s' % (backup_id, outcome.result, outcome.detail))
        code = EXIT[outcome.result]
        # A mismatch outranks a backup that could not be checked.
        if code == EXIT['mismatch'] or (code and not worst):
            worst = code
    return worst


def add_commands(subparsers):
    backup = subparsers.add_parser(
        'backup', help='Check backups against what they were taken from.')
    actions = backup.add_subparsers(dest='action', required=True)
    what = ('Compare each backup\'s restore point with its source snapshot '
            'through librbd (Ceph backups); a mismatch sets the backup to '
            'error. Exit status: 0 all match, 3 a mismatch, 4 a backup '
            'could not be checked (its source is gone).')
    verify = actions.add_parser('verify', help=what, description=what)
    verify.add_argument('backup_ids', nargs='+', metavar='backup-id')
    verify.add_argument('--in-flight', type=int, default=8,
                        help='Reads in flight at once (default 8).')
    verify.add_argument('--no-mark', action='store_true',
                        help='Report only: change neither the backup nor '
                             'its messages.')
    verify.set_defaults(func=_verify)
