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

"""'cinder-manage db purge' over our tables, on every database."""

import datetime

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.db import migration as cinder_migration
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils
import ddt
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import test_fixtures
from oslo_utils import fixture as utils_fixture
from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_snapext.db import api as db_api
from cinder_snapext.db import migration
from cinder_snapext.db import snapshot_exports
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.db import fixtures as db_fixtures
from cinder_snapext.tests.unit.db import test_migrations as migrations_test

_snapshot_rows = migrations_test._snapshot_rows
_metadata_rows = migrations_test._metadata_rows


def _fix_cinder_purge_on_postgresql(engine):
    # Cinder 29's purge fails on PostgreSQL whatever the plugins: it
    # filters every table with 'deleted IS true', and
    # volume_type_projects.deleted is an INTEGER there (a boolean
    # elsewhere). Making it a boolean in the scratch database lets purge
    # reach our table; test_purge_when_postgresql_fails_in_cinder pins the
    # bug itself.
    with engine.begin() as connection:
        connection.exec_driver_sql(
            'ALTER TABLE volume_type_projects ALTER COLUMN deleted '
            'TYPE boolean USING deleted <> 0')


@ddt.ddt
class PurgeTestCase(base.TestCase):
    """'cinder-manage db purge' over our rows, through Cinder's own code."""

    def _use_database(self, backend, sqlite_fk=False, cinder_bug=False):
        database = self.useFixture(
            db_fixtures.Database(backend, sqlite_fk=sqlite_fk))
        engine = database.engine
        cinder_migration.db_sync(engine=engine)
        migration.db_sync(engine=engine)
        if backend == 'postgresql' and not cinder_bug:
            _fix_cinder_purge_on_postgresql(engine)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            cinder_db_api.main_context_manager, database.facade))
        # Whole seconds: MySQL's DATETIME keeps no fractions, and purge
        # compares deleted_at with now.
        self.clock = self.useFixture(utils_fixture.TimeFixture(
            timeutils.utcnow().replace(microsecond=0)))
        self.context = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=True)
        return engine

    def _destroyed_snapshot_with_metadata(self):
        volume = cinder_utils.create_volume(self.context)
        snapshot = cinder_utils.create_snapshot(self.context, volume.id)
        db_api.snapshot_admin_metadata_update(
            self.context, snapshot.id, {'phase': 'done'})
        snapshot.destroy()
        return snapshot.id

    def _purge(self):
        # purge keeps rows deleted at its own 'now': delete, then age.
        self.clock.advance_time_delta(datetime.timedelta(minutes=1))
        cinder_db_api.purge_deleted_rows(self.context, age_in_days=0)

    @ddt.data(*db_fixtures.BACKENDS)
    def test_purge_when_rows_swept_removes_them_with_snapshot(self, backend):
        engine = self._use_database(backend)
        snapshot_id = self._destroyed_snapshot_with_metadata()

        swept = db_api.snapshot_admin_metadata_delete_for_destroyed(
            self.context, [snapshot_id])
        self.assertEqual(1, swept)
        [(deleted, deleted_at)] = _snapshot_rows(engine, snapshot_id)
        self.assertTrue(deleted)
        self.assertEqual([('phase', True, deleted_at)],
                         _metadata_rows(engine, snapshot_id))

        self._purge()
        self.assertEqual([], _snapshot_rows(engine, snapshot_id))
        self.assertEqual([], _metadata_rows(engine, snapshot_id))

    @ddt.data(*db_fixtures.BACKENDS)
    def test_purge_when_row_left_live_succeeds(self, backend):
        engine = self._use_database(backend)
        snapshot_id = self._destroyed_snapshot_with_metadata()

        self._purge()
        self.assertEqual([], _snapshot_rows(engine, snapshot_id))
        if backend == 'sqlite':
            # Foreign keys are off, as in Cinder: no cascade, and the row
            # outlives its snapshot until the sweep soft-deletes it.
            self.assertEqual([('phase', False, None)],
                             _metadata_rows(engine, snapshot_id))
            self.assertEqual(
                1, db_api.snapshot_admin_metadata_delete_for_destroyed(
                    self.context))
            self.assertEqual([('phase', True, timeutils.utcnow())],
                             _metadata_rows(engine, snapshot_id))
        else:
            self.assertEqual([], _metadata_rows(engine, snapshot_id))

    def test_purge_when_row_left_live_and_sqlite_fk_on_cascades(self):
        engine = self._use_database('sqlite', sqlite_fk=True)
        snapshot_id = self._destroyed_snapshot_with_metadata()

        self._purge()
        self.assertEqual([], _snapshot_rows(engine, snapshot_id))
        self.assertEqual([], _metadata_rows(engine, snapshot_id))

    def test_purge_when_postgresql_fails_in_cinder(self):
        # When this fails, Cinder has fixed its purge on PostgreSQL: delete
        # this test and _fix_cinder_purge_on_postgresql.
        self._use_database('postgresql', cinder_bug=True)

        error = self.assertRaises(db_exc.DBError, self._purge)
        self.assertIn('volume_type_projects.deleted IS true', str(error))

    @ddt.data(*db_fixtures.BACKENDS)
    def test_purge_when_exports_swept_removes_them_with_volume(self,
                                                               backend):
        engine = self._use_database(backend)
        volume = cinder_utils.create_volume(self.context)
        snapshot_exports.snapshot_export_record(self.context, volume.id,
                                                'snapshot-x')
        volume.destroy()
        self.assertEqual(1, snapshot_exports.
                         snapshot_export_delete_for_destroyed(self.context))
        table = migrations_test._table(engine, migrations_test.EXPORTS)

        def rows():
            with engine.connect() as connection:
                return connection.execute(sa.select(table.c.name).where(
                    table.c.volume_id == volume.id)).all()
        self.assertEqual(1, len(rows()))
        self._purge()
        self.assertEqual([], rows())
