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

"""Snapshot backups on the file-backed export backend: the shared steps."""

import os

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
import fixtures

from cinder_snapext.tests.functional import base
from cinder_snapext.tests.functional import fake_export_backend

BACKEND = fake_export_backend.BACKEND
# Two chunks of Cinder's posix driver, so that the data is not one block.
BEFORE_SNAPSHOT = os.urandom(96 * 1024)
AFTER_SNAPSHOT = os.urandom(96 * 1024)


class SnapshotBackupTestCase(base.FunctionalTestCase):
    """A volume written, snapshotted, written again; its snapshot backed up.

    Subclasses start the backup service with the connector they need.
    """

    _osapi_version = '3.47'

    def setUp(self):
        self.backup_dir = self.useFixture(fixtures.TempDir()).path
        BACKEND.reset(self.useFixture(fixtures.TempDir()).path)
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()

    def _volume(self):
        volume = self.api.post_volume({'volume': {'size': 1}})
        return self.wait_for(lambda: self.api.get_volume(volume['id']),
                             lambda v: v['status'] == 'available')

    def _snapshot_of_written_volume(self):
        """A snapshot of BEFORE_SNAPSHOT; the volume holds AFTER_SNAPSHOT."""
        volume = self._volume()
        with open(BACKEND.path('volume-' + volume['id']), 'wb') as device:
            device.write(BEFORE_SNAPSHOT)
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        snapshot = self.wait_for(
            lambda: self.api.get_snapshot(snapshot['id']),
            lambda s: s['status'] == 'available')
        with open(BACKEND.path('volume-' + volume['id']), 'wb') as device:
            device.write(AFTER_SNAPSHOT)
        return snapshot

    def _backup(self, snapshot):
        body = {'backup': {'volume_id': snapshot['volume_id'],
                           'snapshot_id': snapshot['id']}}
        backup = self.api.api_post('/backups', body)['backup']
        return self.wait_for(
            lambda: self.api.api_get('/backups/%s' % backup['id'])['backup'],
            lambda b: b['status'] not in ('creating',))

    def _temporary_volumes(self):
        """Volumes Cinder ever made to back something up, deleted or not."""
        everything = self.ctxt.elevated(read_deleted='yes')
        return [v.id for v in cinder_db_api.volume_get_all(everything)
                if (v.display_name or '').startswith('backup-vol-')]
