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

"""The Ceph driver's fixed cost: connections kept, metadata beside the copy."""

import functools
import time
import types

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import exception
import fixtures

from cinder_snapext.backup import metadata_object
from cinder_snapext.backup import rados_connections
from cinder_snapext.tests.unit.backup.drivers import test_ceph
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd


class ConnectionsKeptTestCase(test_ceph.DriverFixture):
    """Backups of one service share its cluster connections."""

    def _backup(self, n):
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.write(bytes([n]) * librbd.BLOCK, 0)
            vol.create_snap('snapshot-%d' % n)
        job = self._job(False)._replace(
            end_snap='snapshot-%d' % n, dest_image='volume-v.backup.c%d' % n,
            dest_snap='backup.c%d.snap' % n)
        self.driver._snapext_run(job, 'volumes', {'rados_id': 'cinder'},
                                 'backups')
        self.driver._snapext_finish(job, 'volumes', {'rados_id': 'cinder'},
                                    'backups')
        return job

    def test_three_backups_connect_once_to_each_cluster(self):
        for n in (1, 2, 3):
            self._backup(n)
        # The volumes' cluster as the volume service named it, the backup
        # cluster as cinder.conf names it; each once.
        self.assertEqual(
            [{'rados_id': 'cinder'},
             {'rados_id': self.driver._ceph_backup_user,
              'conffile': self.driver._ceph_backup_conf}],
            self.driver.rados.connected)
        self.assertEqual(['backup.c3.snap'],
                         self._snaps(self.backups, 'volume-v.backup.c3'))

    def test_a_failed_backup_leaves_no_connection_behind(self):
        self._backup(1)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.create_snap('snapshot-2')
        # The backup image exists already: the backup fails.
        librbd.RBD().create(self.backups, 'volume-v.backup.c2', librbd.BLOCK)
        job = self._job(False)._replace(end_snap='snapshot-2',
                                        dest_image='volume-v.backup.c2')
        self.assertRaises(librbd.ImageExists, self.driver._snapext_run, job,
                          'volumes', {'rados_id': 'cinder'}, 'backups')
        self.assertEqual((0, 0), (self.driver.rados.open(),
                                  len(self.connections)))
        self._backup(3)
        self.assertEqual((4, 2), (len(self.driver.rados.connected),
                                  self.driver.rados.open()))

    def test_no_caching_when_the_age_is_zero(self):
        self.flags(backup_rados_connection_max_age=0, group='snapext')
        self.driver._snapext_connections = rados_connections.Connections(
            rados_connections._configured_max_age)
        self._backup(1)
        self._backup(2)
        # Each backup: the copy's two, the restore point's one.
        self.assertEqual((6, 0), (len(self.driver.rados.connected),
                                  self.driver.rados.open()))


class MetadataBesideCopyTestCase(test_ceph.DriverFixture):
    """The volume's metadata is read while the copy runs."""

    def setUp(self):
        super().setUp()
        # Cinder's VolumeMetadataBackup reaches librados through its module.
        self.useFixture(fixtures.MockPatchObject(cinder_ceph, 'rados',
                                                 librados.Cluster({})))
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.write(b'8' * librbd.BLOCK, 0)
            vol.create_snap('snapshot-m')
        self.job = self._job(False)._replace(
            end_snap='snapshot-m', dest_image='volume-v.backup.b6')

    def _copy(self, get_metadata):
        return metadata_object.copy_beside_read(
            functools.partial(self.driver._snapext_run, self.job, 'volumes',
                              {}, 'backups', 'b6'),
            get_metadata)

    def test_metadata_is_read_while_the_copy_runs(self):
        seen = []

        def get_metadata():
            # Returns only once the copy has made its image: a read
            # before or after the copy would give up.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if 'volume-v.backup.b6' in self.backups.images:
                    seen.append('image there')
                    return '{"version": 2}'
                time.sleep(0.01)
            return None

        self._copy(get_metadata)
        self.assertEqual(['image there'], seen)
        self.assertEqual(
            '{"version": 2}',
            cinder_ceph.VolumeMetadataBackup(
                types.SimpleNamespace(ioctx=self.backups), 'b6').get())

    def test_metadata_read_failing_fails_the_backup_and_its_image(self):
        def get_metadata():
            raise exception.VolumeNotFound(volume_id='v')

        self.assertRaises(exception.VolumeNotFound, self._copy, get_metadata)
        self.assertNotIn('volume-v.backup.b6',
                         librbd.RBD().list(self.backups))
        self.assertEqual({}, self.backups.objects)
