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

"""Compare two RBD points byte for byte, with a checksum of each."""

import collections
import hashlib

from cinder_snapext.backup import rbd_aio
from cinder_snapext.backup import rbd_copy

# Offsets of differing chunks kept for the report; the count is exact.
KEEP_OFFSETS = 10

Comparison = collections.namedtuple('Comparison', [
    'source_size',       # bytes of the source point
    'copy_size',         # bytes of the copy (the backup's restore point)
    'compared',          # bytes compared: the source's size
    'source_sha256',     # of the source's first `compared` bytes
    'copy_sha256',       # of the copy's first `compared` bytes
    'differing_chunks',  # how many chunks differ
    'first_offsets',     # offsets of the first KEEP_OFFSETS of them
    'chunk',             # the chunk size
])


def matches(comparison):
    """Whether the copy holds the source's data.

    A larger copy may: the volume was extended after the snapshot, and a
    restore makes a volume of the copy's size.
    """
    return (comparison.differing_chunks == 0 and
            comparison.copy_size >= comparison.source_size)


def compare(source, copy, in_flight=8, chunk=rbd_copy.CHUNK):
    """Read source and copy side by side and compare every chunk.

    Both are open rbd.Image objects (a snapshot each, read-only). Reads go
    through the aio window, up to in_flight at once, so the checksums see
    the chunks in order. Reads the whole source: a corruption may sit in
    an extent that no diff reports (the whole point of verifying).
    """
    source_size, copy_size = source.size(), copy.size()
    compared = min(source_size, copy_size)
    digests = (hashlib.sha256(), hashlib.sha256())
    differing = []
    count = [0]
    pending = {}

    def take(which, pos):
        def done(data):
            digests[which].update(data)
            if which == 0:
                pending[pos] = data
            elif pending.pop(pos) != data:
                count[0] += 1
                if len(differing) < KEEP_OFFSETS:
                    differing.append(pos)
        return done

    # With source's read reaped just before copy's, ``pending`` holds one
    # chunk at a time; memory stays within in_flight chunks.
    with rbd_aio.Window(max(2, in_flight)) as window:
        for pos in range(0, compared, chunk):
            size = min(chunk, compared - pos)
            window.read(source, pos, size, take(0, pos))
            window.read(copy, pos, size, take(1, pos))
    return Comparison(source_size, copy_size, compared,
                      digests[0].hexdigest(), digests[1].hexdigest(),
                      count[0], differing, chunk)
