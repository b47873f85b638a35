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

"""Two writers setting the same new admin metadata key on a real server."""

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.db import migration as cinder_migration
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils
from oslo_db.sqlalchemy import test_fixtures
import sqlalchemy as sa

from cinder_snapext.db import api as db_api
from cinder_snapext.db import migration
from cinder_snapext.db import models
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.db import fixtures as db_fixtures

_TABLE = models.SnapshotAdminMetadata.__tablename__


class ConcurrentInsertTestCase(base.TestCase):
    """The other writer commits the key between our UPDATE and INSERT.

    PostgreSQL only: there an UPDATE that matches nothing takes no lock,
    so the other writer's INSERT commits at once and ours then meets the
    unique key, which is the race the retry in the DB API exists for.
    (SQLite locks the whole file for the first write and InnoDB takes a
    gap lock, so on those the other writer would wait for us instead.)
    """

    def setUp(self):
        super().setUp()
        database = self.useFixture(db_fixtures.Database('postgresql'))
        self.engine = database.engine
        cinder_migration.db_sync(engine=self.engine)
        migration.db_sync(engine=self.engine)
        self.useFixture(test_fixtures.ReplaceEngineFacadeFixture(
            cinder_db_api.main_context_manager, database.facade))
        self.context = cinder_context.RequestContext(
            fake.USER_ID, fake.PROJECT_ID, is_admin=True)
        volume = cinder_utils.create_volume(self.context)
        self.snapshot = cinder_utils.create_snapshot(self.context, volume.id)
        # The other writer: its own connection, committing each statement.
        self.other = sa.create_engine(
            self.engine.url, isolation_level='AUTOCOMMIT',
            poolclass=sa.pool.NullPool)
        self.addCleanup(self.other.dispose)
        self.raced = []

    def _race_after_first_update(self, value):
        def after_execute(conn, cursor, statement, params, context, many):
            if self.raced or not statement.startswith('UPDATE %s' % _TABLE):
                return
            self.raced.append(cursor.rowcount)
            with self.other.connect() as connection:
                connection.execute(
                    sa.insert(models.SnapshotAdminMetadata.__table__).values(
                        snapshot_id=self.snapshot.id,
                        key='phase', value=value, deleted=False,
                        created_at=sa.func.now()))

        sa.event.listen(self.engine, 'after_cursor_execute', after_execute)
        self.addCleanup(sa.event.remove, self.engine, 'after_cursor_execute',
                        after_execute)

    def _rows(self):
        with self.other.connect() as connection:
            return connection.execute(
                sa.select(models.SnapshotAdminMetadata.__table__).where(
                    models.SnapshotAdminMetadata.snapshot_id ==
                    self.snapshot.id)).all()

    def test_update_when_key_inserted_concurrently_keeps_one_row(self):
        self._race_after_first_update('from-the-other-writer')

        rows = db_api.snapshot_admin_metadata_update(
            self.context, self.snapshot.id, {'phase': 'ours'})

        # Our UPDATE matched nothing, so the race really happened there.
        self.assertEqual([0], self.raced)
        self.assertEqual([('phase', 'ours')],
                         [(r.key, r.value) for r in rows])
        self.assertEqual([('phase', 'ours', False)],
                         [(r.key, r.value, r.deleted) for r in self._rows()])
