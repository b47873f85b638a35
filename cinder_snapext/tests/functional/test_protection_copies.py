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

"""protect --backup over the in-process API, with Cinder's posix backups.

The CLI runs as a separate process; volumes are files, backups Cinder's
posix driver's, so the data restored from a backup is compared byte for
byte with the data protected.
"""

from cinder_snapext.tests.functional import protection_base as pbase
from cinder_snapext.tests.functional import test_backup_posix_chain as chain


class ProtectionCopiesTestCase(pbase.CommandLineTestCase,
                               chain.FileBackendBackupTestCase):
    """The command line against file volumes and posix backups."""

    def _get_flags(self):
        flags = super()._get_flags()
        # ProtectionTestCase's in-memory backend has no data to back up.
        flags['volume_driver'] = {'v': chain.FILE_DRIVER,
                                  'g': 'backend_defaults'}
        return flags

    def test_backup_outlives_the_snapshot_and_restores_its_data(self):
        volume = self.create_volume(name='db')
        name = 'volume-%s' % volume['id']
        chain.write(name, 0, 64 * 1024, 'protected')
        expected = chain.sha256(name)
        result = self.cli_json('protect', 'db', '--backup', '--incremental',
                               '--keep-last', '1')
        self.assertEqual(('available', False, result['id']),
                         (result['backup']['status'],
                          result['backup']['incremental'],
                          result['backup']['snapshot_id']))
        chain.write(name, 0, 64 * 1024, 'later')
        self.assertEqual([{'id': result['id'], 'result': 'deleted'}],
                         self.cli_json('delete', result['id']))

        restored = self.cli_json('restore', '--latest', 'db', '--name',
                                 'db-back')
        self.assertEqual(('db-back', 'available', result['backup']['id']),
                         (restored['name'], restored['status'],
                          restored['backup_id']))
        self.assertEqual(expected,
                         chain.sha256('volume-%s' % restored['id']))
