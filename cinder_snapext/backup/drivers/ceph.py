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

"""SnapextCephBackupDriver: differential backups of RBD snapshots."""

import functools

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import context as cinder_context
from cinder.message import message_field
from cinder import objects
from cinder.volume.drivers import rbd as rbd_driver
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import excutils

from cinder_snapext.backup import metadata_object
from cinder_snapext.backup import rados_connections
from cinder_snapext.backup import rbd_backup
from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import rbd_source
from cinder_snapext.backup import restore_points
from cinder_snapext.backup import unfinished
from cinder_snapext import concurrency
from cinder_snapext.internals import backup as internal_backup
from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

def snapshot_rbd_name(snapshot_id):
    """The RBD snapshot name Cinder's RBD driver gives a Cinder snapshot."""
    return CONF.snapshot_name_template % snapshot_id


def takes_our_path(backup):
    """Backups Cinder's driver would copy in full although RBD can diff.

    A backup of a snapshot, and a backup of the volume whose parent is a
    backup of a snapshot (no ``backup.<id>`` snapshot on the volume).
    """
    if backup.snapshot_id:
        return True
    return bool(backup.parent_id and backup.parent.snapshot_id)


def is_ours(backup):
    """Whether backup's image was made by this driver (not Cinder's)."""
    return rbd_chain.made_by_us(backup.service_metadata)


class SnapextCephBackupDriver(cinder_ceph.CephBackupDriver):
    """Cinder's Ceph backup driver, differential for snapshots too.

    A backup of a snapshot on an RBD volume is a clone of its parent's
    restore point in the backup pool plus the RBD diff between the
    parent's data and the snapshot; restore, delete and every other
    backup are Cinder's own.
    """

    # Stored as Cinder's driver stores its backups (SnapextBackupManager).
    snapext_record_as = 'cinder.backup.drivers.ceph.CephBackupDriver'
    # SnapextBackupManager may hand over an RBDSnapshotSource instead of an
    # attached device: a snapshot this driver opens itself.
    snapext_reads_rbd_snapshots = True
    # The process's cluster connections, kept across backups: Cinder makes
    # a driver per backup.
    _snapext_connections = rados_connections.CONNECTIONS

    def backup(self, backup, volume_file, backup_metadata=True):
        if backup.parent_id and is_ours(backup.parent):
            # Both incremental paths start from the parent's restore
            # point: wait for it if it is on its way here, take it if it
            # never came (another service's backup, or a service died).
            restore_points.PENDING.wait(backup.parent_id)
            concurrency.run_blocking(self._snapext_point, backup.parent)
        in_place = rbd_source.is_source(volume_file)
        if not (in_place or (internal_backup.file_is_rbd(self, volume_file)
                             and takes_our_path(backup))):
            return super().backup(backup, volume_file,
                                  backup_metadata=backup_metadata)
        if not backup.container:
            # Saved with the backup's result below, or with its error
            # status by Cinder: one database write fewer per backup.
            backup.container = internal_backup.backup_pool(self)
        job, pool = self._snapext_job(backup, volume_file)
        container = backup.container
        rados_args = self._snapext_rados_args(volume_file)
        if backup_metadata:
            result = metadata_object.copy_beside_read(
                functools.partial(self._snapext_run, job, pool, rados_args,
                                  container, backup.id),
                functools.partial(self.get_metadata, backup.volume_id))
        else:
            result = concurrency.run_blocking(self._snapext_run, job, pool,
                                              rados_args, container)
        plan = result.plan
        if plan.reason:
            self._snapext_fall_back(backup, plan.reason)
        backup.service_metadata = rbd_chain.service_metadata(
            job.dest_image, plan.mode, result.moved, plan.code)
        try:
            backup.save()
        except Exception:
            with excutils.save_and_reraise_exception():
                # Cinder saves the error status through this object next.
                backup.obj_reset_changes(['service_metadata'])
                concurrency.run_blocking(self._snapext_remove, container,
                                         job.dest_image, backup.id)
        LOG.info('Backup %(id)s: %(mode)s, %(bytes)s bytes moved in '
                 '%(copy_s).2f s', {'id': backup.id, 'mode': plan.mode,
                                    'bytes': result.moved,
                                    'copy_s': result.copy_s})
        restore_points.PENDING.start(backup.id, self._snapext_finish, job,
                                   pool, rados_args, container)
        return {'service_metadata': backup.service_metadata}

    def restore(self, backup, volume_id, volume_file, volume_is_new):
        # With its restore point, an RBD target gets a differential restore:
        # wait for the point if this service is taking it, else take it.
        restore_points.PENDING.wait(backup.id)
        if is_ours(backup):
            concurrency.run_blocking(self._snapext_point, backup)
        return super().restore(backup, volume_id, volume_file, volume_is_new)

    def delete_backup(self, backup):
        restore_points.PENDING.wait(backup.id)
        if unfinished.applies(backup):
            # Cinder's delete would look for it in its parent's image.
            return concurrency.run_blocking(unfinished.delete, self, backup)
        try:
            return super().delete_backup(backup)
        except self.rbd.ImageHasSnapshots:
            if unfinished.remove_orphans(self, self.context, backup,
                                         concurrency.run_blocking):
                return super().delete_backup(backup)
            if not is_ours(backup):
                raise
            # Its restore point appeared between Cinder's look for it and
            # the image's removal (taken by another backup service): a
            # second pass removes both.
            LOG.info('Backup %s: its restore point came during the '
                     'delete; deleting again', backup.id)
            return super().delete_backup(backup)

    def _snapext_job(self, backup, volume_file):
        """The job for backup, and the pool of its source image."""
        volume = (getattr(volume_file, 'snapext_volume', None)
                  or objects.Volume.get_by_id(self.context,
                                              backup.volume_id))
        if rbd_source.is_source(volume_file):
            pool, image, end_snap = (volume_file.rbd_pool,
                                     volume_file.snapext_image,
                                     volume_file.snapext_snapshot)
        elif backup.snapshot_id:
            # volume_file is Cinder's temporary clone of the snapshot; its
            # parent is the snapshot itself.
            pool, image, end_snap = self._snapext_snapshot_source(
                volume_file, volume, backup.snapshot_id)
        else:
            # The volume's point keeps the restore point's name: Cinder's
            # own next incremental looks for it on both images.
            pool, image = volume_file.rbd_pool, volume.name
            end_snap = restore_points.point_name(backup)
        parent = backup.parent if backup.parent_id else None
        old_format, features = internal_backup.rbd_support(self)
        job = rbd_backup.Job(
            src_image=image, end_snap=end_snap,
            create_end_snap=not backup.snapshot_id,
            dest_image=unfinished.own_image(backup),
            dest_snap=restore_points.point_name(backup),
            length=internal_backup.volume_size_bytes(self, volume),
            parent_id=parent.id if parent else None,
            parent_snapshot=(snapshot_rbd_name(parent.snapshot_id)
                             if parent and parent.snapshot_id else None),
            parent_image=(internal_backup.base_image_name(
                self, backup.volume_id, parent) if parent else None),
            create_kwargs={'old_format': old_format, 'features': features,
                           'stripe_unit': self.rbd_stripe_unit,
                           'stripe_count': self.rbd_stripe_count},
            in_flight=CONF.snapext.backup_copy_ops_in_flight,
            whole_object=CONF.snapext.backup_diff_whole_object)
        return job, pool

    @staticmethod
    def _snapext_snapshot_source(volume_file, volume, snapshot_id):
        try:
            return tuple(volume_file.rbd_image.parent_info())
        except Exception:
            # Flattened (rbd_flatten_volume_from_snapshot): the snapshot
            # is still on the volume's image, by Cinder's naming.
            return (volume_file.rbd_pool, volume.name,
                    snapshot_rbd_name(snapshot_id))

    @staticmethod
    def _snapext_rados_args(volume_file):
        """How to reach the source's cluster: as os-brick did, or directly."""
        if rbd_source.is_source(volume_file):
            return volume_file.rados_args()
        return {'rados_id': volume_file.rbd_user,
                'conffile': volume_file.rbd_conf}

    def _snapext_cluster(self, rados_args=None):
        """A connection kept across backups (``rados_connections``).

        rados_args: how to reach the source's cluster; None: the backup
        cluster, as Cinder's driver reaches it.
        """
        if rados_args is None:
            rados_args = internal_backup.backup_cluster_args(self)
        return self._snapext_connections.client(self.rados, **rados_args)

    def _snapext_run(self, job, pool, rados_args, container, backup_id=None,
                     get_json=None):
        """Make the image, then Cinder's metadata object beside it.

        get_json: as metadata_object.write takes it, or None for no
        metadata object. Both go through the connection to the backup
        cluster that copied the data.
        """
        # Runs in a native thread: librbd calls block.
        with self._snapext_cluster(rados_args) as src_client, \
                self._snapext_cluster() as dest_client, \
                src_client.open_ioctx(pool) as src_ioctx, \
                dest_client.open_ioctx(container) as dest_ioctx:
            after = None
            if get_json:
                after = functools.partial(metadata_object.write, dest_ioctx,
                                          backup_id, get_json)
            return rbd_backup.run(self.rbd, src_ioctx, dest_ioctx, job,
                                  after=after)

    def _snapext_point(self, backup):
        """The restore point of a backup of ours, taken here if missing."""
        with self._snapext_cluster() as client, \
                client.open_ioctx(backup.container) as ioctx:
            rbd_backup.ensure_restore_point(
                self.rbd, ioctx,
                internal_backup.base_image_name(self, backup.volume_id,
                                                backup),
                backup.id, restore_points.point_name(backup))

    def _snapext_finish(self, job, pool, rados_args, container):
        """After the backup: its restore point, then Cinder's pruning.

        ``backup_ceph_max_snapshots`` keeps the newest backup points on a
        volume, as Cinder's driver does after its incremental backups.
        """
        with self._snapext_cluster() as client, \
                client.open_ioctx(container) as dest_ioctx:
            rbd_backup.take_restore_point(self.rbd, dest_ioctx,
                                          job.dest_image, job.dest_snap)
        keep = CONF.backup_ceph_max_snapshots
        if not (job.create_end_snap and keep > 0):
            return
        with self._snapext_cluster(rados_args) as src_client, \
                src_client.open_ioctx(pool) as ioctx, \
                self.rbd.Image(ioctx, job.src_image) as image:
            internal_backup.remove_last_snapshots(self, image, keep)

    def _snapext_remove(self, container, image, backup_id):
        with rbd_driver.RADOSClient(self, container) as client:
            rbd_backup.remove_image(self.rbd, client.ioctx, image)
            cinder_ceph.VolumeMetadataBackup(
                client, backup_id).remove_if_exists()

    def _snapext_fall_back(self, backup, reason):
        """Record that the incremental backup had to be full, and why.

        As Cinder's driver does when it cannot diff: the backup loses its
        parent (``is_incremental`` false) and the project gets a warning
        message; the reason goes to the log, its code to service_metadata.
        """
        LOG.warning('Backup %(id)s: incremental not possible, full backup '
                    'made instead: %(reason)s',
                    {'id': backup.id, 'reason': reason})
        backup.parent = None
        backup.parent_id = None
        backup.save()
        ctxt = cinder_context.RequestContext(
            user_id=backup.user_id, project_id=backup.project_id,
            is_admin=True)
        self.message_api.create(
            ctxt, message_field.Action.BACKUP_CREATE,
            resource_type=message_field.Resource.VOLUME_BACKUP,
            resource_uuid=backup.id,
            detail=message_field.Detail.INCREMENTAL_BACKUP_FORCES_FULL_BACKUP,
            level='WARNING')
