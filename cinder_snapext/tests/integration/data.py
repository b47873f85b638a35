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

"""The data scenarios write, and the digest the volumes must then have."""

import hashlib

MiB = 1024 * 1024
GiB = 1024 * MiB


def pattern(seed, length):
    """What rbdtool.py writes for seed (kept in step with it)."""
    return hashlib.shake_256(('snapext-%s' % seed).encode()).digest(length)


def expected_sha256(size, writes):
    """SHA-256 of an image of size bytes, zero but for writes.

    writes: (offset_mib, length_mib, seed), later ones win on overlap.
    """
    chunk = 4 * MiB
    data = [(off * MiB, pattern(seed, length * MiB))
            for off, length, seed in writes]
    digest = hashlib.sha256()
    for start in range(0, size, chunk):
        end = min(start + chunk, size)
        buf = bytearray(end - start)
        for off, blob in data:
            lo, hi = max(start, off), min(end, off + len(blob))
            if lo < hi:
                buf[lo - start:hi - start] = blob[lo - off:hi - off]
        digest.update(buf)
    return digest.hexdigest()


def fill_sha256(size, writes):
    """SHA-256 of size bytes, zero but for writes (off_mib, len_mib, byte).

    Later writes win where they overlap.
    """
    return _fill_digest(hashlib.sha256(), size, writes)


def fill_md5(size, writes):
    """MD5 of the same bytes: what the emulated LVM guest can afford.

    A comparison of data, not a security check.
    """
    return _fill_digest(hashlib.md5(usedforsecurity=False), size, writes)


def _fill_digest(digest, size, writes):
    chunk = 4 * MiB
    for start in range(0, size, chunk):
        buf = bytearray(chunk)
        for off, length, byte in writes:
            lo = max(start, off * MiB)
            hi = min(start + chunk, (off + length) * MiB)
            if lo < hi:
                buf[lo - start:hi - start] = bytes([byte]) * (hi - lo)
        digest.update(buf)
    return digest.hexdigest()
