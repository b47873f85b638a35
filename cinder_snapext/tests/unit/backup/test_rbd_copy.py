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

import testtools

from cinder_snapext.backup import rbd_copy
from cinder_snapext.tests.unit.backup import fake_rbd

SIZE = 64 * fake_rbd.BLOCK


def _image(pool, name, size=SIZE):
    fake_rbd.RBD().create(pool, name, size)
    return fake_rbd.Image(pool, name)


class CopyTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.pool = fake_rbd.Ioctx()
        self.src = _image(self.pool, 'src')
        self.src.write(b'a' * 3 * fake_rbd.BLOCK, 0)
        self.src.create_snap('one')
        self.src.write(b'b' * fake_rbd.BLOCK, 10 * fake_rbd.BLOCK)
        self.src.discard(0, fake_rbd.BLOCK)
        self.src.create_snap('two')

    def _at(self, snap):
        return fake_rbd.Image(self.pool, 'src', snapshot=snap)

    def test_changed_extents_from_nothing_are_allocated_ones(self):
        extents = rbd_copy.changed_extents(self._at('one'), None)
        self.assertEqual(3 * fake_rbd.BLOCK,
                         sum(length for _, length, _ in extents))

    def test_copy_diff_moves_only_changes_and_matches_data(self):
        dest = _image(self.pool, 'dest')
        moved = rbd_copy.copy_extents(
            self._at('one'), dest,
            rbd_copy.changed_extents(self._at('one'), None))
        self.assertEqual(3 * fake_rbd.BLOCK, moved)

        moved = rbd_copy.copy_extents(
            self._at('two'), dest,
            rbd_copy.changed_extents(self._at('two'), 'one'))
        # One block written; the discarded one is zeroed, not copied.
        self.assertEqual(fake_rbd.BLOCK, moved)
        self.assertEqual(self._at('two').read(0, SIZE), dest.read(0, SIZE))

    def test_copy_in_chunks_smaller_than_extent(self):
        dest = _image(self.pool, 'dest')
        moved = rbd_copy.copy_extents(
            self._at('one'), dest, [(0, 3 * fake_rbd.BLOCK, True)],
            chunk=1000)
        self.assertEqual(3 * fake_rbd.BLOCK, moved)
        self.assertEqual(self._at('one').read(0, SIZE), dest.read(0, SIZE))
