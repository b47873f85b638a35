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

"""A scratch database per test: a SQLite file, or one on a real server."""

import os
import unittest
import uuid

import fixtures
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

BACKENDS = ('sqlite', 'mysql', 'postgresql')
URL_VARS = {'mysql': 'SNAPEXT_TEST_MYSQL_URL',
            'postgresql': 'SNAPEXT_TEST_POSTGRESQL_URL'}
# CI sets it: there a missing server must fail the run, not hide in skips.
REQUIRE_VAR = 'SNAPEXT_REQUIRE_DATABASES'
HINT = ('run "tools/test-databases.sh start" and '
        'eval "$(tools/test-databases.sh env)"')


class Database(fixtures.Fixture):
    """An empty database of ``backend``, dropped at cleanup.

    ``facade`` is an oslo.db enginefacade on it (what Cinder's
    main_context_manager can be patched with) and ``engine`` its writer
    engine, which translates driver errors into oslo.db exceptions as
    Cinder's own engine does. ``sqlite_fk`` turns on SQLite's foreign key
    enforcement, which oslo.db (and so Cinder) leaves off.
    """

    def __init__(self, backend, sqlite_fk=False):
        super().__init__()
        self.backend = backend
        self.sqlite_fk = sqlite_fk

    def setUp(self):
        # Before Fixture.setUp: a SkipTest raised inside it reaches the test
        # wrapped in MultipleExceptions, which testtools reports as an error.
        if self.backend != 'sqlite':
            self._admin = self._server()
        super().setUp()

    def _setUp(self):
        if self.backend == 'sqlite':
            # A file rather than memory: every connection sees one database.
            path = self.useFixture(fixtures.TempDir()).join('cinder.sqlite')
            url = sa.engine.URL.create('sqlite', database=path)
        else:
            url = self._create_database()
        self.facade = enginefacade.transaction_context()
        self.facade.configure(
            connection=url.render_as_string(hide_password=False),
            sqlite_fk=self.sqlite_fk)
        self.engine = self.facade.writer.get_engine()
        self.addCleanup(self.engine.dispose)

    def _server(self):
        """An engine on the admin URL; skips or fails when unusable."""
        var = URL_VARS[self.backend]
        admin_url = os.environ.get(var)
        if not admin_url:
            self._unavailable('%s is not set' % var)
        # Server-level statements: no transaction, no pooled connection.
        admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT',
                                 poolclass=sa.pool.NullPool,
                                 connect_args={'connect_timeout': 5})
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql('SELECT 1')
        except sa.exc.OperationalError as e:
            self._unavailable('%s=%s is unreachable (%s)' % (
                var, admin.url.render_as_string(hide_password=True),
                ' '.join(str(e.orig).split())))
        return admin

    def _create_database(self):
        name = 'snapext_test_%s' % uuid.uuid4().hex[:16]
        with self._admin.connect() as connection:
            connection.exec_driver_sql('CREATE DATABASE %s' % name)
        self.addCleanup(self._drop_database, name)
        return self._admin.url.set(database=name)

    def _drop_database(self, name):
        # FORCE: a connection a failed test left open must not keep the
        # database alive on PostgreSQL.
        force = ' WITH (FORCE)' if self.backend == 'postgresql' else ''
        with self._admin.connect() as connection:
            connection.exec_driver_sql('DROP DATABASE %s%s' % (name, force))

    def _unavailable(self, reason):
        message = '%s: %s' % (reason, HINT)
        if os.environ.get(REQUIRE_VAR) == '1':
            raise AssertionError('%s=1 and %s' % (REQUIRE_VAR, message))
        raise unittest.SkipTest(message)
