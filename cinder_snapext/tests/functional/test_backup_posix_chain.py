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

"""A mixed chain of volume and snapshot backups on Cinder's posix driver.

Cinder's real API, scheduler, volume and backup services, with Cinder's
own PosixBackupDriver writing to a temporary directory. The storage
backend is a test double keeping each volume and snapshot as a sparse file
(there is no block storage in-process), so a restore can be compared with
the data at its point in time byte for byte.
"""

import hashlib
import os

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.tests import fake_driver
import fixtures
from oslo_config import cfg
from oslo_utils import units

from cinder_snapext.tests.functional import base

CONF = cfg.CONF
CONF.import_opt('backup_posix_path', 'cinder.backup.drivers.posix')
CONF.import_opt('backup_file_size', 'cinder.backup.drivers.posix')
CONF.import_opt('backup_sha_block_size_bytes',
                'cinder.backup.drivers.posix')

FILE_DRIVER = ('cinder_snapext.tests.functional.test_backup_posix_chain.'
               'FileVolumeDriver')
POSIX_DRIVER = 'cinder.backup.drivers.posix.PosixBackupDriver'
SNAPEXT_BACKUP_API = 'cinder_snapext.backup.api.SnapextBackupAPI'

# Where FileVolumeDriver keeps its files; set by each test.
STORE = {'dir': None}


def _path(name):
    return os.path.join(STORE['dir'], name)


def _sparse_copy(src, dest, size):
    """Copy src's data segments into a sparse dest of size bytes."""
    with open(src, 'rb') as fin, open(dest, 'wb') as fout:
        fout.truncate(size)
        end = os.fstat(fin.fileno()).st_size
        pos = 0
        while pos < end:
            try:
                start = os.lseek(fin.fileno(), pos, os.SEEK_DATA)
            except OSError:
                break  # only a hole is left
            stop = os.lseek(fin.fileno(), start, os.SEEK_HOLE)
            fin.seek(start)
            fout.seek(start)
            fout.write(fin.read(stop - start))
            pos = stop


class FileVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    """Test double of a storage backend: volumes and snapshots as files."""

    def create_volume(self, volume):
        with open(_path(volume.name), 'wb') as f:
            f.truncate(volume.size * units.Gi)

    def delete_volume(self, volume):
        if os.path.exists(_path(volume.name)):
            os.unlink(_path(volume.name))

    def create_snapshot(self, snapshot):
        _sparse_copy(_path(snapshot.volume_name), _path(snapshot.name),
                     snapshot.volume_size * units.Gi)

    def delete_snapshot(self, snapshot):
        if os.path.exists(_path(snapshot.name)):
            os.unlink(_path(snapshot.name))

    def create_volume_from_snapshot(self, volume, snapshot):
        _sparse_copy(_path(snapshot.name), _path(volume.name),
                     volume.size * units.Gi)

    def create_cloned_volume(self, volume, src_vref):
        _sparse_copy(_path(src_vref.name), _path(volume.name),
                     volume.size * units.Gi)

    def initialize_connection(self, volume, connector):
        return {'driver_volume_type': 'local',
                'data': {'device_path': _path(volume.name)}}


class _FileConnector:
    """Stands in for os-brick's local connector: the path is the device."""

    def connect_volume(self, connection_properties):
        return {'path': connection_properties['device_path']}

    def disconnect_volume(self, *args, **kwargs):
        pass

    def check_valid_device(self, path, *args, **kwargs):
        return os.path.exists(path)


def write(volume_name, offset, length, seed):
    data = hashlib.shake_256(seed.encode()).digest(length)
    with open(_path(volume_name), 'r+b') as f:
        f.seek(offset)
        f.write(data)


def sha256(name, size=units.Gi):
    """SHA-256 of the volume as a block device of size bytes shows it.

    Cinder opens a restore target with 'wb' (harmless on a device), which
    truncates a file; what the restore skipped reads as zeros.
    """
    digest = hashlib.sha256()
    with open(_path(name), 'rb') as f:
        for _ in range(size // units.Mi):
            block = f.read(units.Mi)
            digest.update(block + bytes(units.Mi - len(block)))
    return digest.hexdigest()


class FileBackendBackupTestCase(base.FunctionalTestCase):
    """In-process Cinder with file volumes and the posix backup driver."""

    _osapi_version = '3.47'

    def setUp(self):
        tmp = fixtures.TempDir()
        self.useFixture(tmp)
        STORE['dir'] = tmp.join('volumes')
        os.mkdir(STORE['dir'])
        self.backup_dir = tmp.join('backups')
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.start_backup_service(_FileConnector())

    def _get_flags(self):
        flags = super()._get_flags()
        flags['backup_api_class'] = {'v': SNAPEXT_BACKUP_API}
        flags['volume_driver'] = {'v': FILE_DRIVER, 'g': 'backend_defaults'}
        flags['backup_driver'] = {'v': POSIX_DRIVER}
        flags['backup_posix_path'] = {'v': self.backup_dir}
        # The data is random: compressing it only costs CPU.
        flags['backup_compression_algorithm'] = {'v': 'none'}
        # Fewer, larger hashes: each backup reads the whole GiB.
        flags['backup_file_size'] = {'v': 64 * units.Mi}
        flags['backup_sha_block_size_bytes'] = {'v': units.Mi}
        return flags

    def new_volume(self):
        volume = self.api.post_volume({'volume': {'size': 1}})
        return self.wait_for(lambda: self.api.get_volume(volume['id']),
                             lambda v: v['status'] == 'available')

    def new_snapshot(self, volume_id):
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume_id}})
        return self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                             lambda s: s['status'] == 'available')

    def new_backup(self, volume_id, **kwargs):
        body = {'backup': dict(volume_id=volume_id, **kwargs)}
        backup = self.api.api_post('/backups', body)['backup']
        return self.wait_for(
            lambda: self.api.api_get('/backups/%s' % backup['id'])['backup'],
            lambda b: b['status'] not in ('creating',), timeout=120)

    def restore(self, backup_id):
        restore = self.api.api_post('/backups/%s/restore' % backup_id,
                                    {'restore': {}})['restore']
        self.wait_for(lambda: self.api.api_get(
            '/backups/%s' % backup_id)['backup'],
            lambda b: b['status'] == 'available', timeout=120)
        volume = self.wait_for(
            lambda: self.api.get_volume(restore['volume_id']),
            lambda v: v['status'] not in ('creating', 'restoring-backup'))
        self.assertEqual('available', volume['status'])
        return 'volume-%s' % volume['id']


class PosixMixedChainTestCase(FileBackendBackupTestCase):

    def test_mixed_chain_restores_data_of_each_point(self):
        volume = self.new_volume()
        name = 'volume-%s' % volume['id']
        write(name, 0, 4 * units.Mi, 'first')
        full = self.new_backup(volume['id'])
        sha_full = sha256(name)

        write(name, 100 * units.Mi, 2 * units.Mi, 'before-snapshot')
        snapshot = self.new_snapshot(volume['id'])
        sha_snapshot = sha256(name)
        write(name, 300 * units.Mi, 2 * units.Mi, 'after-snapshot')

        snap_incr = self.new_backup(volume['id'], incremental=True,
                                snapshot_id=snapshot['id'])
        vol_incr = self.new_backup(volume['id'], incremental=True)
        sha_now = sha256(name)

        for b in (full, snap_incr, vol_incr):
            self.assertEqual('available', b['status'], b.get('fail_reason'))
        self.assertEqual((False, True, True),
                         (full['is_incremental'], snap_incr['is_incremental'],
                          vol_incr['is_incremental']))
        # The snapshot builds on the backup before it; the volume on the
        # snapshot's backup, whose data is newest.
        self.assertEqual(
            (full['id'], snap_incr['id']),
            (cinder_db_api.backup_get(self.ctxt, snap_incr['id']).parent_id,
             cinder_db_api.backup_get(self.ctxt, vol_incr['id']).parent_id))
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])

        self.assertEqual(sha_full, sha256(self.restore(full['id'])))
        self.assertEqual(sha_snapshot, sha256(self.restore(snap_incr['id'])))
        self.assertEqual(sha_now, sha256(self.restore(vol_incr['id'])))
        self.assertNotEqual(sha_snapshot, sha_now)
