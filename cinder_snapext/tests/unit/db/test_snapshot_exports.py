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

"""The exports DB API against Cinder's real schema and ours."""

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.tests.unit import utils as cinder_utils
import sqlalchemy as sa

from cinder_snapext.db import models
from cinder_snapext.db import snapshot_exports as db_api
from cinder_snapext.tests.unit import base


def _all_rows(context, volume_id):
    """(name, deleted, snapshot_id) of every row, soft-deleted ones too."""
    with db_api.cinder_db_api.main_context_manager.reader.using(context):
        query = (sa.select(models.SnapshotExport)
                 .where(models.SnapshotExport.volume_id == volume_id)
                 .order_by(models.SnapshotExport.name))
        return [(row.name, row.deleted, row.snapshot_id)
                for row in context.session.execute(query).scalars()]


class SnapshotExportsDBAPITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.volume = cinder_utils.create_volume(self.ctxt)
        self.snapshot_id = '5b1b3a4c-8f0e-4a35-9a47-1d3c1c3b6f10'

    def _names(self, volume_ids=None):
        rows = db_api.snapshot_export_get_all(
            self.ctxt, volume_ids or [self.volume.id])
        return [(row.volume_id, row.name) for row in rows]

    def test_record_then_get_all_returns_live_rows_by_volume_and_name(self):
        other = cinder_utils.create_volume(self.ctxt)
        for volume_id, name in ((other.id, 'b'), (self.volume.id, 'z'),
                                (self.volume.id, 'a')):
            self.assertTrue(db_api.snapshot_export_record(
                self.ctxt, volume_id, name))
        self.assertEqual(
            sorted([(self.volume.id, 'a'), (self.volume.id, 'z'),
                    (other.id, 'b')]),
            self._names([self.volume.id, other.id]))
        self.assertEqual([], self._names(['no-such-volume']))

    def test_record_when_forgotten_revives_the_same_row(self):
        db_api.snapshot_export_record(self.ctxt, self.volume.id, 'a')
        self.assertEqual(1, db_api.snapshot_export_forget(
            self.ctxt, self.volume.id, ['a', 'never-recorded']))
        self.assertEqual([('a', True, None)],
                         _all_rows(self.ctxt, self.volume.id))
        db_api.snapshot_export_record(self.ctxt, self.volume.id, 'a',
                                      self.snapshot_id)
        self.assertEqual([('a', False, self.snapshot_id)],
                         _all_rows(self.ctxt, self.volume.id))

    def test_forget_when_nothing_live_changes_nothing(self):
        self.assertEqual(0, db_api.snapshot_export_forget(
            self.ctxt, self.volume.id, ['a']))
        self.assertEqual([], _all_rows(self.ctxt, self.volume.id))

    def test_sync_adds_unmanaged_and_forgets_only_what_left_the_backend(self):
        for name in ('kept', 'gone', 'being-exported'):
            db_api.snapshot_export_record(self.ctxt, self.volume.id, name)
        added, gone = db_api.snapshot_export_sync(
            self.ctxt, self.volume.id, unmanaged={'kept', 'new'},
            present={'kept', 'new', 'being-exported', 'managed'})
        self.assertEqual((['new'], ['gone']), (added, gone))
        self.assertEqual(
            [(self.volume.id, 'being-exported'), (self.volume.id, 'kept'),
             (self.volume.id, 'new')], self._names())
        self.assertEqual(([], []), db_api.snapshot_export_sync(
            self.ctxt, self.volume.id, {'kept', 'new'},
            {'kept', 'new', 'being-exported'}))

    def test_delete_for_destroyed_takes_the_volume_deleted_at(self):
        other = cinder_utils.create_volume(self.ctxt)
        for volume_id in (self.volume.id, other.id):
            db_api.snapshot_export_record(self.ctxt, volume_id, 'a')
        self.volume.destroy()
        self.assertEqual(1, db_api.snapshot_export_delete_for_destroyed(
            self.ctxt, [self.volume.id, other.id]))
        self.assertEqual([], self._names())
        self.assertEqual([(other.id, 'a')], self._names([other.id]))
        with db_api.cinder_db_api.main_context_manager.reader.using(
                self.ctxt):
            row = self.ctxt.session.execute(
                sa.select(models.SnapshotExport).where(
                    models.SnapshotExport.volume_id == self.volume.id)
            ).scalar_one()
        volume = cinder_objects.Volume.get_by_id(
            self.ctxt.elevated(read_deleted='yes'), self.volume.id)
        self.assertEqual(volume.deleted_at.replace(tzinfo=None),
                         row.deleted_at)
        self.assertEqual(0, db_api.snapshot_export_delete_for_destroyed(
            self.ctxt))
