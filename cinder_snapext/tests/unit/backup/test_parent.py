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

"""Incremental parent selection against Cinder's real backups table."""

import datetime

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.objects import fields
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils

from cinder_snapext.backup import parent
from cinder_snapext import exception
from cinder_snapext.tests.unit import base

T0 = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)


def at(minutes):
    return T0 + datetime.timedelta(minutes=minutes)


class IncrementalParentTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=True)
        self.volume = cinder_utils.create_volume(self.ctxt)

    def backup(self, minutes, status=fields.BackupStatus.AVAILABLE,
               data=True, **kwargs):
        return cinder_utils.create_backup(
            self.ctxt, self.volume.id, status=status,
            data_timestamp=at(minutes) if data else None,
            created_at=at(minutes), **kwargs)

    def snapshot(self, minutes):
        snapshot = cinder_utils.create_snapshot(self.ctxt, self.volume.id,
                                                status='available')
        snapshot.created_at = at(minutes)
        snapshot.save()
        return snapshot

    def test_snapshot_parent_is_newest_backup_older_than_snapshot(self):
        older = self.backup(0)
        self.backup(5)
        snapshot = self.snapshot(10)
        self.backup(20)
        self.backup(1, status=fields.BackupStatus.ERROR)
        chosen = parent.check_incremental_parent(self.ctxt, self.volume,
                                                 snapshot)
        self.assertNotEqual(older.id, chosen.id)
        self.assertEqual(at(5), chosen.data_timestamp.replace(
            tzinfo=datetime.UTC))

    def test_snapshot_without_older_backup_refused_naming_newest(self):
        # Cinder 29 takes this newer backup as the parent.
        newer = self.backup(20)
        snapshot = self.snapshot(10)
        error = self.assertRaises(exception.IncrementalBackupParentMissing,
                                  parent.check_incremental_parent,
                                  self.ctxt, self.volume, snapshot)
        self.assertEqual(400, error.code)
        self.assertIn(newer.id, str(error))
        self.assertIn(snapshot.id, str(error))

    def test_volume_parent_is_newest_available(self):
        self.backup(0)
        newest = self.backup(30)
        self.backup(40, status=fields.BackupStatus.CREATING)
        self.assertEqual(newest.id, parent.check_incremental_parent(
            self.ctxt, self.volume).id)

    def test_no_available_backup_is_refused(self):
        self.backup(0, status=fields.BackupStatus.ERROR)
        error = self.assertRaises(exception.IncrementalBackupParentMissing,
                                  parent.check_incremental_parent,
                                  self.ctxt, self.volume)
        self.assertIn('no available backup', str(error))

    def test_other_project_backups_are_not_candidates(self):
        self.backup(0, project_id=fake.PROJECT2_ID)
        self.assertRaises(exception.IncrementalBackupParentMissing,
                          parent.check_incremental_parent,
                          self.ctxt, self.volume)

    def test_legacy_rows_without_data_time_are_filled_not_fatal(self):
        legacy = self.backup(0, data=False)
        snapshot = self.snapshot(10)
        of_snapshot = self.backup(30, data=False, snapshot_id=snapshot.id)
        chosen = parent.check_incremental_parent(self.ctxt, self.volume,
                                                 self.snapshot(20))
        # Its data is from 8:10, newer than the legacy backup's 8:00.
        self.assertEqual(of_snapshot.id, chosen.id)
        filled = {b.id: b.data_timestamp for b in
                  cinder_db_api.backup_get_all_by_volume(
                      self.ctxt, self.volume.id, fake.PROJECT_ID)}
        # A legacy backup of a snapshot holds the snapshot's data.
        self.assertEqual(at(10).replace(tzinfo=None),
                         filled[of_snapshot.id].replace(tzinfo=None))
        self.assertEqual(at(0).replace(tzinfo=None),
                         filled[legacy.id].replace(tzinfo=None))
