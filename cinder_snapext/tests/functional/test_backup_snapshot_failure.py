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

"""A snapshot backup whose backup driver fails leaves nothing stuck.

What Cinder 29 already does, proven through its real services: the
snapshot returns to ``available``, the temporary volume made from it is
deleted (row and data), the backup is ``error`` with a reason, and the
backup notifications carry the snapshot's id.
"""

import os

from cinder.db import api as cinder_db_api

from cinder_snapext.tests.functional import test_backup_posix_chain as chain


class SnapshotBackupFailureTestCase(chain.FileBackendBackupTestCase):

    def _get_flags(self):
        flags = super()._get_flags()
        # A file where the driver wants its directory: every backup fails
        # inside Cinder's own posix driver.
        flags['backup_posix_path'] = {'v': self.backup_dir + '-not-a-dir'}
        return flags

    def setUp(self):
        super().setUp()
        with open(self.backup_dir + '-not-a-dir', 'w') as f:
            f.write('in the way')

    def test_failed_snapshot_backup_releases_snapshot(self):
        volume = self.new_volume()
        snapshot = self.new_snapshot(volume['id'])
        volumes_before = sorted(os.listdir(chain.STORE['dir']))

        backup = self.new_backup(volume['id'], snapshot_id=snapshot['id'])

        self.assertEqual('error', backup['status'])
        self.assertIn('Not a directory', backup['fail_reason'])
        self.assertEqual('available',
                         self.api.get_snapshot(snapshot['id'])['status'])
        self.assertEqual('available',
                         self.api.get_volume(volume['id'])['status'])
        # Cinder made a temporary volume from the snapshot to read it, and
        # deleted it again: row and data.
        def others():
            rows = cinder_db_api.volume_get_all(
                self.ctxt.elevated(read_deleted='yes'))
            return [r for r in rows if r.id != volume['id']]
        temps = self.wait_for(others,
                              lambda rows: rows and all(r.deleted
                                                        for r in rows))
        self.assertEqual(1, len(temps))
        self.wait_for(lambda: sorted(os.listdir(chain.STORE['dir'])),
                      lambda names: names == volumes_before)

        events = [(n['event_type'], n['payload'].get('snapshot_id'))
                  for n in self.notifier.notifications
                  if n['event_type'].startswith('backup.')]
        self.assertIn(('backup.create.start', snapshot['id']), events)
        self.assertTrue(all(sid == snapshot['id'] for _, sid in events),
                        events)
