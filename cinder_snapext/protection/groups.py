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

"""Groups: the volumes of a Cinder group protected by one group snapshot.

One group snapshot is one protection point for all the group's volumes:
one instant for all of them (crash-consistent where the backend snapshots
a group at once; Cinder's generic path, used on RBD, snapshots the volumes
one after another, so a --pre hook should quiesce the application). The
point's snapshots carry GROUP_TAG; retention deletes only group snapshots
whose snapshots do, and restore makes a new group of new volumes.
"""

import datetime
import functools
import uuid

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import expiry
from cinder_snapext.protection import group_client
from cinder_snapext.protection import hooks
from cinder_snapext.protection import removal
from cinder_snapext.protection import retention
from cinder_snapext.protection import statuses

PENDING = '(new)'


def protect(args, cinder, protection):
    """protect --group: (result, exit status), as the volume command."""
    group = group_client.find_group(cinder, args.group)
    volumes = group_client.group_volumes(cinder, group.id)
    if args.dry_run:
        return _dry_run(args, cinder, protection, group, volumes), 0
    checkpoint_id = str(uuid.uuid4())
    env = {'SNAPEXT_GROUP_ID': group.id,
           'SNAPEXT_CHECKPOINT_ID': checkpoint_id}
    point = None
    ran, error = hooks.before(args, env, 'no group snapshot taken')
    if error is None:
        try:
            point = _snapshot(cinder, protection, group, volumes,
                              checkpoint_id, args)
        except exception.GroupProtectFailed as e:
            if not (args.pre or args.post):
                raise
            error = str(e)
            point = e.kwargs.get('point')
    error = hooks.after(args, dict(
        env, SNAPEXT_PROTECT_STATUS='error' if error else 'available',
        SNAPEXT_GROUP_SNAPSHOT_ID=getattr(point, 'id', '') or '',
        SNAPEXT_PROTECT_ERROR=error or ''), ran, error)
    result = (point_row(point, group_client.members(cinder).get(point.id))
              if point is not None else
              {'id': None, 'group_id': group.id, 'status': 'skipped',
               'checkpoint_id': checkpoint_id})
    for name, hook in ran.items():
        result['%s_hook' % name] = hook.as_dict()
    if error is not None:
        result['error'] = error
        return result, 1
    if args.policy.empty:
        return result, 0
    rows, failures = expire(cinder, protection, group.id, args.policy,
                            args.timezone)
    result['expired'] = [row['id'] for row in rows
                         if row['action'] == 'deleted']
    if failures:
        result['expiry_errors'] = failures
    return result, 1 if failures else 0


def _snapshot(cinder, protection, group, volumes, checkpoint_id, args):
    """Take the group snapshot, tag its snapshots, wait until available."""
    if not volumes:
        raise exception.GroupProtectFailed(
            group_id=group.id, reason='the group has no volumes')
    attached = [volume.id for volume in volumes if volume.status == 'in-use']
    if attached and not args.force:
        # As for one volume: an attached volume is snapshotted only when
        # the operator says the application is quiesced.
        raise exception.GroupProtectFailed(
            group_id=group.id,
            reason=exception.VolumeAttached(volume_id=attached[0]))
    name = args.name or 'snapshot-%s@%s' % (checkpoint_id, group.id)
    point = None
    try:
        point = group_client.create_group_snapshot(
            cinder, group.id, name, args.description)
        # The group API made one snapshot per volume before answering:
        # tag them now, so that even a failed point is found and expired.
        tag = {group_client.GROUP_TAG: checkpoint_id}
        for snapshot in group_client.members(cinder).get(point.id, []):
            client.set_snapshot_metadata(cinder, snapshot.id, tag)
        point_id = point.id
        return protection.waiter('snapshot_timeout').wait(
            'Group snapshot', point_id,
            lambda: group_client.get_group_snapshot(cinder, point_id),
            statuses.GROUP_SNAPSHOT_AVAILABLE, status=point.status)
    except (exception.ProtectionError, client.ClientException) as e:
        raise exception.GroupProtectFailed(
            group_id=group.id, group_snapshot_id=getattr(point, 'id', None),
            point=point, reason=client.reason(e)) from e


def point_row(point, snapshots=None):
    """What the commands print of a group protection point."""
    snapshots = snapshots or []
    tags = ((s.metadata or {}).get(group_client.GROUP_TAG)
            for s in snapshots)
    checkpoints = {tag for tag in tags if tag is not None}
    return {'id': point.id, 'group_id': point.group_id, 'name': point.name,
            'status': point.status, 'created_at': point.created_at,
            'checkpoint_id': min(checkpoints) if checkpoints else None,
            'snapshots': {s.volume_id: s.id for s in snapshots}}


def expire(cinder, protection, group_id, policy, zone, dry_run=False,
           pending=None):
    """Apply ``policy`` to a group's group snapshots; (rows, failures).

    A group snapshot whose snapshots lack GROUP_TAG was not made by
    protect: listed, never deleted.
    """
    points = {point.id: point
              for point in group_client.group_snapshots(cinder, group_id)}
    owned = group_client.members(cinder)
    candidates = [retention.Candidate(
        id=point.id, created_at=retention.parse_time(point.created_at),
        status=point.status,
        protection=group_client.is_protection(owned.get(point.id, [])))
        for point in points.values()]
    if pending is not None:
        candidates.append(pending)
    return expiry.carry_out(
        retention.plan(candidates, policy, zone), dry_run,
        functools.partial(delete, cinder, protection),
        {'group_id': group_id, 'kind': 'group snapshot'})


def delete(cinder, protection, point_id):
    """Delete a group snapshot and its snapshots; gone counts as done."""
    removal.delete_and_wait(
        protection.waiter('delete_timeout'), 'Group snapshot', point_id,
        functools.partial(group_client.delete_group_snapshot, cinder),
        lambda: group_client.get_group_snapshot(cinder, point_id),
        statuses.GROUP_SNAPSHOT_DELETED, tolerated=('deleting',))


def restore(cinder, protection, point, name, description):
    """A new group with a new volume per protected one; its row.

    Together, not volume by volume: the new volumes share the instant and
    the group type, and the new group can be protected in turn.
    """
    snapshots = group_client.members(cinder).get(point.id, [])
    if not group_client.is_protection(snapshots):
        raise exception.NotAGroupProtection(
            group_snapshot_id=point.id, tag=group_client.GROUP_TAG)
    name = name or 'group-%s' % point.id
    group_id = None
    try:
        group_id = group_client.create_group_from_snapshot(
            cinder, point.id, name, description)
        group = protection.waiter('restore_timeout').wait(
            'Group', group_id,
            lambda: group_client.get_group(cinder, group_id),
            statuses.GROUP_RESTORED)
        volumes = group_client.group_volumes(cinder, group_id)
    except (exception.ProtectionError, client.ClientException) as e:
        raise exception.GroupRestoreFailed(
            group_snapshot_id=point.id, group_id=group_id,
            reason=client.reason(e)) from e
    source = {snapshot.id: snapshot.volume_id for snapshot in snapshots}
    return {'id': group.id, 'name': group.name, 'status': group.status,
            'group_snapshot_id': point.id, 'source_group_id': point.group_id,
            'volumes': [{'id': volume.id, 'status': volume.status,
                         'size': volume.size,
                         'source_volume_id': source.get(
                             getattr(volume, 'snapshot_id', None))}
                        for volume in volumes]}


def latest(cinder, group_ref):
    """The newest available protection point of a group."""
    group = group_client.find_group(cinder, group_ref)
    owned = group_client.members(cinder)
    for point in group_client.group_snapshots(cinder, group.id):
        if point.status == 'available' and group_client.is_protection(
                owned.get(point.id, [])):
            return point
    raise exception.NoAvailableGroupProtection(group_id=group.id)


def points(cinder, group_ref):
    """The rows of a group's protection points, newest first."""
    group = group_client.find_group(cinder, group_ref)
    owned = group_client.members(cinder)
    return [point_row(point, owned.get(point.id))
            for point in group_client.group_snapshots(cinder, group.id)
            if group_client.is_protection(owned.get(point.id, []))]


def _dry_run(args, cinder, protection, group, volumes):
    steps = []
    if args.pre:
        steps.append('run pre hook: %s' % args.pre)
    attached = [v.id for v in volumes if v.status == 'in-use']
    if not volumes:
        steps.append('refuse: group %s has no volumes' % group.id)
    elif attached and not args.force:
        steps.append('refuse: volume %s is in-use and --force is not '
                     'given' % attached[0])
    else:
        steps.append('snapshot group %s at once: volumes %s' % (
            group.id, ', '.join(v.id for v in volumes)))
    if args.post:
        steps.append('run post hook: %s' % args.post)
    result = {'group_id': group.id, 'volumes': [v.id for v in volumes],
              'steps': steps, 'expiry': []}
    if not args.policy.empty:
        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        result['expiry'] = expire(
            cinder, protection, group.id, args.policy, args.timezone,
            dry_run=True, pending=retention.Candidate(
                id=PENDING, created_at=now, status='available'))[0]
    return result
