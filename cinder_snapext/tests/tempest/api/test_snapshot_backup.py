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

"""Incremental backups of snapshots: the parent, and the refusal."""

from tempest import config
from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from cinder_snapext.tests.tempest.api import base

CONF = config.CONF


class SnapshotBackupTest(base.SnapextBaseTest):
    """The parent is the newest backup whose data predates the snapshot."""

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        if not CONF.volume_feature_enabled.backup:
            raise cls.skipException('Cinder backups are not enabled')

    def _backup(self, backup_id):
        return self.backups_client.show_backup(backup_id)['backup']

    @decorators.idempotent_id('da499d20-2444-4085-89d4-0d2e1f0a345e')
    def test_incremental_backup_of_snapshot_takes_older_parent(self):
        volume = self.create_volume()
        older = self.create_backup(volume_id=volume['id'])
        snapshot = self.create_snapshot(volume['id'])
        # Newer than the snapshot: the parent Cinder 29 would take.
        newer = self.create_backup(volume_id=volume['id'])
        incremental = self.create_backup(volume_id=volume['id'],
                                         snapshot_id=snapshot['id'],
                                         incremental=True)
        shown = self._backup(incremental['id'])
        self.assertTrue(shown['is_incremental'])
        self.assertEqual(snapshot['id'], shown['snapshot_id'])
        self.assertTrue(self._backup(older['id'])['has_dependent_backups'])
        self.assertFalse(self._backup(newer['id'])['has_dependent_backups'])

    @decorators.idempotent_id('bf12b5d0-cf7a-42f6-86ae-c659b28caeaa')
    def test_incremental_backup_of_snapshot_refused_without_parent(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume['id'])
        backup = self.create_backup(volume_id=volume['id'])
        project_id = self.os_primary.credentials.project_id
        quota_before = self.quota_usage(project_id, 'backups')
        ex = self.assertRaises(lib_exc.BadRequest,
                               self.backups_client.create_backup,
                               volume_id=volume['id'],
                               snapshot_id=snapshot['id'], incremental=True)
        self.assertIn('no backup predates snapshot %s' % snapshot['id'],
                      str(ex))
        backups = self.backups_client.list_backups(
            detail=True, volume_id=volume['id'])['backups']
        self.assertEqual([backup['id']], [b['id'] for b in backups])
        self.assertEqual(quota_before,
                         self.quota_usage(project_id, 'backups'))
        self.assertEqual('available', self.snapshots_client.show_snapshot(
            snapshot['id'])['snapshot']['status'])
        self.assertEqual('available', self.volumes_client.show_volume(
            volume['id'])['volume']['status'])
