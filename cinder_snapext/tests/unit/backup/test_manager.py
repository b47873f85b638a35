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

"""Tests of which backups SnapextBackupManager restores and deletes."""

from cinder_snapext.backup import endpoint
from cinder_snapext.backup import manager
from cinder_snapext.tests.unit import base

OURS = 'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver'
STOCK = 'cinder.backup.drivers.ceph.CephBackupDriver'
POSIX = 'cinder.backup.drivers.posix.PosixBackupDriver'


class SnapextBackupManagerTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.override_config('backup_driver', OURS)
        self.manager = manager.SnapextBackupManager()

    def test_own_backups_are_ours(self):
        self.assertTrue(self.manager._is_our_backup(OURS))

    def test_backups_of_cinder_ceph_driver_are_ours(self):
        # Made before the deployer switched drivers: same storage format.
        self.assertTrue(self.manager._is_our_backup(STOCK))

    def test_backups_of_other_drivers_are_not(self):
        self.assertFalse(self.manager._is_our_backup(POSIX))

    def test_unknown_driver_name_is_not(self):
        self.assertFalse(self.manager._is_our_backup('no.such.Driver'))

    def test_cinder_manager_refuses_cinder_ceph_backups(self):
        # Why the subclass exists: Cinder compares names only.
        stock_manager = manager.backup_manager.BackupManager()
        self.assertFalse(stock_manager._is_our_backup(STOCK))

    def test_new_backups_are_recorded_under_cinder_ceph_driver_name(self):
        # What create_backup stores in backup.service and export_record
        # hands out: importable where the stock driver runs.
        self.assertEqual(STOCK, self.manager.driver_name)

    def test_driver_without_a_storage_twin_keeps_its_name(self):
        self.override_config('backup_driver', POSIX)
        self.assertEqual(POSIX, manager.SnapextBackupManager().driver_name)

    def test_snapext_endpoint_is_served_beside_the_manager(self):
        served = [e for e in self.manager.additional_endpoints
                  if isinstance(e, endpoint.SnapextBackupEndpoint)]
        self.assertEqual(1, len(served))
        self.assertIs(self.manager, served[0].manager)
