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

"""Private names of Cinder's backup API, manager and Ceph backup driver."""

from cinder_snapext.internals import Private

_CEPH = 'cinder.backup.drivers.ceph:CephBackupDriver'
_MANAGER = 'cinder.backup.manager:BackupManager'

USED = (
    Private(_CEPH, '_ceph_backup_pool', set_in='__init__'),
    Private(_CEPH, '_ceph_backup_user', set_in='__init__'),
    Private(_CEPH, '_ceph_backup_conf', set_in='__init__'),
    Private(_CEPH, '_file_is_rbd', ('volume_file',)),
    Private(_CEPH, '_get_backup_base_name', ('volume_id', 'backup')),
    Private(_CEPH, '_get_rbd_support', ('self',)),
    Private(_CEPH, '_get_volume_size_bytes', ('self', 'volume')),
    Private(_CEPH, '_remove_last_snapshots',
            ('self', 'source_rbd_image', 'snaps_to_keep')),
    Private('cinder.backup.api:API', '_get_any_available_backup_service',
            ('self', 'availability_zone')),
    # Hooks of Cinder's backup manager that SnapextBackupManager overrides.
    Private(_MANAGER, '_start_backup', ('self', 'context', 'backup',
                                        'volume')),
    Private(_MANAGER, '_attach_device',
            ('self', 'ctxt', 'backup_device', 'properties', 'is_snapshot')),
    Private(_MANAGER, '_detach_device',
            ('self', 'ctxt', 'attach_info', 'device', 'properties',
             'is_snapshot', 'force', 'ignore_errors')),
    Private(_MANAGER, '_is_our_backup', ('self', 'backup')),
    # Cinder's clean-up at a backup service's start, reused by the
    # take-over of a dead peer's backups (backup/takeover.py).
    Private(_MANAGER, '_cleanup_one_backup', ('self', 'ctxt', 'backup')),
    Private(_MANAGER, '_cleanup_one_volume', ('self', 'ctxt', 'volume_id')),
    Private(_MANAGER, '_cleanup_one_snapshot',
            ('self', 'ctxt', 'snapshot_id')),
    Private(_MANAGER, '_cleanup_temp_volumes_snapshots_for_one_backup',
            ('self', 'ctxt', 'backup')),
)


def backup_pool(driver):
    return driver._ceph_backup_pool


def backup_cluster_args(driver):
    """rados.Rados keyword arguments of the backup cluster, as Cinder's."""
    return {'rados_id': driver._ceph_backup_user,
            'conffile': driver._ceph_backup_conf}


def file_is_rbd(driver, volume_file):
    """Whether Cinder hands the backup an RBD image, not a file."""
    return driver._file_is_rbd(volume_file)


def base_image_name(driver, volume_id, backup):
    """Cinder's name of the backup image of ``backup`` (or of its base)."""
    return driver._get_backup_base_name(volume_id, backup)


def rbd_support(driver):
    """(old_format, features) for images the driver creates."""
    return driver._get_rbd_support()


def volume_size_bytes(driver, volume):
    return driver._get_volume_size_bytes(volume)


def remove_last_snapshots(driver, image, keep):
    """Cinder's pruning of backup points beyond ``keep`` on ``image``."""
    driver._remove_last_snapshots(image, keep)


def any_available_backup_service(backup_api, availability_zone):
    return backup_api._get_any_available_backup_service(availability_zone)


def reset_backup(manager, ctxt, backup):
    """Cinder's start-up step for one unfinished backup of this host."""
    manager._cleanup_one_backup(ctxt, backup)


def give_source_back(manager, ctxt, backup):
    """The backed-up volume and snapshot leave backing-up, as at start."""
    manager._cleanup_one_volume(ctxt, backup.volume_id)
    if backup.snapshot_id:
        manager._cleanup_one_snapshot(ctxt, backup.snapshot_id)


def remove_temporaries(manager, ctxt, backup):
    """A failed backup's temporary volume and snapshot, if it made any."""
    manager._cleanup_temp_volumes_snapshots_for_one_backup(ctxt, backup)
