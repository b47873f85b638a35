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

"""Our alembic tree on SQLite, MySQL and PostgreSQL, beside Cinder's."""

import uuid

from alembic import autogenerate
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from cinder.db import migration as cinder_migration
import ddt
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import engines
from oslotest import base as oslo_base
import sqlalchemy as sa

from cinder_snapext.db import migration
from cinder_snapext.db import models
from cinder_snapext import exception
from cinder_snapext.tests.unit.db import fixtures as db_fixtures

TABLE = 'snapext_snapshot_admin_metadata'
EXPORTS = 'snapext_snapshot_exports'
PREFIX = 'snapext_'


def _script():
    return alembic_script.ScriptDirectory.from_config(
        migration.get_alembic_config())


def _table(engine, name):
    # Reflected, not the model: these tests check what migrations built.
    # On a connection of its own: MySQL reflection leaves the connection
    # it uses without oslo.db's error translation (SQLAlchemy sets
    # skip_user_error_events on it), and the tests expect oslo.db errors.
    return sa.Table(name, sa.MetaData(), autoload_with=engine)


def _tables(engine):
    return set(sa.inspect(engine).get_table_names())


def _cinder_version(engine):
    with engine.connect() as connection:
        return connection.exec_driver_sql(
            'SELECT version_num FROM alembic_version').scalars().all()


def _include_name(name, type_, parent_names):
    # Cinder's tables share the database and are not in our metadata.
    return type_ != 'table' or name.startswith(PREFIX)


# volume_type_id is NOT NULL but has no foreign key.
_TYPE_ID = str(uuid.uuid4())


def _insert_volume(engine):
    """A volume row, the least Cinder's schema takes."""
    volume_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(_table(engine, 'volumes').insert().values(
            id=volume_id, volume_type_id=_TYPE_ID, deleted=False))
    return volume_id


def _insert_snapshot(engine):
    """A volume row and a snapshot row, the least Cinder's schema takes."""
    volume_id, snapshot_id = _insert_volume(engine), str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(_table(engine, 'snapshots').insert().values(
            id=snapshot_id, volume_id=volume_id, volume_type_id=_TYPE_ID,
            deleted=False))
    return snapshot_id


def _insert_metadata(engine, snapshot_id, key='phase', value='begin'):
    table = _table(engine, TABLE)
    with engine.begin() as connection:
        connection.execute(table.insert().values(
            snapshot_id=snapshot_id, key=key, value=value, deleted=False))


def _metadata_rows(engine, snapshot_id):
    """(key, deleted, deleted_at) of every row of the snapshot."""
    table = _table(engine, TABLE)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.key, table.c.deleted, table.c.deleted_at)
            .where(table.c.snapshot_id == snapshot_id)).all()
    # MySQL has no boolean type: 'deleted' reads back as 0 or 1.
    return [(key, bool(deleted), at) for key, deleted, at in rows]


def _snapshot_rows(engine, snapshot_id):
    """(deleted, deleted_at) of the snapshot's row, if it is still there."""
    table = _table(engine, 'snapshots')
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.deleted, table.c.deleted_at)
            .where(table.c.id == snapshot_id)).all()
    return [(bool(deleted), at) for deleted, at in rows]


class MigrationTreeTestCase(oslo_base.BaseTestCase):
    """The shape of the tree, the same whatever the database."""

    def test_bases_when_loaded_are_one(self):
        self.assertEqual(1, len(_script().get_bases()))

    def test_heads_when_loaded_are_one(self):
        self.assertEqual(1, len(_script().get_heads()))
        self.assertEqual(_script().get_current_head(),
                         migration.head_revision())


@ddt.ddt
class MigrationsWalkTestCase(oslo_base.BaseTestCase):
    """Our tree walked up, down and up again on each database."""

    def _database(self, backend, cinder_schema=True):
        engine = self.useFixture(db_fixtures.Database(backend)).engine
        if cinder_schema:
            cinder_migration.db_sync(engine=engine)
        return engine

    @ddt.data(*db_fixtures.BACKENDS)
    def test_walk_when_one_revision_at_a_time_keeps_cinder_intact(
            self, backend):
        engine = self._database(backend)
        cinder_tables = _tables(engine)
        cinder_version = _cinder_version(engine)
        self.assertEqual(1, len(cinder_version))

        revisions = list(_script().walk_revisions())
        revisions.reverse()
        for script in revisions:
            check = getattr(self, '_check_%s' % script.revision, None)
            self.assertIsNotNone(
                check,
                "revision %s doesn't have a test; add one" % script.revision)
            migration.db_sync(script.revision, engine=engine)
            self.assertEqual(script.revision, migration.db_version(engine))
            check(engine)
        self.assertEqual(cinder_version, _cinder_version(engine))

        migration.db_downgrade('base', engine=engine)
        self.assertIsNone(migration.db_version(engine))
        # Not even our version table is left: Cinder's tables only.
        self.assertEqual(cinder_tables, _tables(engine))
        self.assertEqual(cinder_version, _cinder_version(engine))

        migration.db_sync(engine=engine)
        self.assertEqual(migration.head_revision(),
                         migration.db_version(engine))
        self.assertIn(TABLE, _tables(engine))
        self.assertEqual(cinder_version, _cinder_version(engine))

    def _check_0001(self, engine):
        inspector = sa.inspect(engine)
        columns = {c['name']: c for c in inspector.get_columns(TABLE)}
        self.assertEqual(
            {'id', 'created_at', 'updated_at', 'deleted_at', 'deleted',
             'snapshot_id', 'key', 'value'}, set(columns))
        for name, length in (('snapshot_id', 36), ('key', 255),
                             ('value', 255)):
            self.assertFalse(columns[name]['nullable'], name)
            self.assertEqual(length, columns[name]['type'].length, name)
        self.assertEqual(
            [(['snapshot_id', 'key'],
              'uniq_snapext_snapshot_admin_metadata0snapshot_id0key')],
            [(u['column_names'], u['name'])
             for u in inspector.get_unique_constraints(TABLE)])
        [fk] = inspector.get_foreign_keys(TABLE)
        self.assertEqual(
            (['snapshot_id'], 'snapshots', ['id'], 'CASCADE'),
            (fk['constrained_columns'], fk['referred_table'],
             fk['referred_columns'], fk['options'].get('ondelete')))

        if engine.dialect.name == 'sqlite':
            # SQLite enforces foreign keys only on connections that turn
            # the pragma on; Cinder's engine never does.
            engine = engines.create_engine(
                engine.url.render_as_string(hide_password=False),
                sqlite_fk=True)
            self.addCleanup(engine.dispose)
        snapshot_id = _insert_snapshot(engine)
        _insert_metadata(engine, snapshot_id)
        self.assertRaises(db_exc.DBDuplicateEntry, _insert_metadata,
                          engine, snapshot_id, value='again')
        self.assertRaises(db_exc.DBReferenceError, _insert_metadata,
                          engine, str(uuid.uuid4()))
        self.assertEqual([('phase', False, None)],
                         _metadata_rows(engine, snapshot_id))

        snapshots = _table(engine, 'snapshots')
        with engine.begin() as connection:
            connection.execute(
                snapshots.delete().where(snapshots.c.id == snapshot_id))
        self.assertEqual([], _metadata_rows(engine, snapshot_id))

    def _check_0002(self, engine):
        inspector = sa.inspect(engine)
        columns = {c['name']: c for c in inspector.get_columns(EXPORTS)}
        self.assertEqual(
            {'id', 'created_at', 'updated_at', 'deleted_at', 'deleted',
             'volume_id', 'name', 'snapshot_id'}, set(columns))
        for name, length, nullable in (('volume_id', 36, False),
                                       ('name', 255, False),
                                       ('snapshot_id', 36, True)):
            self.assertEqual((length, nullable),
                             (columns[name]['type'].length,
                              columns[name]['nullable']), name)
        self.assertEqual(
            [(['volume_id', 'name'],
              'uniq_snapext_snapshot_exports0volume_id0name')],
            [(u['column_names'], u['name'])
             for u in inspector.get_unique_constraints(EXPORTS)])
        [fk] = inspector.get_foreign_keys(EXPORTS)
        self.assertEqual(
            (['volume_id'], 'volumes', ['id'], 'CASCADE'),
            (fk['constrained_columns'], fk['referred_table'],
             fk['referred_columns'], fk['options'].get('ondelete')))
        table = _table(engine, EXPORTS)
        row = {'volume_id': _insert_volume(engine), 'name': 'snap-a',
               'deleted': False}
        with engine.begin() as connection:
            connection.execute(table.insert().values(**row))
        with engine.begin() as connection:
            self.assertRaises(db_exc.DBDuplicateEntry, connection.execute,
                              table.insert().values(**row))

    @ddt.data(*db_fixtures.BACKENDS)
    def test_compare_metadata_when_synced_finds_no_difference(self, backend):
        engine = self._database(backend)

        def compare():
            with engine.connect() as connection:
                context = alembic_migration.MigrationContext.configure(
                    connection, opts={
                        'version_table': migration.VERSION_TABLE,
                        'include_name': _include_name,
                        'compare_type': True,
                        'compare_server_default': True})
                return autogenerate.compare_metadata(
                    context, models.BASE.metadata)

        # The comparison sees our table at all: missing before the sync.
        self.assertEqual({('add_table', TABLE), ('add_table', EXPORTS)},
                         {(d[0], d[1].name) for d in compare()})
        migration.db_sync(engine=engine)
        self.assertEqual([], compare())

    @ddt.data(*db_fixtures.BACKENDS)
    def test_db_sync_when_cinder_schema_missing_creates_nothing(
            self, backend):
        engine = self._database(backend, cinder_schema=False)
        self.assertRaises(exception.CinderSchemaMissing,
                          migration.db_sync, engine=engine)
        self.assertEqual(set(), _tables(engine))

    @ddt.data(*db_fixtures.BACKENDS)
    def test_db_sync_when_at_head_changes_nothing(self, backend):
        engine = self._database(backend)
        migration.db_sync(engine=engine)
        snapshot_id = _insert_snapshot(engine)
        _insert_metadata(engine, snapshot_id)
        tables = _tables(engine)
        columns = sa.inspect(engine).get_columns(TABLE)

        migration.db_sync(engine=engine)
        self.assertEqual(migration.head_revision(),
                         migration.db_version(engine))
        self.assertEqual(tables, _tables(engine))
        self.assertEqual(repr(columns),
                         repr(sa.inspect(engine).get_columns(TABLE)))
        self.assertEqual([('phase', False, None)],
                         _metadata_rows(engine, snapshot_id))
