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

"""Removal: what cinder-snapext made stays usable by stock Cinder.

Backups made by our Ceph backup driver (a full one and the RBD diff of a
snapshot) and a snapshot exported through our API exist; then
``tools/stack.sh remove-plugin`` follows the install guide's removal
section (cinder.conf, restart, ``db downgrade base``, pip uninstall).
Stock Cinder must then serve, restore both backups with its own Ceph
driver (checksums), import the exported snapshot (checksum), hold no
table of ours, and purge its soft-deleted rows (on PostgreSQL, Cinder
29's purge fails on a table of its own, with or without us: that very
failure, and only it, is expected there).
"""

import os

import sqlalchemy
from testtools import content

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli

# (offset MiB, length MiB, seed), in the order they are written.
FIRST = [(0, 16, 'rm-first'), (600, 8, 'rm-first-b')]
BEFORE_SNAP = [(100, 8, 'rm-a')]
AFTER_SNAP = [(300, 8, 'rm-b')]
BEFORE_EXPORT = [(50, 4, 'rm-c')]
_OUR_TABLES = sqlalchemy.text(
    "SELECT count(*) FROM information_schema.tables "
    "WHERE table_name LIKE 'snapext%'")
_DELETED = sqlalchemy.text(
    'SELECT count(*) FROM volumes WHERE deleted = true')


class UninstallTest(backup_base.RbdBackupScenario):
    """State made with cinder-snapext, used by Cinder without it."""

    # Runs alone: openrc's project, as the stack's (base.py).
    own_project = False

    def _count(self, query):
        """One count from Cinder's database, on a connection of its own."""
        database = cinder_db.CinderDb(self.stack.dir)
        try:
            with database.engine.connect() as conn:
                return conn.execute(query).scalar()
        finally:
            database.close()

    def _venv(self, command, *args, check=True):
        argv = [os.path.join(self.stack.venv, 'bin', command)] + list(args)
        return cli.run(argv, env=self.env, check=check)

    def _cinder_conf(self):
        return os.path.join(self.stack.dir, 'cinder.conf')

    @step
    def test_01_full_backup_by_our_driver(self):
        sha = self._create_volume('rm-vol', FIRST)
        backup_id, backup = self._backup('rm-full')
        self.assertEqual('False', backup['is_incremental'])
        self.ctx['bk_full'] = (backup_id, sha)

    @step
    def test_02_snapshot_backup_is_our_diff(self):
        self._snapshot_between('rm-snap', BEFORE_SNAP, AFTER_SNAP)
        backup_id, backup = self._backup(
            'rm-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual(('True', self.ctx['snapshot']),
                         (backup['is_incremental'], backup['snapshot_id']))
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_snap'])

    @step
    def test_03_export_a_snapshot(self):
        sha = self._write(BEFORE_EXPORT)
        ref = self.export(self.ctx['volume'], 'rm-exp')
        image = self.volume_image(self.ctx['volume'])
        self.assertEqual(sha, self.image_sha256(image, ref))
        self.ctx['export'] = (ref, sha)

    @step
    def test_04_remove_cinder_snapext(self):
        self.ctx['removing'] = True
        out = self.stack_tool('remove-plugin', timeout=600)
        self.addDetail('remove-plugin', content.text_content(out))
        with open(self._cinder_conf()) as f:
            named = [line for line in f if 'cinder_snapext' in line and
                     not line.lstrip().startswith('#')]
        self.assertEqual([], named)
        rc, out, err = self._venv('pip', 'show', 'cinder-snapext',
                                  check=False)
        self.assertNotEqual(0, rc, out)

    @step
    def test_05_cinder_serves_without_us(self):
        extensions = self.cinder('list-extensions')
        self.assertNotIn('os-snapext', extensions)
        # Cinder's standard extensions are still loaded.
        self.assertIn('os-snapshot-manage', extensions)
        out = self.cinder('create', '--volume-type', 'ceph', '--name',
                          self.name('rm-after'), '1')
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.wait_status('volume', volume_id, 'available')

    @step
    def test_06_full_backup_restores_with_cinders_driver(self):
        self.restore_backup('bk_full')

    @step
    def test_07_snapshot_backup_restores_with_cinders_driver(self):
        self.restore_backup('bk_snap')

    @step
    def test_08_stock_cinder_imports_the_exported_snapshot(self):
        ref, sha = self.ctx.pop('export')
        snap = self.take_back(self.ctx['volume'], ref)
        self.assertEqual('available', self.show('snapshot', snap)['status'])
        image = self.volume_image(self.ctx['volume'])
        self.assertEqual(sha, self.image_sha256(image, 'snapshot-%s' % snap))

    @step
    def test_09_no_table_of_ours_left(self):
        self.assertEqual(0, self._count(_OUR_TABLES))

    @step
    def test_10_cinder_manage_db_purge(self):
        # Something to purge: the volume made after the removal.
        volume_id = self.made['volume'].pop()
        self.cinder('delete', volume_id)
        self.wait_gone('volume', volume_id)
        self.assertGreater(self._count(_DELETED), 0)
        log = os.path.join(self.stack.dir, 'logs', 'cinder-manage.log')
        start = os.path.getsize(log) if os.path.exists(log) else 0
        rc, out, err = self._venv(
            'cinder-manage', '--config-file', self._cinder_conf(), 'db',
            'purge', '0', check=False)
        database = cinder_db.CinderDb(self.stack.dir)
        dialect = database.engine.dialect.name
        database.close()
        if dialect == 'postgresql':
            # Cinder 29's purge fails on PostgreSQL with or without us: it
            # tests volume_type_projects' integer 'deleted' column with
            # IS TRUE. Only that failure is accepted (the test fails once
            # Cinder fixes it, to be tightened then), and none of ours.
            with open(log) as f:
                f.seek(start)
                said = f.read()
            self.assertEqual(1, rc, said[-2000:])
            self.assertIn('argument of IS TRUE must be type boolean', said)
            self.assertIn('DELETE FROM volume_type_projects', said)
            self.assertNotIn('FROM snapext_', said)
            return
        self.assertEqual(0, rc, err)
        self.assertEqual(0, self._count(_DELETED))

    @step(always=True)
    def test_11_delete_everything(self):
        if self.ctx.get('export'):
            self.take_back(self.ctx['volume'], self.ctx.pop('export')[0])
        self.sweep_made()

    @step(always=True)
    def test_12_no_image_left_behind(self):
        self._assert_no_image_left()
