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

"""MD5 of a block device, read with O_DIRECT: run in the LVM guest.

Under TCG emulation ``sha256sum`` of a 1 GiB LV took over 300 s on a
loaded host; through the page cache and a pipe most of the cost is the
emulated kernel's copying. One process reading 4 MiB blocks past the
page cache into an aligned buffer, with OpenSSL's MD5, took 23 s.
Usage: lv_digest.py DEVICE
"""

import hashlib
import mmap
import os
import sys

BLOCK = 4 * 1024 * 1024


def main(device):
    # An anonymous mmap is page-aligned, as O_DIRECT needs.
    buf = mmap.mmap(-1, BLOCK)
    digest = hashlib.md5(usedforsecurity=False)
    fd = os.open(device, os.O_RDONLY | os.O_DIRECT)
    try:
        while True:
            n = os.readv(fd, [buf])
            if not n:
                break
            digest.update(memoryview(buf)[:n])
    finally:
        os.close(fd)
    print(digest.hexdigest())


if __name__ == '__main__':
    main(sys.argv[1])
