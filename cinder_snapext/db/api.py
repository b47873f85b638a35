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

"""The only module that reads or writes the snapext_* tables."""

from cinder.db import api as cinder_db_api
from cinder.db import models as cinder_models
from cinder import exception as cinder_exception
from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_snapext.db import models
from cinder_snapext.db import rows
from cinder_snapext import exception

_Meta = models.SnapshotAdminMetadata
_Snapshot = cinder_models.Snapshot


def _require_live_snapshot(context, snapshot_id):
    query = sa.select(_Snapshot.id).where(_Snapshot.id == snapshot_id,
                                          _Snapshot.deleted.is_(False))
    if cinder_db_api.is_user_context(context):
        query = query.where(_Snapshot.project_id == context.project_id)
    if context.session.execute(query).first() is None:
        raise cinder_exception.SnapshotNotFound(snapshot_id=snapshot_id)


def _live_rows(context, snapshot_id, keys=None):
    query = sa.select(_Meta).where(_Meta.snapshot_id == snapshot_id,
                                   _Meta.deleted.is_(False))
    if keys is not None:
        query = query.where(_Meta.key.in_(keys))
    return context.session.execute(query.order_by(_Meta.key)).scalars().all()


@cinder_db_api.require_context
@cinder_db_api.main_context_manager.reader
def snapshot_admin_metadata_get_all(context, snapshot_id):
    """Live admin metadata rows of a live snapshot, ordered by key."""
    _require_live_snapshot(context, snapshot_id)
    return _live_rows(context, snapshot_id)


@cinder_db_api.require_context
@cinder_db_api.main_context_manager.reader
def snapshot_admin_metadata_get(context, snapshot_id, key):
    """The live row of ``key``; SnapshotAdminMetadataNotFound if none."""
    _require_live_snapshot(context, snapshot_id)
    rows = _live_rows(context, snapshot_id, [key])
    if not rows:
        raise exception.SnapshotAdminMetadataNotFound(
            snapshot_id=snapshot_id, key=key)
    return rows[0]


@cinder_db_api.require_admin_context
@cinder_db_api.main_context_manager.reader
def snapshot_admin_metadata_get_all_by_keys(context, keys):
    """Live rows of ``keys`` of every live snapshot, by snapshot and key."""
    query = (sa.select(_Meta)
             .join(_Snapshot, _Snapshot.id == _Meta.snapshot_id)
             .where(_Meta.key.in_(list(keys)), _Meta.deleted.is_(False),
                    _Snapshot.deleted.is_(False))
             .order_by(_Meta.snapshot_id, _Meta.key))
    return context.session.execute(query).scalars().all()


def _validate(metadata):
    for key, value in metadata.items():
        for what, text in (('key', key), ('value', value)):
            if not isinstance(text, str) or not 0 < len(text) <= 255:
                raise exception.InvalidSnapshotAdminMetadata(
                    reason='%s %r must be a string of 1 to 255 characters'
                           % (what, text))


def _upsert(context, snapshot_id, key, value, now):
    if not rows.revive_or_insert(context, _Meta,
                                 {'snapshot_id': snapshot_id, 'key': key},
                                 {'value': value}, now):
        raise exception.InvalidSnapshotAdminMetadata(
            reason='key %s of snapshot %s changed concurrently'
                   % (key, snapshot_id))


@cinder_db_api.require_context
@cinder_db_api.main_context_manager.writer
def snapshot_admin_metadata_update(context, snapshot_id, metadata,
                                   delete=False):
    """Set the keys of ``metadata``; with ``delete``, drop all the others.

    :returns: the live rows after the update, ordered by key.
    """
    _validate(metadata)
    _require_live_snapshot(context, snapshot_id)
    now = timeutils.utcnow()
    for key, value in metadata.items():
        _upsert(context, snapshot_id, key, value, now)
    if delete:
        context.session.execute(
            sa.update(_Meta)
            .where(_Meta.snapshot_id == snapshot_id,
                   _Meta.deleted.is_(False),
                   _Meta.key.not_in(list(metadata)))
            .values(deleted=True, deleted_at=now,
                    updated_at=_Meta.updated_at))
    return _live_rows(context, snapshot_id)


@cinder_db_api.require_context
@cinder_db_api.main_context_manager.writer
def snapshot_admin_metadata_compare_and_swap(context, snapshot_id, key,
                                             expected, value):
    """Set ``key`` to ``value`` if its live value is one of ``expected``.

    One statement, so of concurrent callers exactly one succeeds; the rows
    of a destroyed snapshot are soft-deleted with it and never match.

    :returns: True if this call changed the row.
    """
    _validate({key: value})
    result = context.session.execute(
        sa.update(_Meta)
        .where(_Meta.snapshot_id == snapshot_id, _Meta.key == key,
               _Meta.deleted.is_(False), _Meta.value.in_(list(expected)))
        .values(value=value, updated_at=timeutils.utcnow()))
    return bool(result.rowcount)


@cinder_db_api.require_context
@cinder_db_api.main_context_manager.writer
def snapshot_admin_metadata_delete(context, snapshot_id, key):
    """Soft-delete the live row of ``key``."""
    _require_live_snapshot(context, snapshot_id)
    result = context.session.execute(
        sa.update(_Meta)
        .where(_Meta.snapshot_id == snapshot_id, _Meta.key == key,
               _Meta.deleted.is_(False))
        .values(deleted=True, deleted_at=timeutils.utcnow(),
                updated_at=_Meta.updated_at))
    if not result.rowcount:
        raise exception.SnapshotAdminMetadataNotFound(
            snapshot_id=snapshot_id, key=key)


@cinder_db_api.main_context_manager.writer
def snapshot_admin_metadata_delete_for_destroyed(context, snapshot_ids=None):
    """Soft-delete live rows whose snapshot is no longer live.

    Each row takes its snapshot's ``deleted_at``, so 'cinder-manage db
    purge' removes both in the same run; a row whose snapshot row is gone
    altogether (purged where foreign keys are off) takes the current time.
    ``snapshot_ids`` limits the sweep to those snapshots; None sweeps the
    whole table.

    :returns: the number of rows soft-deleted.
    """
    return rows.soft_delete_orphans(context, _Meta, _Meta.snapshot_id,
                                    _Snapshot, snapshot_ids)
