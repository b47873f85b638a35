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

from cinder_snapext.backup import rbd_aio

CHUNK = 4 * units.Mi


# librbd's bits (librbd.h), stable since fast-diff exists; kept here so
# that this module needs an open image and not the rbd module.
FEATURE_FAST_DIFF = 1 << 4
FLAG_FAST_DIFF_INVALID = 1 << 1


def fast_diff_valid(image):
    """Whether image's object map alone can say which objects changed."""
    return bool(image.features() & FEATURE_FAST_DIFF) and not (
        image.flags() & FLAG_FAST_DIFF_INVALID)


def changed_extents(src, from_snap, whole_object=False):
    """(offset, length, exists) of src's extents changed since from_snap.

    With from_snap None, every allocated extent; a clone's parent data
    counts as its own, as a restore must see it. With whole_object, and
    only when src's fast-diff is valid, whole objects (``rbd export-diff
    --whole-object``): librbd answers from the object map without
    listing each object's extents; an object that changed in part is
    copied whole, which is the same data at the same offsets.
    """
    extents = []
    src.diff_iterate(0, src.size(), from_snap,
                     lambda off, length, exists: extents.append(
                         (off, length, exists)),
                     whole_object=bool(whole_object and
                                       fast_diff_valid(src)))
    return extents


def whole_objects(extents, object_size, image_size):
    """extents widened to the whole objects of a clone that they touch.

    A write or discard into part of an object that a clone does not hold
    yet makes librbd copy the object up from the parent first: a read of
    the whole object, then the write, one after the other, and that
    object's other writes wait. Writing the whole object skips the
    copy-up. The source's snapshot holds the whole object's bytes (its
    zeros where discarded, the parent's data where unchanged), so the
    backup image ends up the same, with one read and one write per object
    and fewer, larger operations. Objects discarded whole stay discards;
    an object the parent lacks is written whole too, zeros included.
    Sorted by offset.
    """
    written = set()
    for offset, length, exists in extents:
        if not length:
            continue
        end = offset + length
        first, last = offset // object_size, (end - 1) // object_size
        if exists:
            written.update(range(first, last + 1))
            continue
        # A discard covers part of an object only at its ends.
        if offset % object_size:
            written.add(first)
        if end % object_size and end < image_size:
            written.add(last)
    result = []

    def add(start, end, exists):
        if (result and result[-1][2] == exists
                and result[-1][0] + result[-1][1] == start):
            start = result.pop()[0]
        result.append((start, end - start, exists))

    for number in sorted(written):
        start = number * object_size
        add(start, min(start + object_size, image_size), True)
    zeroed = []
    for offset, length, exists in extents:
        if exists or not length:
            continue
        pos, end = offset, offset + length
        while pos < end:
            number = pos // object_size
            stop = min(end, (number + 1) * object_size)
            if number not in written:
                zeroed.append((pos, stop))
            pos = stop
    for start, end in sorted(zeroed):
        add(start, end, False)
    return sorted(result)


def object_chunk(object_size):
    """The copy's chunk for whole objects: CHUNK, or one object if more."""
    return object_size * max(1, CHUNK // object_size)


def _zero(dest, offset, length):
    # Discard on a clone reads back zeros too, but write_zeroes says it.
    if hasattr(dest, 'write_zeroes'):
        dest.write_zeroes(offset, length)
    else:
        dest.discard(offset, length)


def _chunks(extents, chunk):
    """(offset, size) of each chunk of the extents that hold data."""
    for offset, length, exists in extents:
        if exists:
            end = offset + length
            for pos in range(offset, end, chunk):
                yield pos, min(chunk, end - pos)


def copy_extents(src, dest, extents, chunk=CHUNK, in_flight=1):
    """Write src's data of extents into dest at the same offsets.

    An extent that no longer exists (discarded since from_snap) is zeroed
    in dest. With in_flight above 1, up to that many chunks are read or
    written at once through librbd's aio (so at most in_flight x chunk
    bytes are held); extents never overlap, so the order in which the
    writes land does not matter. Returns the number of data bytes written;
    on an error, nothing is in flight any more when it is raised.
    """
    for offset, length, exists in extents:
        if not exists:
            # Metadata only in librbd (no data moves): done in line.
            _zero(dest, offset, length)
    if in_flight <= 1:
        written = _copy_serial(src, dest, _chunks(extents, chunk))
    else:
        written = _copy_parallel(src, dest, _chunks(extents, chunk),
                                 in_flight)
    dest.flush()
    return written


def _copy_serial(src, dest, chunks):
    written = 0
    for pos, size in chunks:
        dest.write(src.read(pos, size), pos)
        written += size
    return written


def _copy_parallel(src, dest, chunks, in_flight):
    written = [0]

    def count(size):
        def done(_):
            written[0] += size
        return done

    with rbd_aio.Window(in_flight) as window:
        for pos, size in chunks:
            # Each chunk holds one slot from its read to its write's end:
            # the read's completion issues the write in the slot it frees.
            window.read(src, pos, size,
                        lambda data, pos=pos, size=size: window.write(
                            dest, data, pos, count(size)))
    return written[0]
