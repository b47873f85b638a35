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

"""Tests of making one backup image, differential or full, and its cleanup."""

import errno
from unittest import mock

import testtools

from cinder_snapext.backup import rbd_backup
from cinder_snapext.backup import rbd_chain
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

BLOCK = librbd.BLOCK
SIZE = 64 * BLOCK
PARENT = 'p0000000-0000-0000-0000-000000000001'
PARENT_SNAP = 'backup.%s.snap.100.0' % PARENT
PARENT_IMAGE = 'volume-v.backup.%s' % PARENT


class RunTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.patch(librbd, 'AIO', librbd_aio.AioQueue())
        self.volumes = librados.Ioctx('volumes')
        self.backups = librados.Ioctx('backups')
        librbd.RBD().create(self.volumes, 'volume-v', SIZE)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.write(b'1' * 8 * BLOCK, 0)
            vol.create_snap('snapshot-s1')
            vol.write(b'2' * 2 * BLOCK, 20 * BLOCK)
            vol.create_snap('snapshot-s2')
            vol.write(b'3' * BLOCK, 40 * BLOCK)
        # The parent: a backup of snapshot s1, as this driver stores it.
        librbd.RBD().create(self.backups, PARENT_IMAGE, SIZE)
        with librbd.Image(self.backups, PARENT_IMAGE) as base:
            base.write(self._data('volumes', 'volume-v', 'snapshot-s1'), 0)
            base.create_snap(PARENT_SNAP)

    def _data(self, pool, image, snap):
        ioctx = self.volumes if pool == 'volumes' else self.backups
        with librbd.Image(ioctx, image, snapshot=snap) as img:
            return img.read(0, img.size())

    def _job(self, **kwargs):
        values = {'src_image': 'volume-v', 'end_snap': 'snapshot-s2',
                  'create_end_snap': False,
                  'dest_image': 'volume-v.backup.b',
                  'dest_snap': 'backup.b.snap.200.0', 'length': SIZE,
                  'parent_id': PARENT, 'parent_snapshot': 'snapshot-s1',
                  'parent_image': PARENT_IMAGE,
                  'create_kwargs': {'features': 1}}
        values.update(kwargs)
        return rbd_backup.Job(**values)

    def _run(self, job):
        return rbd_backup.run(librbd, self.volumes, self.backups, job)

    def _restored(self, job):
        """The backup as restore reads it: its point, else the image."""
        with librbd.Image(self.backups, job.dest_image) as img:
            snaps = [s['name'] for s in img.list_snaps()]
        return self._data('backups', job.dest_image,
                          job.dest_snap if job.dest_snap in snaps else None)

    def _snaps(self, image):
        with librbd.Image(self.backups, image) as img:
            return [s['name'] for s in img.list_snaps()]

    def test_run_snapshot_differential_moves_only_the_diff(self):
        job = self._job()
        result = self._run(job)
        self.assertEqual((rbd_chain.DIFFERENTIAL, None),
                         (result.plan.mode, result.plan.reason))
        # The object holding the change, whole: written in part, a clone's
        # object is first copied up from the parent.
        self.assertEqual(librbd.OBJECT, result.moved)
        self.assertEqual(0, self.backups.images[job.dest_image].copy_ups)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))
        # The parent's restore point is untouched.
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s1'),
                         self._data('backups', PARENT_IMAGE, PARENT_SNAP))

    def test_run_leaves_the_restore_point_to_take_restore_point(self):
        job = self._job()
        self._run(job)
        self.assertEqual([], self._snaps(job.dest_image))
        self.assertTrue(rbd_backup.take_restore_point(
            librbd, self.backups, job.dest_image, job.dest_snap))
        self.assertEqual([job.dest_snap], self._snaps(job.dest_image))
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._data('backups', job.dest_image, job.dest_snap))
        # A second service finding it missing too takes the same one.
        self.assertFalse(rbd_backup.take_restore_point(
            librbd, self.backups, job.dest_image, job.dest_snap))
        self.assertEqual([job.dest_snap], self._snaps(job.dest_image))

    def test_ensure_restore_point_takes_a_missing_one(self):
        with librbd.Image(self.backups, PARENT_IMAGE) as base:
            base.remove_snap(PARENT_SNAP)
        self.assertEqual(PARENT_SNAP, rbd_backup.ensure_restore_point(
            librbd, self.backups, PARENT_IMAGE, PARENT, PARENT_SNAP))
        self.assertEqual([PARENT_SNAP], self._snaps(PARENT_IMAGE))
        # The child's differential now starts from it.
        job = self._job()
        result = self._run(job)
        self.assertEqual((rbd_chain.DIFFERENTIAL, librbd.OBJECT),
                         (result.plan.mode, result.moved))
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_ensure_restore_point_keeps_an_existing_one(self):
        # Taken earlier by the same driver under the time-of-call name.
        self.assertEqual(PARENT_SNAP, rbd_backup.ensure_restore_point(
            librbd, self.backups, PARENT_IMAGE, PARENT,
            'backup.%s.snap.999.0' % PARENT))
        self.assertEqual([PARENT_SNAP], self._snaps(PARENT_IMAGE))

    def test_ensure_restore_point_without_the_image(self):
        self.assertIsNone(rbd_backup.ensure_restore_point(
            librbd, self.backups, 'volume-v.backup.gone', PARENT,
            PARENT_SNAP))
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.backups))

    def test_run_full_when_parent_lacks_restore_point(self):
        with librbd.Image(self.backups, PARENT_IMAGE) as base:
            base.remove_snap(PARENT_SNAP)
        result = self._run(self._job())
        self.assertEqual(rbd_chain.NO_RESTORE_POINT, result.plan.code)
        self.assertEqual([], self._snaps(PARENT_IMAGE))

    def test_run_full_without_parent_copies_allocated_data(self):
        job = self._job(parent_id=None, parent_snapshot=None,
                        parent_image=None)
        result = self._run(job)
        self.assertEqual((rbd_chain.FULL, None),
                         (result.plan.mode, result.plan.reason))
        self.assertEqual(10 * BLOCK, result.moved)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_run_volume_backup_snaps_source_and_dest_alike(self):
        job = self._job(end_snap='backup.b.snap.200.0', create_end_snap=True)
        result = self._run(job)
        self.assertEqual(rbd_chain.DIFFERENTIAL, result.plan.mode)
        # s1 -> now: the blocks at 20 and 40, in two objects read whole.
        self.assertEqual(2 * librbd.OBJECT, result.moved)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            head = vol.read(0, SIZE)
            self.assertIn('backup.b.snap.200.0',
                          [s['name'] for s in vol.list_snaps()])
        self.assertEqual(head, self._restored(job))

    def test_run_falls_back_to_full_when_parent_snapshot_deleted(self):
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.remove_snap('snapshot-s1')
        job = self._job()
        result = self._run(job)
        self.assertEqual(rbd_chain.FULL, result.plan.mode)
        self.assertIn(PARENT, result.plan.reason)
        self.assertEqual(10 * BLOCK, result.moved)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_run_falls_back_to_full_when_clone_refused(self):
        self.patch(librbd.RBD, 'can_clone', False)
        job = self._job()
        result = self._run(job)
        self.assertEqual(rbd_chain.FULL, result.plan.mode)
        self.assertIn('cloning %s@%s failed' % (PARENT_IMAGE, PARENT_SNAP),
                      result.plan.reason)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_run_resizes_clone_of_smaller_parent(self):
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.resize(2 * SIZE)
            vol.write(b'4' * BLOCK, SIZE + BLOCK)
            vol.create_snap('snapshot-s3')
        job = self._job(end_snap='snapshot-s3', length=2 * SIZE)
        result = self._run(job)
        self.assertEqual(rbd_chain.DIFFERENTIAL, result.plan.mode)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s3'),
                         self._restored(job))

    def test_run_failure_leaves_nothing_behind(self):
        job = self._job(end_snap='backup.b.snap.200.0', create_end_snap=True)
        with mock.patch.object(librbd.Image, 'write',
                               side_effect=librbd.Error('OSD full')):
            self.assertRaises(librbd.Error, self._run, job)
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.backups))
        with librbd.Image(self.volumes, 'volume-v') as vol:
            self.assertEqual(['snapshot-s1', 'snapshot-s2'],
                             [s['name'] for s in vol.list_snaps()])

    def test_run_in_parallel_gives_the_snapshot_data(self):
        job = self._job(parent_id=None, parent_snapshot=None,
                        parent_image=None, in_flight=4)
        result = self._run(job)
        self.assertEqual(10 * BLOCK, result.moved)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_run_failing_parallel_write_leaves_nothing_behind(self):
        # The first 4 MiB chunk holds all of s2's data here: it fails.
        self.backups.failures[('volume-v.backup.b', 'write', 0)] = errno.EIO
        job = self._job(end_snap='backup.b.snap.200.0', create_end_snap=True,
                        parent_id=None, parent_snapshot=None,
                        parent_image=None, in_flight=4)
        e = self.assertRaises(OSError, self._run, job)
        self.assertEqual(errno.EIO, e.errno)
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.backups))
        with librbd.Image(self.volumes, 'volume-v') as vol:
            self.assertEqual(['snapshot-s1', 'snapshot-s2'],
                             [s['name'] for s in vol.list_snaps()])

    def _opens_of(self, image_name, job):
        """How many times run opened image_name, and the run's result."""
        opened = []
        real = librbd.Image

        class Counting(real):
            def __init__(self, ioctx, name, *args, **kwargs):
                super().__init__(ioctx, name, *args, **kwargs)
                if name == image_name:
                    opened.append(name)

        self.patch(librbd, 'Image', Counting)
        result = self._run(job)
        self.patch(librbd, 'Image', real)
        return len(opened), result

    def test_run_of_a_snapshot_opens_the_volume_once(self):
        job = self._job()
        opens, result = self._opens_of('volume-v', job)
        self.assertEqual(1, opens)
        self.assertEqual(librbd.OBJECT, result.moved)
        self.assertEqual(self._data('volumes', 'volume-v', 'snapshot-s2'),
                         self._restored(job))

    def test_run_of_the_volume_opens_it_once_and_reads_its_new_point(self):
        job = self._job(end_snap='backup.b.snap.200.0', create_end_snap=True)
        opens, result = self._opens_of('volume-v', job)
        self.assertEqual(1, opens)
        # Written after the point: not part of this backup.
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.write(b'5' * BLOCK, 50 * BLOCK)
        self.assertEqual(
            self._data('volumes', 'volume-v', 'backup.b.snap.200.0'),
            self._restored(job))

    def test_after_runs_once_the_data_is_in(self):
        job = self._job()
        seen = []
        rbd_backup.run(librbd, self.volumes, self.backups, job,
                       after=lambda: seen.append(self._restored(job)))
        self.assertEqual([self._data('volumes', 'volume-v', 'snapshot-s2')],
                         seen)

    def test_failing_after_leaves_nothing_behind(self):
        job = self._job(end_snap='backup.b.snap.200.0', create_end_snap=True)

        def after():
            raise librbd.Error('metadata object exists')

        self.assertRaises(librbd.Error, rbd_backup.run, librbd, self.volumes,
                          self.backups, job, after=after)
        self.assertEqual([PARENT_IMAGE], librbd.RBD().list(self.backups))
        with librbd.Image(self.volumes, 'volume-v') as vol:
            self.assertEqual(['snapshot-s1', 'snapshot-s2'],
                             [s['name'] for s in vol.list_snaps()])
