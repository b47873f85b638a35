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

"""Test doubles of the plugin's peers: Karbor's objects, Cinder, a clock."""

# Each behaves as its real counterpart does where the plugin can tell:
# Karbor's bank raises its own error for a missing key, Cinder answers 404
# with cinderclient's NotFound and moves a resource through scripted
# statuses, one per poll.

import itertools

from cinder_snapext.tests.unit.protection import fake_errors


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class BankGetObjectFailed(Exception):
    """What Karbor's banks raise for a key they do not hold."""


class FakeBankSection:
    def __init__(self):
        self.objects = {}

    def update_object(self, key, value, context=None):
        self.objects[key] = value

    def get_object(self, key, context=None):
        try:
            return self.objects[key]
        except KeyError:
            raise BankGetObjectFailed(key) from None

    def delete_object(self, key, context=None):
        del self.objects[key]


class FakeCheckpoint:
    def __init__(self, checkpoint_id='checkpoint-1'):
        self.id = checkpoint_id
        self.sections = {}

    def get_resource_bank_section(self, resource_id):
        return self.sections.setdefault(resource_id, FakeBankSection())


class FakeRecord:
    """Karbor's Restore or Verification object, as plugins use it."""

    def __init__(self, fail_save=False):
        self.resources_status = {}
        self.resources_reason = {}
        # Every status saved, in order: [(key, status)].
        self.history = []
        self._pending = []
        self._fail_save = fail_save

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.resources_status[key] = status
        self._pending.append((key, status))
        if isinstance(reason, str):
            self.resources_reason[key] = reason

    def save(self):
        if self._fail_save:
            raise RuntimeError('database is locked')
        self.history.extend(self._pending)
        self._pending = []


class FakeResource:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class _Manager:
    def __init__(self, cinder, prefix):
        self._cinder = cinder
        self._prefix = prefix
        self._ids = itertools.count(1)
        self.items = {}
        self.scripts = {}

    def add(self, statuses, **fields):
        """A resource whose status follows ``statuses``, one per get.

        The last status stays; None means Cinder deleted the resource.
        """
        statuses = [statuses] if isinstance(statuses, str) else statuses
        item = FakeResource(id='%s-%d' % (self._prefix, next(self._ids)),
                            status=statuses[0], **fields)
        self.items[item.id] = item
        self.scripts[item.id] = list(statuses)
        return item

    def get(self, resource_id):
        failure = self._cinder.get_failures.pop(0) if (
            self._cinder.get_failures) else None
        if failure is not None:
            raise failure
        item = self.items.get(resource_id)
        if item is None:
            raise fake_errors.http_error(404)
        script = self.scripts[resource_id]
        if script:
            item.status = script.pop(0)
            if item.status is None:
                del self.items[resource_id]
                raise fake_errors.http_error(404)
        return item

    def list(self, search_opts=None):
        search_opts = search_opts or {}
        return [item for item in self.items.values()
                if all(getattr(item, key, None) == value
                       for key, value in search_opts.items())]


class FakeVolumes(_Manager):
    def __init__(self, cinder):
        super().__init__(cinder, 'volume')
        self.created_statuses = ['creating', 'available']

    def create(self, size, snapshot_id=None, name=None, description=None):
        snapshot = self._cinder.volume_snapshots.items[snapshot_id]
        if size < snapshot.size:
            raise fake_errors.http_error(400)
        return self.add(list(self.created_statuses), size=size, name=name,
                        description=description, snapshot_id=snapshot_id)


class FakeSnapshots(_Manager):
    def __init__(self, cinder):
        super().__init__(cinder, 'snapshot')
        self.created_statuses = ['creating', 'available']
        self.delete_statuses = ['deleting', None]
        self.refuse_delete = False

    def create(self, volume_id, force=False, name=None, description=None,
               metadata=None):
        volume = self._cinder.volumes.items[volume_id]
        self._cinder.created_with_force.append(force)
        return self.add(list(self.created_statuses), volume_id=volume_id,
                        size=volume.size, name=name,
                        description=description, metadata=metadata or {},
                        created_at=self._cinder.stamp(6, len(self.items)))

    def set_metadata(self, snapshot_id, metadata):
        if snapshot_id not in self.items:
            raise fake_errors.http_error(404)
        self.items[snapshot_id].metadata.update(metadata)

    def delete(self, snapshot_id):
        if snapshot_id not in self.items:
            raise fake_errors.http_error(404)
        if self.refuse_delete:
            raise fake_errors.http_error(
                400, 'Snapshot status must be available or error')
        self.items[snapshot_id].status = self.delete_statuses[0]
        self.scripts[snapshot_id] = list(self.delete_statuses)


class FakeBackups(_Manager):
    """Backups as Cinder keeps them: incremental ones need a parent.

    A parent with children cannot be deleted.
    """

    def __init__(self, cinder):
        super().__init__(cinder, 'backup')
        self.created_statuses = ['creating', 'available']
        self.parents = {}

    def add(self, statuses, **fields):
        fields.setdefault('is_incremental', False)
        fields.setdefault('has_dependent_backups', False)
        return super().add(statuses, **fields)

    def create(self, volume_id, name=None, incremental=False,
               snapshot_id=None, metadata=None):
        parents = sorted((backup for backup in self.items.values()
                          if backup.volume_id == volume_id and
                          backup.status == 'available'),
                         key=lambda backup: backup.created_at)
        if incremental and not parents:
            raise fake_errors.http_error(
                400, 'No backups available to do an incremental '
                             'backup.')
        backup = self.add(list(self.created_statuses), volume_id=volume_id,
                          name=name, snapshot_id=snapshot_id, size=1,
                          is_incremental=incremental,
                          metadata=metadata or {},
                          created_at=self._cinder.stamp(7, len(self.items)))
        if incremental:
            self.parents[backup.id] = parents[-1].id
            parents[-1].has_dependent_backups = True
        return backup

    def delete(self, backup_id):
        backup = self.items.get(backup_id)
        if backup is None:
            raise fake_errors.http_error(404)
        if backup.has_dependent_backups:
            raise fake_errors.http_error(
                400, 'Incremental backups exist for this backup.')
        parent = self.parents.pop(backup_id, None)
        if parent is not None and parent not in self.parents.values():
            self.items[parent].has_dependent_backups = False
        backup.status = 'deleting'
        self.scripts[backup_id] = ['deleting', None]


class FakeRestores:
    def __init__(self, cinder):
        self._cinder = cinder
        self.restored_statuses = ['restoring-backup', 'available']

    def restore(self, backup_id, volume_id=None, name=None):
        backup = self._cinder.backups.items[backup_id]
        volume = self._cinder.volumes.add(
            list(self.restored_statuses), size=backup.size, name=name,
            backup_id=backup_id)
        return FakeResource(backup_id=backup_id, volume_id=volume.id,
                            volume_name=name)


class FakeMessages:
    """Cinder's user messages; ``fail`` makes the listing raise it."""

    def __init__(self):
        self.items = []
        self.fail = None

    def add(self, resource_uuid, user_message, created_at):
        self.items.append(FakeResource(
            resource_uuid=resource_uuid, user_message=user_message,
            created_at=created_at))

    def list(self, search_opts=None):
        if self.fail is not None:
            raise self.fail
        wanted = (search_opts or {}).get('resource_uuid')
        return [message for message in self.items
                if wanted in (None, message.resource_uuid)]


class FakeCinder:
    """resources.Client, as far as the plugin uses it."""

    def __init__(self, microversion='3.71'):
        self.microversion = microversion
        self.volumes = FakeVolumes(self)
        self.volume_snapshots = FakeSnapshots(self)
        self.backups = FakeBackups(self)
        self.restores = FakeRestores(self)
        self.messages = FakeMessages()
        self.created_with_force = []
        # Exceptions the next gets raise, one each, before answering.
        self.get_failures = []
        # A wall clock's now() dates new items (naive UTC, as Cinder's).
        self.wall_clock = None

    def stamp(self, hour, count):
        if self.wall_clock is not None:
            return self.wall_clock.now().replace(tzinfo=None).isoformat()
        return '2026-11-22T%02d:%02d:00' % (hour, count)

