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

from cinder import exception
from cinder.volume.drivers import rbd
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def is_internal_snapshot(name):
    """Snapshots that Cinder's RBD driver makes and cleans up itself."""
    # '<volume>.clone_snap' backs clones; 'backup.<id>.snap.<time>' backs
    # incremental Ceph backups, removed by the driver's own delete.
    return name.endswith('.clone_snap') or (
        name.startswith('backup.') and '.snap.' in name)


class SnapextRBDDriver(rbd.RBDDriver):
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

    def delete_volume(self, volume):
        """Refuse while exported snapshots remain on the image.

        Cinder's driver would move the image, snapshots and all, to the
        RBD trash and report success; the spec asks for VolumeIsBusy, which
        the manager turns back into 'available'.
        """
        remaining = self.snapext_backend_snapshots(volume)
        if remaining:
            LOG.warning('Volume %(volume)s still has snapshots %(snaps)s '
                        'on its image; not deleting it.',
                        {'volume': volume.id, 'snaps': remaining})
            raise exception.VolumeIsBusy(volume_name=volume.name)
        return super().delete_volume(volume)
