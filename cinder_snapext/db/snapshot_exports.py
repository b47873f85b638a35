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

"""The only module that reads or writes snapext_snapshot_exports."""

from cinder.db import api as cinder_db_api
from cinder.db import models as cinder_models
from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_snapext.db import models
from cinder_snapext.db import rows

_Export = models.SnapshotExport
_Volume = cinder_models.Volume


def _live_names(context, volume_id):
    query: sa.Select = sa.select(_Export.name).where(
        _Export.volume_id == volume_id, _Export.deleted.is_(False))
    return set(context.session.execute(query).scalars())


@cinder_db_api.main_context_manager.reader
def snapshot_export_get_all(context, volume_ids=None):
    """Live export rows of ``volume_ids`` (None: all), by volume, name."""
    query = (sa.select(_Export).where(_Export.deleted.is_(False))
             .order_by(_Export.volume_id, _Export.name))
    if volume_ids is not None:
        query = query.where(_Export.volume_id.in_(list(volume_ids)))
    return context.session.execute(query).scalars().all()


@cinder_db_api.main_context_manager.writer
def snapshot_export_record(context, volume_id, name, snapshot_id=None):
    """Record that the backend holds ``name`` for ``volume_id``.

    :returns: False if a concurrent writer kept the row from being set.
    """
    return rows.revive_or_insert(
        context, _Export, {'volume_id': volume_id, 'name': name},
        {'snapshot_id': snapshot_id}, timeutils.utcnow())


@cinder_db_api.main_context_manager.writer
def snapshot_export_forget(context, volume_id, names):
    """Soft-delete the live exports ``names`` of ``volume_id``.

    :returns: the number of rows soft-deleted.
    """
    return context.session.execute(rows.soft_delete(
        _Export, timeutils.utcnow(), _Export.volume_id == volume_id,
        _Export.name.in_(list(names)))).rowcount


@cinder_db_api.main_context_manager.writer
def snapshot_export_sync(context, volume_id, unmanaged, present):
    """Bring the live exports of ``volume_id`` in line with its backend.

    ``unmanaged`` are backend names Cinder does not manage: each gets a
    live row. Live rows whose name is not in ``present`` (everything the
    backend holds for the volume) are forgotten: their data is gone.

    :returns: (names added, names forgotten), each sorted.
    """
    now = timeutils.utcnow()
    live = _live_names(context, volume_id)
    added = sorted(set(unmanaged) - live)
    gone = sorted(live - set(present))
    for name in added:
        rows.revive_or_insert(context, _Export,
                              {'volume_id': volume_id, 'name': name},
                              {'snapshot_id': None}, now)
    if gone:
        context.session.execute(rows.soft_delete(
            _Export, now, _Export.volume_id == volume_id,
            _Export.name.in_(gone)))
    return added, gone


@cinder_db_api.main_context_manager.writer
def snapshot_export_delete_for_destroyed(context, volume_ids=None):
    """Soft-delete live exports whose volume is no longer live.

    See rows.soft_delete_orphans; None sweeps the whole table.
    """
    return rows.soft_delete_orphans(context, _Export, _Export.volume_id,
                                    _Volume, volume_ids)
