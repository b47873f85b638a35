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

"""Cinder's generic volume groups, as far as group protection uses them."""

# As Cinder 29 does: a group snapshot gets one snapshot per volume of the
# group when the API accepts it; those snapshots cannot be deleted one by
# one; deleting the group snapshot deletes them; a group made from a
# group snapshot has one new volume per snapshot.

from cinder_snapext.tests.unit.protection import fake_errors
from cinder_snapext.tests.unit.protection import fakes


class FakeGroupSnapshots(fakes._Manager):
    def __init__(self, cinder):
        super().__init__(cinder, 'group-snapshot')
        self.created_statuses = ['creating', 'available']
        self.created_at = None

    def create(self, group_id, name=None, description=None):
        cinder = self._cinder
        created_at = self.created_at or '2026-11-22T07:%02d:00' % len(
            self.items)
        point = self.add(list(self.created_statuses), group_id=group_id,
                         name=name, description=description,
                         created_at=created_at)
        for volume in cinder.volumes.list(search_opts={'group_id':
                                                       group_id}):
            cinder.volume_snapshots.add(
                list(cinder.volume_snapshots.created_statuses),
                volume_id=volume.id, size=volume.size, name=None,
                metadata={}, group_snapshot_id=point.id,
                created_at=created_at)
        return point

    def delete(self, point_id):
        if point_id not in self.items:
            raise fake_errors.http_error(404)
        self.items[point_id].status = 'deleting'
        self.scripts[point_id] = ['deleting', None]
        snapshots = self._cinder.volume_snapshots
        for snapshot in list(snapshots.items.values()):
            if getattr(snapshot, 'group_snapshot_id', None) == point_id:
                del snapshots.items[snapshot.id]


class FakeGroups(fakes._Manager):
    def __init__(self, cinder):
        super().__init__(cinder, 'group')
        self.created_statuses = ['creating', 'available']

    def create_from_src(self, group_snapshot_id, source_group_id, name=None,
                        description=None):
        cinder = self._cinder
        point = cinder.group_snapshots.items[group_snapshot_id]
        source = self.items[point.group_id]
        group = self.add(list(self.created_statuses), name=name,
                         description=description,
                         group_type=source.group_type)
        for snapshot in cinder.volume_snapshots.list(
                search_opts={'group_snapshot_id': group_snapshot_id}):
            cinder.volumes.add(['creating', 'available'], size=snapshot.size,
                               name=None, snapshot_id=snapshot.id,
                               group_id=group.id)
        return {'id': group.id, 'name': name}


class FakeGroupSnapshotMembers(fakes.FakeSnapshots):
    def delete(self, snapshot_id):
        snapshot = self.items.get(snapshot_id)
        if snapshot is not None and getattr(snapshot, 'group_snapshot_id',
                                            None):
            raise fake_errors.http_error(
                400, 'Snapshot %s must not be part of a group.'
                % snapshot_id)
        super().delete(snapshot_id)


class FakeGroupCinder(fakes.FakeCinder):
    """FakeCinder with groups; ``group`` holds two volumes."""

    def __init__(self, microversion='3.71'):
        super().__init__(microversion)
        self.volume_snapshots = FakeGroupSnapshotMembers(self)
        self.groups = FakeGroups(self)
        self.group_snapshots = FakeGroupSnapshots(self)
        self.group = self.groups.add('available', name='app',
                                     group_type='snapext-group')
        self.members = [self.volumes.add('available', size=size,
                                         name='app-%d' % size,
                                         group_id=self.group.id)
                        for size in (1, 2)]
