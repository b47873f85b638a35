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

"""Tests of the window of librbd asynchronous operations."""

import errno

import testtools

from cinder_snapext.backup import rbd_aio
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio

BLOCK = librbd.BLOCK


class WindowTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.aio = librbd_aio.AioQueue(seed=3)
        self.patch(librbd, 'AIO', self.aio)
        self.pool = librados.Ioctx()
        librbd.RBD().create(self.pool, 'img', 16 * BLOCK)
        self.image = librbd.Image(self.pool, 'img')
        for block in range(16):
            self.image.write(bytes([block]) * BLOCK, block * BLOCK)

    def test_results_come_in_issue_order_whatever_the_completion_order(self):
        seen = []
        with rbd_aio.Window(5) as window:
            for block in range(16):
                window.read(self.image, block * BLOCK, BLOCK, seen.append)
        self.assertEqual([bytes([b]) * BLOCK for b in range(16)], seen)
        self.assertEqual(5, self.aio.peak)

    def test_error_is_raised_once_every_operation_is_done(self):
        self.pool.failures[('img', 'write', 2 * BLOCK)] = errno.EIO
        seen = []

        def run():
            with rbd_aio.Window(4) as window:
                for block in range(6):
                    window.write(self.image, b'x' * BLOCK, block * BLOCK,
                                 seen.append)
        e = self.assertRaises(OSError, run)
        self.assertEqual(errno.EIO, e.errno)
        self.assertEqual([], self.aio.pending)
        # The two writes issued before it were reaped; none after it ran
        # its callback.
        self.assertEqual([None, None], seen)

    def test_error_of_the_caller_waits_for_what_is_in_flight(self):
        def run():
            with rbd_aio.Window(8) as window:
                for block in range(3):
                    window.read(self.image, block * BLOCK, BLOCK,
                                self.fail)
                raise RuntimeError('caller')
        self.assertRaises(RuntimeError, run)
        self.assertEqual([], self.aio.pending)

    def test_depth_below_one_is_refused(self):
        self.assertRaises(ValueError, rbd_aio.Window, 0)
