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

"""What the stack's database holds, and what changed between two looks.

A fuzz batch may change the database only through requests that were
accepted: every new row's id is in an accepted answer, every row gone or
changed is named by an accepted request (or its volume is), and the quota
in use moves exactly as the rows do, with nothing left reserved.
"""

import collections

import sqlalchemy

# Statuses a resource passes through: none may last once a batch settles
# (the targets the runner keeps in such a status aside).
TRANSIENT = frozenset([
    'creating', 'deleting', 'backing-up', 'restoring', 'restoring-backup',
    'unmanaging', 'attaching', 'detaching', 'downloading', 'uploading',
    'retyping', 'extending', 'migrating', 'reserved', 'awaiting-transfer'])
_ROWS = {
    'volumes': 'SELECT id, status, project_id, size, NULL FROM volumes',
    'snapshots': ('SELECT id, status, project_id, volume_size, volume_id '
                  'FROM snapshots'),
    'backups': ('SELECT id, status, project_id, size, volume_id '
                'FROM backups'),
}
_QUOTA = ('SELECT project_id, resource, in_use, reserved FROM quota_usages '
          'WHERE deleted = false')
_RESERVATIONS = 'SELECT count(*) FROM reservations WHERE deleted = false'
_EXPORTS = ('SELECT volume_id, name FROM snapext_snapshot_exports '
            'WHERE deleted = false')
Row = collections.namedtuple('Row', 'status project size volume_id')


class Ledger:
    """Reads the stack's database (its URL from cinder.conf)."""

    def __init__(self, url):
        self.engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool
                                               .NullPool)

    def look(self):
        """{'volumes'|'snapshots'|'backups': {id: Row}, 'quota': ...}."""
        seen = {}
        with self.engine.connect() as conn:
            for table, query in _ROWS.items():
                rows = conn.execute(sqlalchemy.text(
                    query + ' WHERE deleted = false'))
                seen[table] = {r[0]: Row(*r[1:]) for r in rows}
            seen['quota'] = {(r[0], r[1]): (r[2], r[3])
                             for r in conn.execute(sqlalchemy.text(_QUOTA))}
            seen['reservations'] = conn.execute(
                sqlalchemy.text(_RESERVATIONS)).scalar()
            seen['exports'] = [tuple(r) for r in conn.execute(
                sqlalchemy.text(_EXPORTS))]
        return seen

    def moving(self, kept):
        """Ids in a transient status, less ``kept`` {id: status}."""
        seen = self.look()
        return sorted(
            (table, rid, row.status)
            for table in _ROWS for rid, row in seen[table].items()
            if row.status in TRANSIENT and kept.get(rid) != row.status)


def leaks(before, after, accepted):
    """What changed that no accepted request explains, as sentences.

    ``accepted``: the paths, bodies and answers of accepted requests,
    as one bytes string.
    """
    found = []
    for table in _ROWS:
        old, new = before[table], after[table]
        for rid in set(new) - set(old):
            if rid.encode() not in accepted:
                found.append('%s %s appeared (%s) with no accepted request'
                             % (table, rid, new[rid].status))
        for rid in set(old) - set(new):
            if not _named(rid, old[rid], accepted):
                found.append('%s %s vanished with no accepted request'
                             % (table, rid))
        for rid in set(old) & set(new):
            if old[rid].status != new[rid].status and not _named(
                    rid, old[rid], accepted):
                found.append('%s %s went %s -> %s with no accepted request'
                             % (table, rid, old[rid].status,
                                new[rid].status))
    found += _quota_leaks(before, after)
    if after['reservations'] != before['reservations']:
        found.append('reservations: %d live, %d before' % (
            after['reservations'], before['reservations']))
    return found


def _named(rid, row, accepted):
    return rid.encode() in accepted or bool(
        row.volume_id and row.volume_id.encode() in accepted)


def _usage(seen):
    """Quota each project should use, from its rows."""
    use = collections.Counter()
    for table, resource, gigabytes in (
            ('volumes', 'volumes', 'gigabytes'),
            ('snapshots', 'snapshots', 'gigabytes'),
            ('backups', 'backups', 'backup_gigabytes')):
        for row in seen[table].values():
            use[(row.project, resource)] += 1
            use[(row.project, gigabytes)] += row.size or 0
    return use


def _quota_leaks(before, after):
    found = []
    rows_before, rows_after = _usage(before), _usage(after)
    for key in set(before['quota']) | set(after['quota']):
        project, resource = key
        if resource not in ('volumes', 'snapshots', 'backups', 'gigabytes',
                            'backup_gigabytes'):
            continue
        used_before, reserved_before = before['quota'].get(key, (0, 0))
        used_after, reserved_after = after['quota'].get(key, (0, 0))
        expected = rows_after[key] - rows_before[key]
        if used_after - used_before != expected:
            found.append('quota %s/%s: in use moved by %d, its rows by %d'
                         % (project, resource, used_after - used_before,
                            expected))
        if reserved_after != reserved_before:
            found.append('quota %s/%s: %d reserved, %d before'
                         % (project, resource, reserved_after,
                            reserved_before))
    return found
