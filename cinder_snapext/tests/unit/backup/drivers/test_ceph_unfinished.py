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

"""The delete of backups left in error by a stopped cinder-backup.

Cinder's whole delete path runs (its Ceph driver's ``delete_backup``);
only librbd and librados are the in-process doubles. A stopped service
leaves a backup without ``service_metadata``; the chain is a parent of
ours with its restore point and a child cut short mid-copy.
"""

import contextlib
import hashlib
import types
from unittest import mock

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import context as cinder_context
from cinder.db import api as cinder_db
from cinder import objects
from cinder.tests.unit import fake_constants as fake

from cinder_snapext.backup.drivers import ceph
from cinder_snapext.backup import rbd_chain
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd

PARENT, CHILD, VOLUME = fake.BACKUP_ID, fake.BACKUP2_ID, fake.VOLUME_ID
PARENT_IMAGE = 'volume-%s.backup.%s' % (VOLUME, PARENT)
CHILD_IMAGE = 'volume-%s.backup.%s' % (VOLUME, CHILD)
PARENT_POINT = 'backup.%s.snap.1.0' % PARENT
SIZE = 8 * librbd.BLOCK


class UnfinishedDeleteTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.pool = librados.Ioctx('backups')
        client = types.SimpleNamespace(ioctx=self.pool)
        # Cinder's driver and ours reach the backup pool through these.
        for patch in (
                mock.patch.object(ceph.rbd_driver, 'RADOSClient',
                                  lambda driver, pool:
                                  contextlib.nullcontext(client)),
                mock.patch.object(cinder_ceph, 'rados',
                                  librados.Cluster({}))):
            patch.start()
            self.addCleanup(patch.stop)
        self.driver = ceph.SnapextCephBackupDriver(self.ctxt)
        self.driver.rbd = librbd
        # The parent: a backup of ours, done, with its restore point.
        librbd.RBD().create(self.pool, PARENT_IMAGE, SIZE)
        with librbd.Image(self.pool, PARENT_IMAGE) as image:
            image.write(b'p' * SIZE, 0)
        self.parent = self._backup(
            PARENT, service_metadata=rbd_chain.service_metadata(
                PARENT_IMAGE, rbd_chain.FULL, SIZE))
        self.parent_sha = self._sha(PARENT_IMAGE)
        self.child = self._backup(CHILD, parent=self.parent)
        self.metadata = cinder_ceph.VolumeMetadataBackup(client, CHILD)
        self.metadata.set('{"version": 2}')

    def _backup(self, backup_id, parent=None, service_metadata=None):
        return objects.Backup(
            self.ctxt, id=backup_id, volume_id=VOLUME, container='backups',
            parent_id=parent.id if parent else None, parent=parent,
            service_metadata=service_metadata)

    def _sha(self, name):
        with librbd.Image(self.pool, name) as image:
            return hashlib.sha256(image.read(0, image.size())).hexdigest()

    def _take_point(self, name, snap):
        with librbd.Image(self.pool, name) as image:
            image.create_snap(snap)

    def _killed_mid_copy(self):
        # The child's differential: a clone of the parent's point, half
        # written, as cinder-backup killed with -9 mid copy leaves it.
        self._take_point(PARENT_IMAGE, PARENT_POINT)
        librbd.RBD().clone(self.pool, PARENT_IMAGE, PARENT_POINT,
                           self.pool, CHILD_IMAGE)
        with librbd.Image(self.pool, CHILD_IMAGE) as image:
            image.write(b'c' * librbd.BLOCK, 0)

    def test_delete_removes_the_clone_and_then_the_parent_deletes(self):
        self._killed_mid_copy()
        self.driver.delete_backup(self.child)
        self.assertEqual({PARENT_IMAGE: [PARENT_POINT]},
                         librbd.snapshot_names(self.pool.images))
        self.assertIsNone(self.metadata.get())
        self.assertEqual(self.parent_sha, self._sha(PARENT_IMAGE))
        # With the clone left, the parent's point stayed in RBD's trash
        # and this raised ImageHasSnapshots.
        self.driver.delete_backup(self.parent)
        self.assertEqual([], librbd.RBD().list(self.pool))

    def test_parent_without_its_point_keeps_its_image(self):
        # Killed before the clone, and the parent's point never taken (its
        # service stopped too): the parent's image is the parent's data.
        self.driver.delete_backup(self.child)
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.pool))
        self.assertEqual(self.parent_sha, self._sha(PARENT_IMAGE))
        self.assertIsNone(self.metadata.get())

    def test_only_its_own_point_goes_from_the_parents_image(self):
        # Cinder's own incremental imports its diff into the parent's
        # image and takes its point there, before its result is saved.
        self._take_point(PARENT_IMAGE, PARENT_POINT)
        self._take_point(PARENT_IMAGE, 'backup.%s.snap.2.0' % CHILD)
        self._take_point(PARENT_IMAGE, 'user-snap')
        self.driver.delete_backup(self.child)
        self.assertEqual({PARENT_IMAGE: [PARENT_POINT, 'user-snap']},
                         librbd.snapshot_names(self.pool.images))

    def test_finished_incremental_takes_cinders_path(self):
        # Done: its image is the one its service_metadata names.
        self._killed_mid_copy()
        self._take_point(CHILD_IMAGE, 'backup.%s.snap.2.0' % CHILD)
        self.child.service_metadata = rbd_chain.service_metadata(
            CHILD_IMAGE, rbd_chain.DIFFERENTIAL, librbd.BLOCK)
        self.driver.delete_backup(self.child)
        self.driver.delete_backup(self.parent)
        self.assertEqual([], librbd.RBD().list(self.pool))

    def test_unfinished_full_backup_takes_cinders_path(self):
        # No parent: Cinder names its image by its id, as we do.
        full = self._backup(CHILD)
        librbd.RBD().create(self.pool, CHILD_IMAGE, SIZE)
        self.driver.delete_backup(full)
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.pool))

    def test_parent_delete_removes_a_clone_no_backup_owns(self):
        # An earlier release deleted the child and left its clone.
        self._killed_mid_copy()
        self.driver.delete_backup(self.parent)
        self.assertEqual([], librbd.RBD().list(self.pool))

    def test_parent_delete_leaves_a_clone_of_a_backup_still_there(self):
        self._killed_mid_copy()
        cinder_db.backup_create(self.ctxt, {
            'id': CHILD, 'volume_id': VOLUME, 'parent_id': PARENT,
            'status': 'error'})
        self.assertRaises(librbd.ImageHasSnapshots,
                          self.driver.delete_backup, self.parent)
        self.assertIn(CHILD_IMAGE, librbd.RBD().list(self.pool))
