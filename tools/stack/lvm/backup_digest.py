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

"""MD5 of the volume a full posix backup restores to, read on the host.

The guest's cinder-backup writes Cinder's posix layout on the host's
share: <path>/<id[0:2]>/<id[2:4]>/<id>/, a <prefix>_metadata JSON file
naming each chunk object with its offset and length, and the objects
themselves. With backup_compression_algorithm = none (the guest's
setting) each object is the volume's bytes at its offset; ranges no
object covers restore as zeros. A restore under TCG costs minutes a GiB:
this reads the same bytes at host speed.

Usage: backup_digest.py BACKUP_PATH BACKUP_ID SIZE_BYTES
"""

import glob
import hashlib
import json
import os
import sys

ZEROS = bytes(4 * 1024 * 1024)


def digest(backup_path, backup_id, size):
    folder = os.path.join(backup_path, backup_id[0:2], backup_id[2:4],
                          backup_id)
    meta_file, = glob.glob(os.path.join(folder, '*_metadata'))
    with open(meta_file) as f:
        meta = json.load(f)
    if meta.get('parent_id'):
        raise SystemExit('%s: an incremental backup; full only' % backup_id)
    objects = sorted((v['offset'], v['length'], name, v['compression'])
                     for o in meta['objects'] for name, v in o.items())
    md5 = hashlib.md5(usedforsecurity=False)
    at = 0
    for offset, length, name, compression in objects:
        if compression not in (None, 'none'):
            raise SystemExit('%s: compressed with %s' % (name, compression))
        if offset < at:
            raise SystemExit('%s overlaps the object before it' % name)
        for gap in range(at, offset, len(ZEROS)):
            md5.update(ZEROS[:min(len(ZEROS), offset - gap)])
        with open(os.path.join(folder, name), 'rb') as f:
            data = f.read()
        if len(data) != length:
            raise SystemExit('%s: %d bytes, its metadata says %d'
                             % (name, len(data), length))
        md5.update(data)
        at = offset + length
    for gap in range(at, size, len(ZEROS)):
        md5.update(ZEROS[:min(len(ZEROS), size - gap)])
    return md5.hexdigest()


if __name__ == '__main__':
    print(digest(sys.argv[1], sys.argv[2], int(sys.argv[3])))
