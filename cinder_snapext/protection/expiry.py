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

"""A retention plan carried out on a volume's snapshots in Cinder."""

from cinder_snapext.protection import client
from cinder_snapext.protection import copies
from cinder_snapext.protection import exception
from cinder_snapext.protection import retention
from cinder_snapext.protection import runner

# What a row says after a real run, for each planned action.
_DONE = {retention.KEEP: 'kept', retention.IGNORE: 'ignored',
         retention.DELETE: 'deleted'}


def prune(args, cinder, protection):
    """The prune command: expire, or with --dry-run show, per volume."""
    rows, code = [], 0
    for ref in args.volumes:
        volume = client.find_volume(cinder, ref)
        failures = []
        if not args.policy.empty:
            volume_rows, failures = expire(cinder, protection, volume.id,
                                           args.policy, args.timezone,
                                           dry_run=args.dry_run)
            rows.extend(volume_rows)
        if not args.backup_policy.empty:
            # No --keep-* but --backup-keep-*: the backups alone.
            backup_rows, backup_failures = copies.expire(
                cinder, protection, volume.id, args.backup_policy,
                args.timezone, dry_run=args.dry_run)
            rows.extend(backup_rows)
            failures += backup_failures
        code = 1 if failures else code
    return rows, code


def name_rules(rows, rules):
    """A dry run's rows, each naming the rules its kind is counted by.

    Snapshots and backups may follow different rules (--backup-keep-*):
    the plan says which, next to what they decide.
    """
    for row in rows:
        row['rules'] = rules[row['kind']]
    return rows


def expire(cinder, protection, volume_id, policy, zone, dry_run=False,
           pending=None):
    """Apply ``policy`` to one volume; returns (rows, failure messages).

    Every snapshot of the volume gets a row, with the action and the
    reasons: a snapshot protect did not tag is listed as ignored, so that
    a dry run shows it is safe, and is never deleted. ``pending`` is a
    snapshot-like stand-in for one not made yet (``protect --dry-run``).
    """
    snapshots = {snapshot.id: snapshot for snapshot in
                 client.volume_snapshots(cinder, volume_id)}
    if pending is not None:
        # protect --dry-run: the protection it would make counts too.
        snapshots[pending.id] = pending
    decisions = retention.plan(
        [_candidate(snapshot) for snapshot in snapshots.values()], policy,
        zone)
    return carry_out(
        decisions, dry_run,
        lambda snapshot_id: runner.delete_protection(
            protection, snapshots[snapshot_id]),
        {'volume_id': volume_id, 'kind': 'snapshot'})


def carry_out(decisions, dry_run, delete, fields):
    """A row per decision, deleting what the plan drops unless dry_run.

    :param delete: ``id -> None``, raising ProtectionError on failure
    :param fields: what every row says besides the decision
    :returns: (rows, failure messages)
    """
    rows, failures = [], []
    for decision in decisions:
        candidate = decision.candidate
        row = {'id': candidate.id, **fields,
               'created_at': decision.local_time.isoformat(
                   timespec='seconds'),
               'status': candidate.status,
               'action': (decision.action if dry_run
                          else _DONE[decision.action]),
               'reasons': decision.reasons}
        rows.append(row)
        if dry_run or decision.action != retention.DELETE:
            continue
        try:
            delete(candidate.id)
        except exception.ProtectionError as e:
            row['action'] = 'delete failed'
            row['reasons'] = decision.reasons + [str(e)]
            failures.append(str(e))
    return rows, failures


def _candidate(snapshot):
    return retention.Candidate(
        id=snapshot.id, created_at=retention.parse_time(snapshot.created_at),
        status=snapshot.status,
        protection=client.PROTECTION_TAG in (snapshot.metadata or {}))
