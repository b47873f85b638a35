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

"""protect --dry-run: what a protect run would do, with nothing done."""

import datetime
import types

from cinder_snapext.protection import client
from cinder_snapext.protection import copies
from cinder_snapext.protection import expiry

# The id the rows give the protection a real run would make.
PENDING = '(new)'


def plan(args, cinder, protection, volume):
    """The would-be run: volume, steps, and the expiry after them.

    The expiry rows count the new protection as the newest one, as the
    real run would after a successful snapshot (and backup).
    """
    steps = []
    if args.pre:
        steps.append('run pre hook: %s' % args.pre)
    if volume.status == 'in-use' and not args.force:
        steps.append('refuse: volume %s is in-use and --force is not '
                     'given' % volume.id)
    else:
        steps.append('snapshot volume %s (%s)' % (volume.id, volume.status))
    if args.post:
        steps.append('run post hook: %s' % args.post)
    incremental = args.backup and args.incremental and any(
        backup.status == 'available'
        for backup in client.volume_backups(cinder, volume.id))
    if args.backup:
        steps.append('back up the snapshot (%s)' % (
            'incremental' if incremental else 'full'))
    result = {'volume_id': volume.id, 'volume_status': volume.status,
              'steps': steps, 'expiry': [],
              'snapshot_rules': args.rules['snapshot']}
    if args.backup:
        result['backup_rules'] = args.rules['backup']
    if args.policy.empty and not (args.backup and
                                  not args.backup_policy.empty):
        return result
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    new = types.SimpleNamespace(
        id=PENDING, status='available', created_at=now,
        metadata={client.PROTECTION_TAG: PENDING}, is_incremental=incremental,
        has_dependent_backups=False)
    rows = []
    if not args.policy.empty:
        rows += expiry.expire(cinder, protection, volume.id, args.policy,
                              args.timezone, dry_run=True, pending=new)[0]
    if args.backup and not args.backup_policy.empty:
        rows += copies.expire(cinder, protection, volume.id,
                              args.backup_policy, args.timezone,
                              dry_run=True, pending=new)[0]
    result['expiry'] = expiry.name_rules(rows, args.rules)
    return result
