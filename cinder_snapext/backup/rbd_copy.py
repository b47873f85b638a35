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

"""Copy what changed between two points of one RBD image into another."""

from oslo_utils import units

CHUNK = 4 * units.Mi


def changed_extents(src, from_snap):
    """(offset, length, exists) of src's extents changed since from_snap.

    With from_snap None, every allocated extent; a clone's parent data
    counts as its own, as a restore must see it.
    """
    extents = []
    src.diff_iterate(0, src.size(), from_snap,
                     lambda off, length, exists: extents.append(
                         (off, length, exists)))
    return extents


def _zero(dest, offset, length):
    # Discard on a clone reads back zeros too, but write_zeroes says it.
    if hasattr(dest, 'write_zeroes'):
        dest.write_zeroes(offset, length)
    else:
        dest.discard(offset, length)


def copy_extents(src, dest, extents, chunk=CHUNK):
    """Write src's data of extents into dest at the same offsets.

    An extent that no longer exists (discarded since from_snap) is zeroed
    in dest. Returns the number of data bytes written.
    """
    written = 0
    for offset, length, exists in extents:
        if not exists:
            _zero(dest, offset, length)
            continue
        end = offset + length
        for pos in range(offset, end, chunk):
            size = min(chunk, end - pos)
            dest.write(src.read(pos, size), pos)
            written += size
    dest.flush()
    return written
