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

"""Row helpers shared by our tables; callers hold a writer session."""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa


def revive_or_insert(context, model, key, values, now):
    """Make the row of ``key`` live with ``values``; False if it could not.

    Our tables keep one row per unique ``key`` (a dict of column values),
    live or soft-deleted, so that the unique constraint means one live row
    on every database without partial indexes. Update first, insert when
    there is no row, and update once more if a concurrent writer inserted
    the same key in between.
    """
    match = [getattr(model, column) == value for column, value in key.items()]
    for attempt in range(2):
        result = context.session.execute(
            sa.update(model).where(*match).values(
                deleted=False, deleted_at=None, updated_at=now, **values))
        if result.rowcount:
            return True
        if attempt:
            break
        try:
            with context.session.begin_nested():
                context.session.add(model(deleted=False, created_at=now,
                                          **key, **values))
            return True
        except db_exc.DBDuplicateEntry:
            continue
    return False


def soft_delete(model, now, *conditions):
    """An UPDATE that soft-deletes the live rows matching ``conditions``."""
    return (sa.update(model)
            .where(model.deleted.is_(False), *conditions)
            .values(deleted=True, deleted_at=now,
                    updated_at=model.updated_at)
            .execution_options(synchronize_session=False))


def soft_delete_orphans(context, model, parent_id, parent, ids=None):
    """Soft-delete live rows of ``model`` whose ``parent`` is not live.

    ``parent_id`` is the column of ``model`` that holds the parent's id.
    Each row takes its parent's ``deleted_at``, so that 'cinder-manage db
    purge' removes both in the same run; a row whose parent row is gone
    altogether (purged where foreign keys are off) takes the current time.
    ``ids`` limits the sweep to those parents; None sweeps the table.

    :returns: the number of rows soft-deleted.
    """
    live = sa.exists().where(parent.id == parent_id,
                             parent.deleted.is_(False))
    parent_deleted_at = sa.select(parent.deleted_at).where(
        parent.id == parent_id).scalar_subquery()
    query = (sa.update(model)
             .where(model.deleted.is_(False), ~live)
             .values(deleted=True,
                     deleted_at=sa.func.coalesce(parent_deleted_at,
                                                 timeutils.utcnow()),
                     updated_at=model.updated_at)
             .execution_options(synchronize_session=False))
    if ids is not None:
        query = query.where(parent_id.in_(list(ids)))
    return context.session.execute(query).rowcount
