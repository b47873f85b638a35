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

"""SnapextRBDDriver: Cinder's RBD driver, keeping exported snapshots safe."""

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.volume.drivers import rbd
from cinder.volume import volume_utils
from oslo_config import cfg
from oslo_log import log as logging

from cinder_snapext.internals import rbd as internal_rbd
from cinder_snapext import opts
from cinder_snapext.volume.drivers import backup_device
from cinder_snapext.volume.drivers import delete_guard
from cinder_snapext.volume.drivers import rbd_backup_source
from cinder_snapext.volume.drivers import rbd_manageable

CONF = cfg.CONF

LOG = logging.getLogger(__name__)


def is_internal_snapshot(name):
    """Snapshots that Cinder's RBD driver makes and cleans up itself."""
    # '<volume>.clone_snap' backs clones; 'backup.<id>.snap.<time>' backs
    # incremental Ceph backups, removed by the driver's own delete.
    return name.endswith('.clone_snap') or (
        name.startswith('backup.') and '.snap.' in name)


class SnapextRBDDriver(backup_device.SnapextBackupDeviceMixin,
                       rbd.RBDDriver):
    """Set as ``volume_driver`` of a Ceph RBD backend."""

    def snapext_backend_snapshots(self, volume):
        """Names of the user snapshots on the volume's image."""
        try:
            with rbd.RBDVolumeProxy(self, volume.name,
                                    read_only=True) as image:
                # librbd's listing is a lazy iterator over the open image:
                # read it before the image closes.
                return [s['name'] for s in image.list_snaps()
                        if not is_internal_snapshot(s['name'])]
        except self.rbd.ImageNotFound:
            return []

    def snapext_snapshot_reference(self, snapshot):
        # Managed snapshots keep their name on the image after unmanage.
        return {'source-name': snapshot.name}

    def snapext_backup_source(self, snapshot):
        """Where ``snapshot`` is, for a backup service that reads RBD.

        cinder-snapext's Ceph backup driver then reads the snapshot itself
        instead of Cinder cloning it into a temporary volume and attaching
        that. None keeps Cinder's way: ``[snapext] backup_snapshot_in_place``
        off, or a keyring handed out in connections (cinderlib), which
        this path does not carry.
        """
        if not CONF[opts.GROUP].backup_snapshot_in_place or self.keyring_data:
            return None
        cluster_name, _conf, user, _secret = internal_rbd.config_tuple(self)
        if not hasattr(self, '_snapext_monitors'):
            self._snapext_monitors = rbd_backup_source.MonitorCache()
        mons = self._snapext_monitors.get(lambda: rbd.RADOSClient(self))
        return rbd_backup_source.snapshot_source(
            self.configuration.rbd_pool, snapshot.volume_name, snapshot.name,
            cluster_name, user, mons)

    def delete_volume(self, volume):
        """Refuse while exported snapshots remain on the image.

        Cinder's driver would move the image, snapshots and all, to the
        RBD trash and report success; the spec asks for VolumeIsBusy, which
        the manager turns back into 'available'.
        """
        delete_guard.refuse_with_backend_snapshots(
            volume, self.snapext_backend_snapshots(volume))
        return super().delete_volume(volume)

    def get_manageable_snapshots(self, cinder_snapshots, marker, limit,
                                 offset, sort_keys, sort_dirs):
        """List the pool's snapshots, importable only under our volumes.

        Cinder's listing calls a snapshot safe to manage whatever image it
        is on, although an import needs the image to be one of this
        backend's volumes (with two clouds on one pool, most images are
        not), and one image deleted meanwhile fails the whole listing.
        """
        filters = ({'cluster_name': self.cluster_name} if self.cluster_name
                   else {'host': self.host})
        volumes = cinder_objects.VolumeList.get_all(
            cinder_context.get_admin_context(), filters=filters)
        with rbd.RADOSClient(self) as client:
            def open_image(name):
                return rbd.RBDVolumeProxy(self, name, read_only=True,
                                          client=client.cluster,
                                          ioctx=client.ioctx)
            found = list(rbd_manageable.pool_snapshots(
                self.RBDProxy().list(client.ioctx), open_image,
                self.rbd.Error))
        entries = rbd_manageable.manageable_snapshots(
            found, volumes, cinder_snapshots, is_internal_snapshot)
        return volume_utils.paginate_entries_list(
            entries, marker, limit, offset, sort_keys, sort_dirs)
