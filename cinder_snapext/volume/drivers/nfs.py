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

"""SnapextNfsDriver: Cinder's NFS driver, assisted snapshots in phases."""

from cinder import context as cinder_context
from cinder import coordination
from cinder import objects as cinder_objects
from cinder.volume.drivers import nfs
from cinder.volume import volume_utils
from oslo_log import log as logging

from cinder_snapext.internals import remotefs
from cinder_snapext.volume.assisted import driver as assisted_driver
from cinder_snapext.volume.drivers import backup_device
from cinder_snapext.volume.drivers import delete_guard
from cinder_snapext.volume.drivers import remotefs_assisted as assisted
from cinder_snapext.volume.drivers import remotefs_manage as manage

LOG = logging.getLogger(__name__)

_VOLUME_LOCK = '{self.driver_prefix}-{volume.id}'
_SNAPSHOT_VOLUME_LOCK = '{self.driver_prefix}-{snapshot.volume.id}'


def _refuse_while_open(volume, snapshot_id=None):
    assisted.refuse_while_open(cinder_context.get_admin_context(), volume,
                               snapshot_id)


class SnapextNfsDriver(backup_device.SnapextBackupDeviceMixin,
                       assisted_driver.AssistedSnapshotDriver,
                       nfs.NfsDriver):
    """Set as ``volume_driver`` of an NFS backend.

    Snapshots of attached volumes run in phases driven by
    SnapextVolumeManager (begin asks Nova, complete runs on Nova's
    callback); offline snapshots take Cinder's path. Each phase holds the
    driver's per-volume lock for its own duration only.
    """

    def snapshot_needs_compute(self, snapshot):
        return assisted.needs_compute(self, snapshot)

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def create_snapshot_assisted_begin(self, context, snapshot):
        remotefs.check_snapshot_support(self)
        _refuse_while_open(snapshot.volume, snapshot.id)
        return assisted.create_begin(self, context, snapshot)

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def create_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        return assisted.create_complete(self, context, snapshot,
                                        admin_metadata)

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def create_snapshot_assisted_abort(self, context, snapshot,
                                       admin_metadata, reason):
        return assisted.create_abort(self, context, snapshot, admin_metadata,
                                     reason)

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def delete_snapshot_assisted_begin(self, context, snapshot):
        _refuse_while_open(snapshot.volume, snapshot.id)
        return assisted.delete_begin(self, context, snapshot)

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def delete_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        return assisted.delete_complete(self, context, snapshot,
                                        admin_metadata)

    # What reaches the driver without the volume manager's phase check
    # (backups of attached volumes, clones, extend, revert) must not touch
    # a chain that Nova is changing.

    def create_snapshot(self, snapshot):
        _refuse_while_open(snapshot.volume, snapshot.id)
        return super().create_snapshot(snapshot)

    def delete_snapshot(self, snapshot):
        _refuse_while_open(snapshot.volume, snapshot.id)
        return super().delete_snapshot(snapshot)

    def create_cloned_volume(self, volume, src_vref):
        _refuse_while_open(src_vref)
        return super().create_cloned_volume(volume, src_vref)

    def extend_volume(self, volume, new_size):
        _refuse_while_open(volume)
        return super().extend_volume(volume, new_size)

    def revert_to_snapshot(self, context, volume, snapshot):
        _refuse_while_open(volume)
        return super().revert_to_snapshot(context, volume, snapshot)

    # Import and export: Cinder's NFS driver has none of these.

    def manage_existing_snapshot_get_size(self, snapshot, existing_ref):
        """Size in GiB, rounded up, of an overlay of the volume's chain."""
        return manage.check_reference(self, snapshot, existing_ref)[1]

    @coordination.synchronized(_SNAPSHOT_VOLUME_LOCK)
    def manage_existing_snapshot(self, snapshot, existing_ref):
        _refuse_while_open(snapshot.volume)
        manage.manage(self, snapshot, existing_ref)

    def unmanage_snapshot(self, snapshot):
        """Forget the snapshot; its overlay and .info entry stay."""
        LOG.info('Snapshot %(id)s is no longer managed by Cinder; its file '
                 'stays in the chain of volume %(vol)s and imports again '
                 'with reference %(ref)s.',
                 {'id': snapshot.id, 'vol': snapshot.volume_id,
                  'ref': self.snapext_snapshot_reference(snapshot)})

    def snapext_snapshot_reference(self, snapshot):
        return manage.reference(self, snapshot)

    def get_manageable_snapshots(self, cinder_snapshots, marker, limit,
                                 offset, sort_keys, sort_dirs):
        """List the overlays of this backend's volumes (Cinder has none).

        What an export (unmanage) left on the share shows as safe to
        manage, with the volume to import it under in ``extra_info``.
        """
        filters = ({'cluster_name': self.cluster_name} if self.cluster_name
                   else {'host': self.host})
        volumes = cinder_objects.VolumeList.get_all(
            cinder_context.get_admin_context(), filters=filters)
        entries = manage.manageable_overlays(self, volumes, cinder_snapshots)
        return volume_utils.paginate_entries_list(
            entries, marker, limit, offset, sort_keys, sort_dirs)

    def snapext_backend_snapshots(self, volume):
        """Overlays in the volume's chain: one per snapshot, managed or not."""
        return manage.backend_snapshots(self, volume)

    def delete_volume(self, volume):
        """Refuse while exported snapshots remain in the volume's chain.

        Cinder's driver removes the active file and the .info file only,
        leaving the rest of the chain, exported snapshots included,
        orphaned on the share. Nothing is changed before the check.
        """
        delete_guard.refuse_with_backend_snapshots(
            volume, manage.unmanaged_overlays(self, volume))
        return super().delete_volume(volume)
