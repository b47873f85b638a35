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

"""SnapextRBDDriver: exported snapshots keep their volume's image."""

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder.tests.unit import fake_snapshot
from cinder.tests.unit import fake_volume
from cinder.volume import configuration

from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.volume.drivers import rbd


class SnapextRBDDriverTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        config = configuration.Configuration(None)
        config.rbd_pool = 'volumes'
        config.rados_connect_timeout = -1
        config.rados_connection_retries = 1
        config.rados_connection_interval = 0
        self.pool = librados.Ioctx('volumes')
        self.driver = rbd.SnapextRBDDriver(
            configuration=config,
            rados=librados.Cluster({'volumes': self.pool}), rbd=librbd)
        self.volume = fake_volume.fake_volume_obj(self.ctxt)

    def _image(self, *snapshots):
        librbd.make_image(self.pool, self.volume.name, snapshots)

    def test_backend_snapshots_skip_cinder_internal_ones(self):
        self._image('snapshot-1', 'nightly', '%s.clone_snap' % self.volume.id,
                    'backup.7.snap.1700000000.1')
        self.assertEqual(['snapshot-1', 'nightly'],
                         self.driver.snapext_backend_snapshots(self.volume))

    def test_backend_snapshots_of_missing_image_are_none(self):
        self.assertEqual([],
                         self.driver.snapext_backend_snapshots(self.volume))

    def test_delete_volume_with_exported_snapshot_is_busy_and_keeps_image(
            self):
        self._image('snapshot-1')
        self.assertRaises(cinder_exception.VolumeIsBusy,
                          self.driver.delete_volume, self.volume)
        self.assertEqual({self.volume.name: ['snapshot-1']},
                         librbd.snapshot_names(self.pool.images))
        self.assertEqual({}, self.pool.trash)

    def test_delete_volume_refusal_turned_off_is_cinders_delete(self):
        # Cinder's RBD driver moves the image, snapshots and all, to the
        # trash and reports success.
        self.override_config('refuse_volume_delete_with_exported_snapshots',
                             False, group='snapext')
        self._image('snapshot-1')
        self.driver.delete_volume(self.volume)
        self.assertEqual({}, self.pool.images)
        self.assertEqual({self.volume.name: ['snapshot-1']},
                         librbd.snapshot_names(self.pool.trash))

    def test_delete_volume_without_snapshots_removes_image(self):
        self._image('backup.7.snap.1700000000.1')
        self.driver.delete_volume(self.volume)
        self.assertEqual({}, self.pool.images)
        self.assertEqual({}, self.pool.trash)

    def test_snapshot_reference_is_the_snapshot_name(self):
        snapshot = fake_snapshot.fake_snapshot_obj(self.ctxt)
        self.assertEqual({'source-name': snapshot.name},
                         self.driver.snapext_snapshot_reference(snapshot))
