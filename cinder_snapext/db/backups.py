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

"""Queries of Cinder's backups table that cinder-snapext needs."""

from cinder.db import api as cinder_db_api
from cinder.db import models as cinder_models
from cinder.objects import fields
import sqlalchemy as sa

_Backup = cinder_models.Backup
_Snapshot = cinder_models.Snapshot


def _data_time():
    # Rows written before Cinder recorded data_timestamp hold NULL there;
    # their data is as old as the row itself.
    return sa.func.coalesce(_Backup.data_timestamp, _Backup.created_at)


@cinder_db_api.main_context_manager.reader
def newest_available(context, volume_id, project_id, before=None):
    """The available backup of the volume with the newest data, if any.

    :param before: only backups whose data is strictly older than this.
    """
    query = (sa.select(_Backup)
             .where(_Backup.volume_id == volume_id,
                    _Backup.project_id == project_id,
                    _Backup.deleted.is_(False),
                    _Backup.status == fields.BackupStatus.AVAILABLE)
             .order_by(_data_time().desc(), _Backup.created_at.desc())
             .limit(1))
    if before is not None:
        query = query.where(_data_time() < before)
    return context.session.execute(query).scalars().first()


@cinder_db_api.main_context_manager.writer
def fill_missing_data_timestamps(context, volume_id):
    """Give legacy rows of the volume the data time Cinder would record.

    Cinder's own parent choice compares data_timestamp values and fails on
    a NULL one; a backup of a snapshot holds the snapshot's data, any other
    backup the data of its creation time.

    :returns: the number of rows filled.
    """
    snapshot_time = sa.select(_Snapshot.created_at).where(
        _Snapshot.id == _Backup.snapshot_id).scalar_subquery()
    return context.session.execute(
        sa.update(_Backup)
        .where(_Backup.volume_id == volume_id,
               _Backup.data_timestamp.is_(None))
        .values(data_timestamp=sa.func.coalesce(snapshot_time,
                                                _Backup.created_at),
                updated_at=_Backup.updated_at)
        .execution_options(synchronize_session=False)).rowcount
