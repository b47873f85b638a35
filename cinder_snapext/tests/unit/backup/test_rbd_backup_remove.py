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

"""Removing a backup image that a dead client still watches."""

from unittest import mock

import testtools

from cinder_snapext.backup import rbd_backup
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd


class RemoveImageTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.ioctx = librados.Ioctx('backups')
        librbd.RBD().create(self.ioctx, 'volume-v.backup.b1', 4096)
        with librbd.Image(self.ioctx, 'volume-v.backup.b1') as image:
            image.create_snap('backup.b1.snap.1')
        # Ceph drops a dead client's watch by itself; no test waits.
        self.sleeps = []
        sleep = mock.patch.object(rbd_backup.time, 'sleep',
                                  self.sleeps.append)
        sleep.start()
        self.addCleanup(sleep.stop)
        self.real_remove = librbd.RBD.remove
        self.busy = 0

    def _watched_for(self, attempts):
        def remove(rbd, ioctx, name):
            if self.busy < attempts:
                self.busy += 1
                raise librbd.ImageBusy('image %s is busy' % name)
            return self.real_remove(rbd, ioctx, name)
        return mock.patch.object(librbd.RBD, 'remove', remove)

    def test_removed_once_the_dead_clients_watch_is_gone(self):
        with self._watched_for(2):
            rbd_backup.remove_image(librbd, self.ioctx, 'volume-v.backup.b1')
        self.assertNotIn('volume-v.backup.b1', librbd.RBD().list(self.ioctx))
        self.assertEqual([1, 1], self.sleeps)

    def test_still_watched_at_the_deadline_raises_busy(self):
        with self._watched_for(1000):
            self.assertRaises(librbd.ImageBusy, rbd_backup.remove_image,
                              librbd, self.ioctx, 'volume-v.backup.b1',
                              wait=0)
        self.assertIn('volume-v.backup.b1', librbd.RBD().list(self.ioctx))

    def test_absent_image_is_fine(self):
        rbd_backup.remove_image(librbd, self.ioctx, 'volume-v.backup.none')
        self.assertEqual([], self.sleeps)
