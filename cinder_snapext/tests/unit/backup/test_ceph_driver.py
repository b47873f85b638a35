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

"""Tests of which backups the Ceph driver takes off Cinder's full-copy path."""

from cinder import context as cinder_context
from cinder import objects
from cinder.tests.unit import fake_constants as fake

from cinder_snapext.backup.drivers import ceph
from cinder_snapext.tests.unit import base


class TakesOurPathTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()

    def _backup(self, snapshot_id=None, parent=None):
        return objects.Backup(self.ctxt, snapshot_id=snapshot_id,
                              parent_id=parent.id if parent else None,
                              parent=parent)

    def test_backup_of_snapshot_is_ours(self):
        self.assertTrue(ceph.takes_our_path(self._backup(snapshot_id=fake.SNAPSHOT_ID)))

    def test_full_backup_of_volume_is_cinders(self):
        self.assertFalse(ceph.takes_our_path(self._backup()))

    def test_volume_incremental_on_volume_backup_is_cinders(self):
        parent = objects.Backup(self.ctxt, id=fake.BACKUP_ID, snapshot_id=None)
        self.assertFalse(ceph.takes_our_path(self._backup(parent=parent)))

    def test_volume_incremental_on_snapshot_backup_is_ours(self):
        # Cinder's driver finds no backup.<parent> snapshot on the volume
        # and copies it all.
        parent = objects.Backup(self.ctxt, id=fake.BACKUP_ID,
                                snapshot_id=fake.SNAPSHOT_ID)
        self.assertTrue(ceph.takes_our_path(self._backup(parent=parent)))

    def test_snapshot_rbd_name_follows_cinder_template(self):
        self.assertEqual('snapshot-abc', ceph.snapshot_rbd_name('abc'))
