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

"""Backups of RBD snapshots read in place: no temporary volume, no attach."""

from cinder import objects
from oslo_log import log as logging

from cinder_snapext.backup import rbd_source
from cinder_snapext.internals import connector
# The call's timeout is a [snapext] option; cinder-backup loads nothing
# else of ours that registers them.
from cinder_snapext import opts  # noqa: F401
from cinder_snapext.volume import rpcapi as snapext_rpcapi

LOG = logging.getLogger(__name__)


def wants_direct_read(driver_class, backup, volume):
    """Whether to ask the volume service where the snapshot is.

    Only for a backup of a snapshot, with a backup driver that reads RBD
    snapshots itself; an encrypted volume keeps Cinder's path, which
    copies the volume's key for the backup first.
    """
    return bool(backup.snapshot_id
                and getattr(driver_class, 'snapext_reads_rbd_snapshots',
                            False)
                and volume.encryption_key_id is None)


class DirectSnapshotReadMixin:
    """Backup manager steps for snapshots the backup driver reads itself.

    Cinder asks the volume service for a device (a cast), which clones the
    snapshot into a temporary volume and calls back; the backup service
    then attaches that volume through os-brick (one more call, in which the
    RBD driver runs ``ceph mon dump``), reads it, detaches it and has the
    volume service delete it. Here one call asks the volume service where
    the snapshot is, and Cinder's own continue_backup runs at once with the
    snapshot as the device, so every status change, notification, message
    and error path stays Cinder's. A volume service or driver that cannot
    say (stock, other backends, ``backup_snapshot_in_place`` off) leaves
    Cinder's way untouched.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Snapshot id -> RBDSnapshotSource while its backup runs; the
        # snapshot's status (backing-up) admits one backup at a time.
        self._snapext_sources = {}
        connector.install()

    def _snapext_source(self, context, backup, volume):
        """The snapshot and where to read it, or (None, None).

        A failing call (volume service down: VolumeServiceTimeout) fails
        the backup through Cinder's own handling in create_backup.
        """
        if not wants_direct_read(self.service, backup, volume):
            return None, None
        snapshot = objects.Snapshot.get_by_id(context, backup.snapshot_id)
        # The call is routed by the snapshot's volume, which the manager
        # has loaded already: neither service reads it from the database
        # again.
        snapshot.volume = volume
        location = snapext_rpcapi.SnapextVolumeAPI().get_backup_source(
            context, snapshot)
        if not location:
            return None, None
        return snapshot, rbd_source.RBDSnapshotSource(location)

    def _start_backup(self, context, backup, volume):
        snapshot, source = self._snapext_source(context, backup, volume)
        if source is None:
            return super()._start_backup(context, backup, volume)
        LOG.info('Backup %(backup)s reads %(pool)s/%(image)s@%(snap)s in '
                 'place.', {'backup': backup.id, 'pool': source.rbd_pool,
                            'image': source.snapext_image,
                            'snap': source.snapext_snapshot})
        self._snapext_sources[snapshot.id] = source
        # The volume create_backup loaded: the driver needs no reread.
        source.snapext_volume = volume
        try:
            # What the volume service's callback would start; os-brick's
            # connector properties are for the attach that never happens.
            with connector.in_place():
                self.continue_backup(
                    context, backup, objects.BackupDeviceInfo(
                        snapshot=snapshot, secure_enabled=False))
        finally:
            self._snapext_sources.pop(snapshot.id, None)

    def _attach_device(self, ctxt, backup_device, properties,
                       is_snapshot=False):
        source = (self._snapext_sources.get(backup_device.id)
                  if is_snapshot else None)
        if source is None:
            return super()._attach_device(ctxt, backup_device, properties,
                                          is_snapshot=is_snapshot)
        return {'device': {'path': source}, 'connector': None, 'conn': None}

    def _detach_device(self, ctxt, attach_info, device, properties,
                       is_snapshot=False, force=False, ignore_errors=False):
        if (attach_info['connector'] is None
                and rbd_source.is_source(attach_info['device']['path'])):
            return
        return super()._detach_device(ctxt, attach_info, device, properties,
                                      is_snapshot=is_snapshot, force=force,
                                      ignore_errors=ignore_errors)
