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

"""Tests of copying the extents that changed between two RBD points."""

import errno
import random

import testtools

from cinder_snapext.backup import rbd_copy
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

SIZE = 64 * librbd.BLOCK
BLOCK = librbd.BLOCK


def _image(pool, name, size=SIZE):
    librbd.RBD().create(pool, name, size)
    return librbd.Image(pool, name)


class CopyTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.aio = librbd_aio.AioQueue()
        self.patch(librbd, 'AIO', self.aio)
        self.pool = librados.Ioctx()
        self.src = _image(self.pool, 'src')
        self.src.write(b'a' * 3 * librbd.BLOCK, 0)
        self.src.create_snap('one')
        self.src.write(b'b' * librbd.BLOCK, 10 * librbd.BLOCK)
        self.src.discard(0, librbd.BLOCK)
        self.src.create_snap('two')

    def _at(self, snap):
        return librbd.Image(self.pool, 'src', snapshot=snap)

    def test_changed_extents_from_nothing_are_allocated_ones(self):
        extents = rbd_copy.changed_extents(self._at('one'), None)
        self.assertEqual(3 * librbd.BLOCK,
                         sum(length for _, length, _ in extents))

    def test_copy_diff_moves_only_changes_and_matches_data(self):
        dest = _image(self.pool, 'dest')
        moved = rbd_copy.copy_extents(
            self._at('one'), dest,
            rbd_copy.changed_extents(self._at('one'), None))
        self.assertEqual(3 * librbd.BLOCK, moved)

        moved = rbd_copy.copy_extents(
            self._at('two'), dest,
            rbd_copy.changed_extents(self._at('two'), 'one'))
        # One block written; the discarded one is zeroed, not copied.
        self.assertEqual(librbd.BLOCK, moved)
        self.assertEqual(self._at('two').read(0, SIZE), dest.read(0, SIZE))

    def test_copy_in_chunks_smaller_than_extent(self):
        dest = _image(self.pool, 'dest')
        moved = rbd_copy.copy_extents(
            self._at('one'), dest, [(0, 3 * librbd.BLOCK, True)],
            chunk=1000)
        self.assertEqual(3 * librbd.BLOCK, moved)
        self.assertEqual(self._at('one').read(0, SIZE), dest.read(0, SIZE))


class ParallelCopyTestCase(testtools.TestCase):
    """Chunks copied through librbd aio, completed in a shuffled order."""

    def setUp(self):
        super().setUp()
        self.aio = librbd_aio.AioQueue(seed=7)
        self.patch(librbd, 'AIO', self.aio)
        self.pool = librados.Ioctx()
        src = _image(self.pool, 'src')
        rnd = random.Random(1)  # noqa: S311 (test data)
        src.write(rnd.randbytes(40 * BLOCK), 0)
        src.create_snap('one')
        for block in (3, 9, 10, 11, 30, 31, 39, 50, 63):
            src.write(rnd.randbytes(BLOCK), block * BLOCK)
        src.discard(20 * BLOCK, 2 * BLOCK)
        src.create_snap('two')
        self.dest = _image(self.pool, 'dest')

    def _at(self, snap):
        return librbd.Image(self.pool, 'src', snapshot=snap)

    def _copy(self, snap, from_snap, **kwargs):
        return rbd_copy.copy_extents(
            self._at(snap), self.dest,
            rbd_copy.changed_extents(self._at(snap), from_snap),
            chunk=BLOCK, **kwargs)

    def test_parallel_full_then_diff_equals_source(self):
        self.assertEqual(40 * BLOCK, self._copy('one', None, in_flight=4))
        self.assertEqual(self._at('one').read(0, SIZE),
                         self.dest.read(0, SIZE))
        self.assertEqual(9 * BLOCK, self._copy('two', 'one', in_flight=4))
        self.assertEqual(self._at('two').read(0, SIZE),
                         self.dest.read(0, SIZE))
        # Several at once, never more than asked: at most 4 chunks held.
        self.assertEqual(4, self.aio.peak)
        self.assertEqual([], self.aio.pending)

    def test_parallel_and_serial_write_the_same_image(self):
        self._copy('two', None, in_flight=16)
        parallel = self.dest.read(0, SIZE)
        serial = _image(self.pool, 'serial')
        rbd_copy.copy_extents(
            self._at('two'), serial,
            rbd_copy.changed_extents(self._at('two'), None), chunk=BLOCK)
        self.assertEqual(self._at('two').read(0, SIZE), parallel)
        self.assertEqual(parallel, serial.read(0, SIZE))

    def test_failing_write_fails_the_copy_with_nothing_in_flight(self):
        self.pool.failures[('dest', 'write', 5 * BLOCK)] = errno.EIO
        e = self.assertRaises(OSError, self._copy, 'one', None, in_flight=4)
        self.assertEqual(errno.EIO, e.errno)
        self.assertIn('write of %d bytes at %d' % (BLOCK, 5 * BLOCK),
                      str(e))
        self.assertEqual([], self.aio.pending)

    def test_failing_read_fails_the_copy_with_nothing_in_flight(self):
        self.pool.failures[('src', 'read', 38 * BLOCK)] = errno.ENOENT
        e = self.assertRaises(OSError, self._copy, 'one', None, in_flight=3)
        self.assertEqual(errno.ENOENT, e.errno)
        self.assertEqual([], self.aio.pending)
        # Nothing was written past the chunks that had been reached.
        self.assertLess(self.aio.issued, 2 * 40)


class WholeObjectTestCase(testtools.TestCase):
    """whole_object asked for: used only where fast-diff is valid."""

    def setUp(self):
        super().setUp()
        self.patch(librbd, 'AIO', librbd_aio.AioQueue(seed=3))
        self.pool = librados.Ioctx()
        self.dest = _image(self.pool, 'dest')

    def _source(self, features):
        librbd.RBD().create(self.pool, 'src', SIZE, features=features)
        src = librbd.Image(self.pool, 'src')
        src.write(b'a' * 9 * BLOCK, 0)
        src.create_snap('one')
        # One block inside object 1, one at the start of object 5, and a
        # discard of all of object 2 (blocks 8 to 11; only 8 held data).
        src.write(b'b' * 10, 5 * BLOCK + 100)
        src.write(b'c' * BLOCK, 20 * BLOCK)
        src.discard(8 * BLOCK, 4 * BLOCK)
        src.create_snap('two')
        return librbd.Image(self.pool, 'src', snapshot='two')

    def _fast_diff(self):
        return (librbd.RBD_FEATURE_OBJECT_MAP |
                librbd.RBD_FEATURE_FAST_DIFF |
                librbd.RBD_FEATURE_EXCLUSIVE_LOCK)

    def test_fast_diff_image_gives_whole_objects_that_restore(self):
        two = self._source(self._fast_diff())
        one = librbd.Image(self.pool, 'src', snapshot='one')
        rbd_copy.copy_extents(one, self.dest,
                              rbd_copy.changed_extents(one, None, True))
        extents = rbd_copy.changed_extents(two, 'one', whole_object=True)
        obj = librbd.OBJECT
        self.assertEqual([(obj, obj, True), (2 * obj, obj, False),
                          (5 * obj, obj, True)], extents)
        moved = rbd_copy.copy_extents(two, self.dest, extents, chunk=BLOCK,
                                      in_flight=3)
        # Two objects copied whole, the discarded one zeroed.
        self.assertEqual(2 * obj, moved)
        self.assertEqual(two.read(0, SIZE), self.dest.read(0, SIZE))

    def test_off_gives_extents_even_with_fast_diff(self):
        two = self._source(self._fast_diff())
        extents = rbd_copy.changed_extents(two, 'one')
        self.assertEqual([(5 * BLOCK, BLOCK, True), (8 * BLOCK, BLOCK, False),
                          (20 * BLOCK, BLOCK, True)], extents)

    def test_without_fast_diff_or_with_it_invalid_gives_extents(self):
        for features, flags in ((librbd.RBD_FEATURE_OBJECT_MAP, 0),
                                (self._fast_diff(),
                                 librbd.RBD_FLAG_FAST_DIFF_INVALID)):
            self.pool.images.clear()
            two = self._source(features)
            self.pool.images['src'].flags = flags
            self.assertFalse(rbd_copy.fast_diff_valid(two))
            self.assertEqual(
                rbd_copy.changed_extents(two, 'one'),
                rbd_copy.changed_extents(two, 'one', whole_object=True))
