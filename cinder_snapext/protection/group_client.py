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

"""Cinder's generic volume group calls, for protecting a group at once."""

from cinder_snapext.protection import client
from cinder_snapext.protection import exception

# Group snapshots, and groups created from them, from this one on.
GROUPS_MICROVERSION = '3.14'
# Where protect tags the snapshots a protection group snapshot holds. Not
# PROTECTION_TAG: Cinder refuses to delete one snapshot of a group
# snapshot, so per-volume retention must not count them as its own.
GROUP_TAG = 'snapext-group-protection'


def check_microversion(cinder):
    """Refuse, in words, a server too old for group snapshots."""
    if not client.supports(cinder, GROUPS_MICROVERSION):
        raise exception.GroupsNeedMicroversion(
            version=GROUPS_MICROVERSION, server=cinder.microversion)


def find_group(cinder, name_or_id):
    """The group with this ID, or else the only one with this name."""
    check_microversion(cinder)
    return client.find(cinder.groups, name_or_id, 'Group')


def find_group_snapshot(cinder, name_or_id):
    """The group snapshot with this ID, or else the only one so named."""
    check_microversion(cinder)
    return client.find(cinder.group_snapshots, name_or_id, 'Group snapshot')


def get_group(cinder, group_id):
    """The group, or None if Cinder answers 404."""
    try:
        return cinder.groups.get(group_id)
    except client.NotFound:
        return None


def get_group_snapshot(cinder, group_snapshot_id):
    """The group snapshot, or None if Cinder answers 404."""
    try:
        return cinder.group_snapshots.get(group_snapshot_id)
    except client.NotFound:
        return None


def group_volumes(cinder, group_id):
    """The volumes of a group (Cinder's group_id volume filter)."""
    return sorted(cinder.volumes.list(search_opts={'group_id': group_id}),
                  key=lambda volume: volume.id)


def create_group_snapshot(cinder, group_id, name, description):
    return cinder.group_snapshots.create(group_id, name=name,
                                         description=description)


def delete_group_snapshot(cinder, group_snapshot_id):
    cinder.group_snapshots.delete(group_snapshot_id)


def group_snapshots(cinder, group_id):
    """Every group snapshot of a group, ours or not, newest first."""
    found = [snapshot for snapshot in cinder.group_snapshots.list(
                 search_opts={'group_id': group_id})
             if snapshot.group_id == group_id]
    return sorted(found, key=lambda snapshot: snapshot.created_at,
                  reverse=True)


def members(cinder):
    """The snapshots that belong to group snapshots: {id: [snapshot]}.

    One listing for all of them: Cinder's snapshot list filters do not
    include group_snapshot_id (resource_filters.json).
    """
    found: dict[str, list] = {}
    for snapshot in cinder.volume_snapshots.list():
        owner = getattr(snapshot, 'group_snapshot_id', None)
        if owner:
            found.setdefault(owner, []).append(snapshot)
    return found


def is_protection(member_snapshots):
    """Whether protect made the group snapshot these snapshots belong to."""
    return any(GROUP_TAG in (snapshot.metadata or {})
               for snapshot in member_snapshots)


def create_group_from_snapshot(cinder, group_snapshot_id, name,
                               description):
    """A new group of new volumes from a group snapshot; its id."""
    return cinder.groups.create_from_src(
        group_snapshot_id, None, name=name, description=description)['id']
