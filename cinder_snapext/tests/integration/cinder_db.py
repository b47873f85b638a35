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

"""Looks at the stack's Cinder database, for what no API shows or moves.

A refused manage request must leave no snapshot row, not even a deleted
one, and no quota in use or reserved: the API lists neither. Writes are
for the clock only: a deadline or a creation time moved to the past.
"""

import configparser
import os

import sqlalchemy

_ROWS = sqlalchemy.text(
    'SELECT count(*) FROM snapshots WHERE volume_id = :volume_id')
# Soft-deleted rows stay: a temporary volume leaves one behind.
_ALL_ROWS = {
    kind: 'SELECT id, display_name, deleted FROM %s' % kind
    for kind in ('volumes', 'snapshots')}
_BACKUP = sqlalchemy.text(
    'SELECT host, temp_volume_id, temp_snapshot_id FROM backups '
    'WHERE id = :id')
_QUOTA = sqlalchemy.text(
    'SELECT resource, in_use, reserved FROM quota_usages '
    'WHERE project_id = :project_id AND deleted = false')
_RESERVATIONS = sqlalchemy.text(
    'SELECT count(*) FROM reservations '
    'WHERE project_id = :project_id AND deleted = false')


class CinderDb:
    """The database of cinder.conf in the stack's state directory."""

    def __init__(self, state_dir):
        conf = configparser.ConfigParser(interpolation=None, strict=False)
        conf.read(os.path.join(state_dir, 'cinder.conf'))
        # No pool: the scenarios must not keep connections open between
        # their steps.
        self.engine = sqlalchemy.create_engine(
            conf.get('database', 'connection'),
            poolclass=sqlalchemy.pool.NullPool)

    def snapshot_rows(self, volume_id):
        """Every snapshot row of the volume, soft-deleted ones included."""
        with self.engine.connect() as conn:
            return conn.execute(_ROWS, {'volume_id': volume_id}).scalar()

    def all_rows(self, kind, project_id=None):
        """{id: (display_name, deleted)} of every volume or snapshot row.

        Only those of PROJECT_ID when given: other scenario classes may
        make rows meanwhile, each in a project of its own.
        """
        query = _ALL_ROWS[kind]
        if project_id:
            query += ' WHERE project_id = :project_id'
        with self.engine.connect() as conn:
            return {r.id: (r.display_name, r.deleted)
                    for r in conn.execute(sqlalchemy.text(query),
                                          {'project_id': project_id})}

    def backup_row(self, backup_id):
        """(host, temp_volume_id, temp_snapshot_id) of a backup."""
        with self.engine.connect() as conn:
            return tuple(conn.execute(_BACKUP, {'id': backup_id}).one())

    def quota(self, project_id):
        """Snapshot and gigabyte usage, and open reservations."""
        with self.engine.connect() as conn:
            usage = {r.resource: (r.in_use, r.reserved)
                     for r in conn.execute(_QUOTA,
                                           {'project_id': project_id})
                     if r.resource.startswith(('snapshots', 'gigabytes'))}
            usage['reservations'] = conn.execute(
                _RESERVATIONS, {'project_id': project_id}).scalar()
        return usage

    def update(self, statement, params):
        """Run one UPDATE in its own transaction; the rows it changed."""
        with self.engine.begin() as conn:
            return conn.execute(sqlalchemy.text(statement), params).rowcount

    def flush_commits(self):
        """Make every commit so far survive a kill -9 of PostgreSQL.

        The stack's PostgreSQL commits asynchronously (synchronous_commit
        off): a commit is in the WAL buffers for up to a few hundred ms.
        A synchronous commit of a transaction with an id writes the WAL up
        to its own commit record, so all earlier commits with it.
        """
        with self.engine.begin() as conn:
            conn.execute(sqlalchemy.text('SET LOCAL synchronous_commit = on'))
            conn.execute(sqlalchemy.text('SELECT txid_current()'))

    def close(self):
        self.engine.dispose()
