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

"""A live backup service settles what a dead peer of its zone left."""

import datetime

from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder import objects
from cinder.objects import fields
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as test_utils
from oslo_utils import timeutils

from cinder_snapext.backup import manager
from cinder_snapext.backup import takeover
from cinder_snapext.tests.unit import base

OURS = 'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver'
LIVE, DEAD = 'node1', 'node2'


class TakeOverTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.override_config('backup_driver', OURS)
        self.override_config('host', LIVE)
        self.ctxt = cinder_context.get_admin_context()
        self.ctxt.project_id, self.ctxt.user_id = (fake.PROJECT_ID,
                                                   fake.USER_ID)
        self.manager = manager.SnapextBackupManager()
        self.live = self._service(LIVE, up=True)
        self.dead = self._service(DEAD, up=False)
        self.volume = test_utils.create_volume(
            self.ctxt, status='backing-up', previous_status='available')
        self.snapshot = test_utils.create_snapshot(
            self.ctxt, self.volume.id, status='backing-up')

    def _service(self, host, up, zone='nova'):
        age = 0 if up else 3600
        heard = timeutils.utcnow() - datetime.timedelta(seconds=age)
        return test_utils.create_service(self.ctxt, {
            'host': host, 'binary': 'cinder-backup', 'topic': 'cinder-backup',
            'availability_zone': zone, 'updated_at': heard,
            'created_at': heard})

    def _backup(self, status=fields.BackupStatus.CREATING, host=DEAD,
                **kwargs):
        return test_utils.create_backup(
            self.ctxt, self.volume.id, snapshot_id=self.snapshot.id,
            status=status, host=host, **kwargs)

    def _reloaded(self, obj):
        return type(obj).get_by_id(self.ctxt, obj.id)

    def _messages(self, backup):
        return [m['event_id'] for m in db_api.message_get_all(self.ctxt)
                if m['resource_uuid'] == backup.id]

    def test_dead_peer_of_the_zone_is_down(self):
        self._service('node3', up=False, zone='other')
        self.assertEqual([DEAD], takeover.down_peers(self.ctxt, LIVE, 'nova'))

    def test_creating_backup_of_dead_peer_fails_and_frees_its_source(self):
        backup = self._backup()
        taken = takeover.TakeOver(self.manager).run(self.ctxt)
        self.assertEqual([backup.id], taken)
        backup = self._reloaded(backup)
        self.assertEqual((fields.BackupStatus.ERROR, LIVE),
                         (backup.status, backup.host))
        self.assertIn(DEAD, backup.fail_reason)
        self.assertEqual('available', self._reloaded(self.volume).status)
        self.assertEqual('available', self._reloaded(self.snapshot).status)
        # Cinder's "create backup: Backup service is down."
        self.assertEqual(['VOLUME_VOLUME_BACKUP_013_018'],
                         self._messages(backup))

    def test_restoring_backup_is_available_again(self):
        target = test_utils.create_volume(self.ctxt,
                                          status='restoring-backup')
        backup = self._backup(status=fields.BackupStatus.RESTORING,
                              restore_volume_id=target.id)
        takeover.TakeOver(self.manager).run(self.ctxt)
        self.assertEqual(fields.BackupStatus.AVAILABLE,
                         self._reloaded(backup).status)
        self.assertEqual('error_restoring', self._reloaded(target).status)

    def test_backup_of_a_live_peer_is_left_alone(self):
        backup = self._backup(host='node3')
        self._service('node3', up=True)
        self.assertEqual([], takeover.TakeOver(self.manager).run(self.ctxt))
        self.assertEqual(fields.BackupStatus.CREATING,
                         self._reloaded(backup).status)

    def test_finished_backups_of_dead_peer_are_left_alone(self):
        backup = self._backup(status=fields.BackupStatus.AVAILABLE)
        self.assertEqual([], takeover.TakeOver(self.manager).run(self.ctxt))
        self.assertEqual(DEAD, self._reloaded(backup).host)

    def test_one_winner_when_two_services_look_at_once(self):
        backup = self._backup()
        # The other live service read the same row and claimed it first.
        stale = objects.Backup.get_by_id(self.ctxt, backup.id)
        other = manager.SnapextBackupManager()
        other.host = 'node3'
        self.assertTrue(takeover.TakeOver(other).take(self.ctxt, backup,
                                                      DEAD))
        self.assertFalse(takeover.TakeOver(self.manager).take(
            self.ctxt, stale, DEAD))
        backup = self._reloaded(backup)
        self.assertEqual('node3', backup.host)
        self.assertEqual(1, len(self._messages(backup)))
