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

"""tools/stack/lvm/backup_digest.py on a posix backup laid out here.

The layout is Cinder's posix driver's, written as that driver writes it:
<path>/<id[0:2]>/<id[2:4]>/<id>/, a <prefix>_metadata file and one file
per chunk object. The digest must be the MD5 of the volume the backup
restores to, gaps included as zeros.
"""

import hashlib
import json
import os

import fixtures
import testtools

from cinder_snapext.tests.unit.tools.stack import lvm

BACKUP_ID = '24083a06-d002-48de-aab0-f0cbab825550'
PREFIX = 'volume_4f17_20261207122737_backup_' + BACKUP_ID


class BackupDigestTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.path = self.useFixture(fixtures.TempDir()).path
        self.folder = os.path.join(self.path, BACKUP_ID[0:2],
                                   BACKUP_ID[2:4], BACKUP_ID)
        os.makedirs(self.folder)
        self.digest = lvm.load('backup_digest').digest

    def backup(self, chunks, compression='none', parent_id=None):
        """Write CHUNKS [(offset, bytes)] as objects and their metadata."""
        objects = []
        for n, (offset, data) in enumerate(chunks, 1):
            name = '%s-%05d' % (PREFIX, n)
            with open(os.path.join(self.folder, name), 'wb') as f:
                f.write(data)
            objects.append({name: {'offset': offset, 'length': len(data),
                                   'compression': compression}})
        meta = {'version': '1.0.0', 'backup_id': BACKUP_ID,
                'parent_id': parent_id, 'objects': objects}
        with open(os.path.join(self.folder, PREFIX + '_metadata'), 'w') as f:
            json.dump(meta, f)

    def test_chunks_in_place_and_gaps_as_zeros(self):
        size = 3 * 1024 * 1024 + 5
        # Written out of order; nothing covers 1-2 MiB nor the tail.
        self.backup([(2 * 1024 * 1024, b'\xc3' * 1024),
                     (0, b'\x5a' * (1024 * 1024))])
        volume = bytearray(size)
        volume[0:1024 * 1024] = b'\x5a' * (1024 * 1024)
        volume[2 * 1024 * 1024:2 * 1024 * 1024 + 1024] = b'\xc3' * 1024
        self.assertEqual(hashlib.md5(volume, usedforsecurity=False)
                         .hexdigest(), self.digest(self.path, BACKUP_ID, size))

    def test_a_byte_changed_changes_the_digest(self):
        self.backup([(0, b'\x5a' * 4096)])
        want = hashlib.md5(b'\x5a' * 4095 + b'\x99',
                           usedforsecurity=False).hexdigest()
        self.assertNotEqual(want, self.digest(self.path, BACKUP_ID, 4096))

    def test_a_short_object_is_refused(self):
        self.backup([(0, b'\x5a' * 4096)])
        name = '%s-%05d' % (PREFIX, 1)
        with open(os.path.join(self.folder, name), 'wb') as f:
            f.write(b'\x5a' * 4000)
        self.assertRaises(SystemExit, self.digest, self.path, BACKUP_ID,
                          4096)

    def test_compressed_or_incremental_backups_are_refused(self):
        self.backup([(0, b'x' * 10)], compression='zlib')
        self.assertRaises(SystemExit, self.digest, self.path, BACKUP_ID, 10)
        self.backup([(0, b'x' * 10)], parent_id='another')
        self.assertRaises(SystemExit, self.digest, self.path, BACKUP_ID, 10)
