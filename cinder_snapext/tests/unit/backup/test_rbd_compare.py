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

"""Tests of comparing two RBD points chunk by chunk."""

import hashlib

import testtools

from cinder_snapext.backup import rbd_compare
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

BLOCK = librbd.BLOCK
SIZE = 32 * BLOCK


class CompareTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.aio = librbd_aio.AioQueue(seed=5)
        self.patch(librbd, 'AIO', self.aio)
        self.pool = librados.Ioctx()
        self.data = hashlib.shake_256(b'compare').digest(SIZE)
        self.source = self._image('source', SIZE, self.data)

    def _image(self, name, size, data):
        librbd.RBD().create(self.pool, name, size)
        with librbd.Image(self.pool, name) as img:
            img.write(data, 0)
        return librbd.Image(self.pool, name)

    def _compare(self, copy, **kwargs):
        return rbd_compare.compare(self.source, copy, chunk=BLOCK, **kwargs)

    def test_equal_images_match_with_the_same_checksum(self):
        result = self._compare(self._image('copy', SIZE, self.data))
        self.assertTrue(rbd_compare.matches(result))
        self.assertEqual(hashlib.sha256(self.data).hexdigest(),
                         result.source_sha256)
        self.assertEqual(result.source_sha256, result.copy_sha256)
        self.assertEqual((0, SIZE), (result.differing_chunks,
                                     result.compared))
        self.assertLessEqual(self.aio.peak, 8)
        self.assertEqual([], self.aio.pending)

    def test_every_corrupted_chunk_is_counted(self):
        corrupt = bytearray(self.data)
        for block in (3, 17, 31):
            corrupt[block * BLOCK + 100] ^= 0xff
        result = self._compare(self._image('copy', SIZE, bytes(corrupt)),
                               in_flight=3)
        self.assertFalse(rbd_compare.matches(result))
        self.assertEqual(3, result.differing_chunks)
        self.assertEqual([3 * BLOCK, 17 * BLOCK, 31 * BLOCK],
                         result.first_offsets)
        self.assertNotEqual(result.source_sha256, result.copy_sha256)

    def test_shorter_copy_does_not_match(self):
        result = self._compare(self._image('copy', SIZE // 2,
                                           self.data[:SIZE // 2]))
        self.assertEqual(0, result.differing_chunks)
        self.assertFalse(rbd_compare.matches(result))

    def test_copy_of_an_extended_volume_matches_on_the_source(self):
        result = self._compare(self._image('copy', 2 * SIZE, self.data))
        self.assertTrue(rbd_compare.matches(result))
        self.assertEqual(SIZE, result.compared)
