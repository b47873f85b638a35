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

"""Assisted snapshots in the volume manager: requests to the coordinator."""

from cinder import objects as cinder_objects

from cinder_snapext.internals import volume_manager
from cinder_snapext.volume.assisted import coordinator
from cinder_snapext.volume.assisted import slots


class AssistedSnapshotMixin:
    """Hands create/delete_snapshot to the assisted-snapshot coordinator.

    The engine is ``volume/assisted/``; this class only routes: requests
    for a driver that takes snapshots in phases go to ``self.assisted``,
    the rest to Cinder. The coordinator reaches back for the few things
    only a manager has (its driver, host, user messages, notifications and
    Cinder's own create/delete_snapshot).
    """

    @property
    def assisted(self):
        """This service's AssistedSnapshotCoordinator."""
        # A property, not __init__: Cinder builds the manager through a
        # long chain of __init__s, and the completing copy shares it.
        found = self.__dict__.get('_snapext_assisted')
        if found is None or found.manager is not self:
            found = coordinator.AssistedSnapshotCoordinator(self)
            self.__dict__['_snapext_assisted'] = found
        return found

    @cinder_objects.Snapshot.set_workers
    def create_snapshot(self, context, snapshot):
        if not self.assisted.enabled():
            return super().create_snapshot(context, snapshot)
        with slots.process_slots().held('Snapshot create %s' % snapshot.id):
            return self.assisted.create(context, snapshot)

    def delete_snapshot(self, context, snapshot, unmanage_only=False):
        if unmanage_only or not self.assisted.enabled():
            return super().delete_snapshot(context, snapshot,
                                           unmanage_only=unmanage_only)
        with slots.process_slots().held('Snapshot delete %s' % snapshot.id):
            return self.assisted.delete(context, snapshot)

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        self.assisted.resume()

    # What the coordinator calls back: Cinder's own create/delete_snapshot
    # (with our other mixins), and its snapshot notifications.

    def cinder_create_snapshot(self, context, snapshot):
        return super().create_snapshot(context, snapshot)

    def cinder_delete_snapshot(self, context, snapshot):
        return super().delete_snapshot(context, snapshot)

    def notify_snapshot_usage(self, context, snapshot, event_suffix):
        volume_manager.notify_snapshot_usage(self, context, snapshot,
                                             event_suffix)

    def skip_snapshot_usage_start(self):
        """On the copy that completes a phase: '.start' went at its begin."""
        volume_manager.skip_snapshot_usage_start(self)
