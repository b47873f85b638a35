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

"""The admin metadata DB API against Cinder's real schema and ours."""

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder.tests.unit import fake_constants as fake
import ddt
import sqlalchemy as sa

from cinder_snapext.db import api as db_api
from cinder_snapext.db import models
from cinder_snapext import exception
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit import fakes


def _all_rows(context, snapshot_id):
    """Every row of the snapshot, soft-deleted ones included."""
    with db_api.cinder_db_api.main_context_manager.reader.using(context):
        query = sa.select(models.SnapshotAdminMetadata).where(
            models.SnapshotAdminMetadata.snapshot_id == snapshot_id)
        return context.session.execute(query).scalars().all()


def _as_dict(rows):
    return {row.key: row.value for row in rows}


@ddt.ddt
class SnapshotAdminMetadataDBAPITestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.snapshot = fakes.create_snapshot(self.ctxt)

    def _update(self, metadata, delete=False, snapshot_id=None):
        return db_api.snapshot_admin_metadata_update(
            self.ctxt, snapshot_id or self.snapshot.id, metadata,
            delete=delete)

    def test_update_returns_live_rows_ordered_by_key(self):
        rows = self._update({'phase': 'begin', 'compute': 'creating'})
        self.assertEqual(['compute', 'phase'], [r.key for r in rows])
        self.assertEqual(
            {'compute': 'creating', 'phase': 'begin'},
            _as_dict(db_api.snapshot_admin_metadata_get_all(
                self.ctxt, self.snapshot.id)))

    def test_update_existing_key_changes_value_in_place(self):
        self._update({'phase': 'begin'})
        self._update({'phase': 'complete'})
        rows = _all_rows(self.ctxt, self.snapshot.id)
        self.assertEqual(1, len(rows))
        self.assertEqual('complete', rows[0].value)

    def test_update_with_delete_drops_other_keys(self):
        self._update({'phase': 'begin', 'compute': 'creating'})
        rows = self._update({'phase': 'done'}, delete=True)
        self.assertEqual({'phase': 'done'}, _as_dict(rows))
        dropped = [r for r in _all_rows(self.ctxt, self.snapshot.id)
                   if r.key == 'compute']
        self.assertTrue(dropped[0].deleted)
        self.assertIsNotNone(dropped[0].deleted_at)

    def test_delete_then_set_revives_the_same_row(self):
        self._update({'phase': 'begin'})
        db_api.snapshot_admin_metadata_delete(
            self.ctxt, self.snapshot.id, 'phase')
        self.assertRaises(exception.SnapshotAdminMetadataNotFound,
                          db_api.snapshot_admin_metadata_get,
                          self.ctxt, self.snapshot.id, 'phase')
        self._update({'phase': 'again'})
        rows = _all_rows(self.ctxt, self.snapshot.id)
        self.assertEqual(1, len(rows))
        self.assertFalse(rows[0].deleted)
        self.assertIsNone(rows[0].deleted_at)
        self.assertEqual('again', rows[0].value)

    def test_compare_and_swap_only_from_an_expected_value(self):
        self._update({'phase': 'waiting'})
        swap = db_api.snapshot_admin_metadata_compare_and_swap
        self.assertFalse(swap(self.ctxt, self.snapshot.id, 'phase',
                              ['beginning'], 'completing'))
        self.assertTrue(swap(self.ctxt, self.snapshot.id, 'phase',
                             ['beginning', 'waiting'], 'completing'))
        # The duplicate of a callback finds the phase already moved.
        self.assertFalse(swap(self.ctxt, self.snapshot.id, 'phase',
                              ['waiting'], 'completing'))
        self.assertEqual({'phase': 'completing'}, _as_dict(
            db_api.snapshot_admin_metadata_get_all(self.ctxt,
                                                   self.snapshot.id)))

    def test_compare_and_swap_never_revives_a_deleted_key(self):
        self._update({'phase': 'waiting'})
        db_api.snapshot_admin_metadata_delete(self.ctxt, self.snapshot.id,
                                              'phase')
        self.assertFalse(db_api.snapshot_admin_metadata_compare_and_swap(
            self.ctxt, self.snapshot.id, 'phase', ['waiting'], 'done'))
        self.assertRaises(exception.SnapshotAdminMetadataNotFound,
                          db_api.snapshot_admin_metadata_get,
                          self.ctxt, self.snapshot.id, 'phase')

    def test_delete_missing_key_raises_not_found(self):
        self.assertRaises(exception.SnapshotAdminMetadataNotFound,
                          db_api.snapshot_admin_metadata_delete,
                          self.ctxt, self.snapshot.id, 'nothing')

    @ddt.data({'': 'empty key'}, {'k': ''}, {'k' * 256: 'v'},
              {'k': 'v' * 256}, {'k': 5}, {'k': None})
    def test_update_invalid_metadata_writes_nothing(self, metadata):
        self._update({'kept': 'yes'})
        self.assertRaises(exception.InvalidSnapshotAdminMetadata,
                          self._update, dict(metadata, other='v'))
        self.assertEqual({'kept': 'yes'},
                         _as_dict(_all_rows(self.ctxt, self.snapshot.id)))

    def test_update_unknown_snapshot_raises_snapshot_not_found(self):
        self.assertRaises(cinder_exception.SnapshotNotFound,
                          self._update, {'k': 'v'},
                          snapshot_id=fake.WILL_NOT_BE_FOUND_ID)

    def test_get_destroyed_snapshot_raises_snapshot_not_found(self):
        self._update({'k': 'v'})
        self.snapshot.destroy()
        self.assertRaises(cinder_exception.SnapshotNotFound,
                          db_api.snapshot_admin_metadata_get_all,
                          self.ctxt, self.snapshot.id)

    def test_get_from_other_project_raises_snapshot_not_found(self):
        self._update({'k': 'v'})
        other = cinder_context.RequestContext(fake.USER2_ID,
                                              fake.PROJECT2_ID)
        self.assertRaises(cinder_exception.SnapshotNotFound,
                          db_api.snapshot_admin_metadata_get_all,
                          other, self.snapshot.id)

    def test_delete_for_destroyed_takes_snapshot_deleted_at(self):
        kept = fakes.create_snapshot(self.ctxt)
        self._update({'k': 'v'})
        self._update({'k': 'v'}, snapshot_id=kept.id)
        self.snapshot.destroy()
        count = db_api.snapshot_admin_metadata_delete_for_destroyed(
            self.ctxt, [self.snapshot.id, kept.id])
        self.assertEqual(1, count)
        row = _all_rows(self.ctxt, self.snapshot.id)[0]
        self.assertTrue(row.deleted)
        self.assertEqual(self.snapshot.deleted_at.replace(tzinfo=None),
                         row.deleted_at)
        self.assertFalse(_all_rows(self.ctxt, kept.id)[0].deleted)

    def test_delete_for_destroyed_without_ids_sweeps_all(self):
        second = fakes.create_snapshot(self.ctxt)
        for snapshot in (self.snapshot, second):
            self._update({'k': 'v'}, snapshot_id=snapshot.id)
            snapshot.destroy()
        self.assertEqual(
            2, db_api.snapshot_admin_metadata_delete_for_destroyed(self.ctxt))
        self.assertEqual(
            0, db_api.snapshot_admin_metadata_delete_for_destroyed(self.ctxt))
