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


"""Tests of copying a diff into a clone whole object by whole object."""

import testtools

from cinder_snapext.backup import rbd_copy
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

BLOCK = librbd.BLOCK
OBJ = librbd.OBJECT
SIZE = 16 * OBJ + 3 * BLOCK  # the last object is short


class WholeObjectsTestCase(testtools.TestCase):
    """The extents as a clone is best written: whole objects, merged."""

    def test_parts_of_objects_become_the_objects_merged(self):
        extents = [(5 * OBJ + 100, 10, True), (OBJ - BLOCK, 2 * BLOCK, True),
                   (6 * OBJ, BLOCK, True)]
        self.assertEqual([(0, 2 * OBJ, True), (5 * OBJ, 2 * OBJ, True)],
                         rbd_copy.whole_objects(extents, OBJ, SIZE))

    def test_the_last_object_ends_with_the_image(self):
        self.assertEqual([(16 * OBJ, 3 * BLOCK, True)],
                         rbd_copy.whole_objects([(16 * OBJ + 1, 1, True)],
                                                OBJ, SIZE))

    def test_discards_in_part_of_an_object_read_it_whole(self):
        extents = [(2 * OBJ, BLOCK, True), (2 * OBJ + BLOCK, BLOCK, False),
                   (3 * OBJ - BLOCK, 2 * OBJ, False), (9 * OBJ, OBJ, False),
                   (12 * OBJ + BLOCK, BLOCK, False)]
        # Object 2 is read whole, its zeros with it; the discard reaching
        # from object 2 into 4 stays one for object 3, which it covers;
        # object 9 is discarded whole; object 12 in part.
        self.assertEqual([(2 * OBJ, OBJ, True), (3 * OBJ, OBJ, False),
                          (4 * OBJ, OBJ, True), (9 * OBJ, OBJ, False),
                          (12 * OBJ, OBJ, True)],
                         rbd_copy.whole_objects(extents, OBJ, SIZE))

    def test_aligned_extents_are_kept(self):
        extents = [(OBJ, OBJ, True), (4 * OBJ, 2 * OBJ, True)]
        self.assertEqual(extents, rbd_copy.whole_objects(extents, OBJ, SIZE))

    def test_chunk_holds_whole_objects(self):
        self.assertEqual(rbd_copy.CHUNK, rbd_copy.object_chunk(1 << 20))
        self.assertEqual(rbd_copy.CHUNK, rbd_copy.object_chunk(4 << 20))
        self.assertEqual(8 << 20, rbd_copy.object_chunk(8 << 20))


class CloneCopyTestCase(testtools.TestCase):
    """A diff copied into a clone of the parent's point restores S2."""

    def setUp(self):
        super().setUp()
        self.patch(librbd, 'AIO', librbd_aio.AioQueue(seed=5))
        self.pool = librados.Ioctx()
        librbd.RBD().create(self.pool, 'src', SIZE)
        with librbd.Image(self.pool, 'src') as src:
            src.write(b'a' * SIZE, 0)
            src.create_snap('one')
            # Scattered partial writes, one across an object boundary, a
            # discard inside a rewritten object and one alone.
            src.write(b'b' * 10, OBJ + 100)
            src.write(b'c' * 2 * BLOCK, 4 * OBJ - BLOCK)
            src.write(b'd' * BLOCK, 16 * OBJ + BLOCK)
            src.discard(OBJ + 2 * BLOCK, BLOCK)
            src.discard(10 * OBJ + BLOCK, BLOCK)
            src.create_snap('two')
        librbd.RBD().create(self.pool, 'parent', SIZE)
        with librbd.Image(self.pool, 'parent') as parent:
            parent.write(self._read('src', 'one'), 0)
            parent.create_snap('point')
        librbd.RBD().clone(self.pool, 'parent', 'point', self.pool, 'dest')

    def _read(self, name, snap=None):
        with librbd.Image(self.pool, name, snapshot=snap) as img:
            return img.read(0, img.size())

    def _copy(self, widen):
        with librbd.Image(self.pool, 'src', snapshot='two') as src, \
                librbd.Image(self.pool, 'dest') as dest:
            extents = rbd_copy.changed_extents(src, 'one')
            if widen:
                extents = rbd_copy.whole_objects(
                    extents, dest.stat()['obj_size'], SIZE)
            return rbd_copy.copy_extents(src, dest, extents, chunk=OBJ,
                                         in_flight=4)

    def test_whole_objects_restore_the_snapshot_without_copy_up(self):
        moved = self._copy(widen=True)
        self.assertEqual(self._read('src', 'two'), self._read('dest'))
        self.assertEqual(0, self.pool.images['dest'].copy_ups)
        # Objects 1, 3, 4, 10 (discarded in part) and the short last one.
        self.assertEqual(4 * OBJ + 3 * BLOCK, moved)
        # The parent's point is untouched.
        self.assertEqual(self._read('src', 'one'),
                         self._read('parent', 'point'))

    def test_extents_as_listed_restore_it_with_copy_ups(self):
        # What the copy did before: the same data, an object copied up
        # from the parent for each object written in part.
        self._copy(widen=False)
        self.assertEqual(self._read('src', 'two'), self._read('dest'))
        self.assertEqual(5, self.pool.images['dest'].copy_ups)
