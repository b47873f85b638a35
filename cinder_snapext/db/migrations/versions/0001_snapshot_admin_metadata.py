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

"""Create snapext_snapshot_admin_metadata.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

TABLE = 'snapext_snapshot_admin_metadata'


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('snapshot_id', sa.String(36),
                  sa.ForeignKey(
                      'snapshots.id',
                      name='snapext_snapshot_admin_metadata_snapshot_id_fkey',
                      ondelete='CASCADE'),
                  nullable=False),
        sa.Column('key', sa.String(255), nullable=False),
        sa.Column('value', sa.String(255), nullable=False),
        sa.UniqueConstraint(
            'snapshot_id', 'key',
            name='uniq_snapext_snapshot_admin_metadata0snapshot_id0key'),
        mysql_engine='InnoDB',
        mysql_charset='utf8',
    )


def downgrade():
    op.drop_table(TABLE)
