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

"""cinder-snapext-manage run as a deployer runs it, on a SQLite file."""

import os
import subprocess
import sys

from cinder.db import migration as cinder_migration
import fixtures
import sqlalchemy as sa
import testtools

from cinder_snapext.db import migration


class _ManageTestBase(testtools.TestCase):
    """A cinder.conf pointing at a fresh SQLite file, and the command."""

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.url = 'sqlite:///%s' % os.path.join(folder, 'cinder.db')
        self.conf = os.path.join(folder, 'cinder.conf')
        with open(self.conf, 'w') as conf:
            conf.write('[database]\nconnection = %s\n' % self.url)
        self.engine = sa.create_engine(self.url)
        self.addCleanup(self.engine.dispose)

    def manage(self, *args):
        command = os.path.join(os.path.dirname(sys.executable),
                               'cinder-snapext-manage')
        return subprocess.run([command, '--config-file', self.conf] +
                              list(args), capture_output=True, text=True,
                              timeout=120)

    def tables(self):
        return set(sa.inspect(self.engine).get_table_names())


class ManageDbTestCase(_ManageTestBase):

    def test_sync_without_cinder_schema_fails_with_one_clear_line(self):
        result = self.manage('db', 'sync')
        self.assertEqual(1, result.returncode)
        errors = [line for line in result.stderr.splitlines()
                  if line.startswith('ERROR')]
        self.assertEqual(1, len(errors), result.stderr)
        self.assertIn("run 'cinder-manage db sync' first", errors[0])
        self.assertEqual(set(), self.tables())

    def test_sync_version_downgrade_and_sync_again(self):
        cinder_migration.db_sync(engine=self.engine)
        cinder_head = self._cinder_revision()
        head = migration.head_revision()

        self.assertEqual('base', self.manage('db', 'version').stdout.strip())
        for _ in range(2):
            result = self.manage('db', 'sync')
            self.assertEqual(0, result.returncode, result.stderr)
            self.assertEqual(head, result.stdout.strip())
        self.assertEqual(head, self.manage('db', 'version').stdout.strip())
        self.assertIn('snapext_snapshot_admin_metadata', self.tables())

        result = self.manage('db', 'downgrade', 'base')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('base', result.stdout.strip())
        self.assertNotIn('snapext_snapshot_admin_metadata', self.tables())
        self.assertIn('snapshots', self.tables())

        result = self.manage('db', 'sync', '--revision', head)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual(head, result.stdout.strip())
        # Cinder's own history is never touched by ours.
        self.assertEqual(cinder_head, self._cinder_revision())

    def _cinder_revision(self):
        with self.engine.connect() as connection:
            return connection.execute(
                sa.text('SELECT version_num FROM alembic_version')).scalar()


class ManageExportsTestCase(_ManageTestBase):

    def setUp(self):
        super().setUp()
        with open(self.conf, 'a') as conf:
            conf.write('[DEFAULT]\ntransport_url = fake:/\n')
        cinder_migration.db_sync(engine=self.engine)
        migration.db_sync(engine=self.engine)

    def test_list_prints_live_exports_only(self):
        volume_id = '0b8a1f4e-2a55-4f0c-9a77-3f3c7b1e9d21'
        with self.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO volumes (id, volume_type_id, deleted) "
                "VALUES (:id, 'type', 0)"), {'id': volume_id})
            for name, deleted in (('snapshot-live', 0), ('snapshot-gone', 1)):
                connection.execute(sa.text(
                    "INSERT INTO snapext_snapshot_exports "
                    "(volume_id, name, deleted) VALUES (:v, :n, :d)"),
                    {'v': volume_id, 'n': name, 'd': deleted})
        result = self.manage('exports', 'list')
        self.assertEqual(0, result.returncode, result.stderr)
        rows = result.stdout.splitlines()[1:]
        self.assertEqual([[volume_id, '-', 'snapshot-live']],
                         [row.split() for row in rows])

    def test_sync_without_volume_services_does_nothing(self):
        result = self.manage('exports', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual('', result.stdout)

    def test_sync_with_a_service_down_fails_naming_it(self):
        with self.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO services (host, binary, topic, disabled, "
                "deleted, report_count, updated_at, created_at) VALUES "
                "('node1@rbd', 'cinder-volume', 'cinder-volume', 0, 0, 0, "
                "'2020-01-01 00:00:00', '2020-01-01 00:00:00')"))
        result = self.manage('exports', 'sync')
        self.assertEqual(1, result.returncode)
        self.assertIn('node1@rbd: down or disabled, skipped', result.stdout)
        self.assertIn('1 volume service(s) did not sync', result.stderr)
