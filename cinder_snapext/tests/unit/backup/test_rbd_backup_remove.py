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

import fixtures
import testtools

from cinder_snapext.backup import rbd_backup
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd

IMAGE = 'volume-v.backup.b1'
# Ceph's osd_client_watch_timeout by default.
WATCH_TIMEOUT = 30


class RemoveImageTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.ioctx = librados.Ioctx('backups')
        librbd.RBD().create(self.ioctx, IMAGE, 4096)
        with librbd.Image(self.ioctx, IMAGE) as image:
            image.create_snap('backup.b1.snap.1')
        self.data = self.ioctx.images[IMAGE]
        # The clock of the retries: each second slept, Ceph may drop the
        # dead client's watch; no test waits for real.
        self.slept = 0
        self.drop_watch_after = None
        self.useFixture(fixtures.MonkeyPatch('tenacity.nap.sleep',
                                             self._sleep))

    def _sleep(self, seconds):
        self.slept += seconds
        if self.drop_watch_after is not None and \
                self.slept >= self.drop_watch_after:
            self.data.watchers = 0

    def test_removed_once_ceph_drops_the_dead_clients_watch(self):
        self.data.watchers = 1
        self.drop_watch_after = WATCH_TIMEOUT
        rbd_backup.remove_image(librbd, self.ioctx, IMAGE)
        self.assertNotIn(IMAGE, librbd.RBD().list(self.ioctx))
        self.assertEqual(WATCH_TIMEOUT, self.slept)

    def test_still_watched_after_every_try_raises_busy(self):
        self.data.watchers = 1
        self.assertRaises(librbd.ImageBusy, rbd_backup.remove_image,
                          librbd, self.ioctx, IMAGE)
        self.assertIn(IMAGE, librbd.RBD().list(self.ioctx))
        self.assertEqual(rbd_backup.STALE_WATCH_TRIES - 1, self.slept)

    def test_unwatched_image_goes_at_once(self):
        rbd_backup.remove_image(librbd, self.ioctx, IMAGE)
        self.assertNotIn(IMAGE, librbd.RBD().list(self.ioctx))
        self.assertEqual(0, self.slept)

    def test_absent_image_is_fine(self):
        rbd_backup.remove_image(librbd, self.ioctx, 'volume-v.backup.none')
        self.assertEqual(0, self.slept)
