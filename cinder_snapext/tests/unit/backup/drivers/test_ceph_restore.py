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

"""Tests of a restore whose restore point another service never took."""

import datetime
import types
from unittest import mock

from cinder.backup.drivers import ceph as cinder_ceph

from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import restore_points
from cinder_snapext.tests.unit.backup.drivers import test_ceph
from cinder_snapext.tests.unit.fake_ceph import librbd

CREATED = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)


class RestoreTakesMissingPointTestCase(test_ceph.DriverFixture):
    """The backup service that made b3 died before it took b3's point."""

    def _backup(self, metadata):
        return types.SimpleNamespace(
            id='b3', volume_id='v', container='backups',
            created_at=CREATED, service_metadata=metadata)

    def _restore(self, backup):
        seen = []

        def cinder_restore(driver, b, volume_id, volume_file, is_new):
            # What Cinder's restore looks for to restore by diff.
            seen.append(self._snaps(self.backups, 'volume-v.backup.b3'))

        with mock.patch.object(cinder_ceph.CephBackupDriver, 'restore',
                               cinder_restore):
            self.driver.restore(backup, 'target', None, False)
        return seen

    def test_restore_takes_the_point_before_cinder_looks_for_it(self):
        backup = self._backup(rbd_chain.service_metadata(
            'volume-v.backup.b3', rbd_chain.DIFFERENTIAL, 0))
        self.assertEqual([[restore_points.point_name(backup)]],
                         self._restore(backup))

    def test_point_already_there_is_kept_not_taken_again(self):
        backup = self._backup(rbd_chain.service_metadata(
            'volume-v.backup.b3', rbd_chain.FULL, 0))
        with librbd.Image(self.backups, 'volume-v.backup.b3') as image:
            image.create_snap(restore_points.point_name(backup))
        self.assertEqual([[restore_points.point_name(backup)]],
                         self._restore(backup))

    def test_cinders_own_backup_is_left_to_cinder(self):
        # Cinder's incremental images hold the points of several backups;
        # taking one at restore time would hold the wrong data.
        backup = self._backup('{"base": "volume-v.backup.base"}')
        self.assertEqual([[]], self._restore(backup))
