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

"""SQLAlchemy models of the snapext_* tables, on a metadata of their own."""

from cinder.db import models as cinder_models
import sqlalchemy as sa
from sqlalchemy import orm

# Our own declarative base: Cinder's migrations and model-sync tests read
# cinder_models.BASE.metadata and must never see our tables.
class BASE(orm.DeclarativeBase):
    pass


class SnapshotAdminMetadata(BASE, cinder_models.CinderBase):
    """One administrator key/value pair of a snapshot.

    A key has at most one row per snapshot, live or soft-deleted: setting
    a deleted key revives its row, so the unique constraint guarantees one
    live value per key on every database without partial indexes.
    """

    __tablename__ = 'snapext_snapshot_admin_metadata'
    __table_args__ = (
        sa.UniqueConstraint(
            'snapshot_id', 'key',
            name='uniq_snapext_snapshot_admin_metadata0snapshot_id0key'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    # ON DELETE CASCADE: 'cinder-manage db purge' removes snapshot rows, and
    # must never be blocked by ours, even by one a sweep has not reached.
    snapshot_id = sa.Column(
        sa.String(36),
        sa.ForeignKey(cinder_models.Snapshot.__table__.c.id,
                      name='snapext_snapshot_admin_metadata_snapshot_id_fkey',
                      ondelete='CASCADE'),
        nullable=False)
    key = sa.Column(sa.String(255), nullable=False)
    value = sa.Column(sa.String(255), nullable=False)


class SnapshotExport(BASE, cinder_models.CinderBase):
    """A snapshot that the backend holds for a volume, unknown to Cinder.

    Recorded when a snapshot is exported (unmanaged), whatever the route or
    client, and when a volume service finds one on its backend; soft-
    deleted when it is imported again or its data is gone. The API refuses
    to delete a volume that has live rows here, without asking the volume
    service. A backend name has at most one row per volume, revived when
    exported again, as admin metadata keys are.
    """

    __tablename__ = 'snapext_snapshot_exports'
    __table_args__ = (
        sa.UniqueConstraint(
            'volume_id', 'name',
            name='uniq_snapext_snapshot_exports0volume_id0name'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'},
    )

    id = sa.Column(sa.Integer, primary_key=True)
    # ON DELETE CASCADE, for the same reason as admin metadata: purge of a
    # volume row must never be blocked by ours.
    volume_id = sa.Column(
        sa.String(36),
        sa.ForeignKey(cinder_models.Volume.__table__.c.id,
                      name='snapext_snapshot_exports_volume_id_fkey',
                      ondelete='CASCADE'),
        nullable=False)
    # The name on the backend: the 'source-name' that imports it again.
    name = sa.Column(sa.String(255), nullable=False)
    # The Cinder snapshot it was; none when a volume service found it.
    # No foreign key: purge removes that snapshot's row long before this.
    snapshot_id = sa.Column(sa.String(36), nullable=True)
