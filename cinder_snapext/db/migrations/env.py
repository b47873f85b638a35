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

"""Alembic environment of cinder-snapext: own version table, own tables."""

from logging import config as logging_config

from alembic import context
import sqlalchemy as sa

from cinder_snapext.db import migration
from cinder_snapext.db import models

config = context.config

if (config.attributes.get('configure_logger', True)
        and config.config_file_name is not None):
    logging_config.fileConfig(config.config_file_name)

TABLE_PREFIX = 'snapext_'


def include_name(name, type_, parent_names):
    # Cinder's tables share the database: autogenerate must not offer to
    # drop them.
    if type_ == 'table':
        return name.startswith(TABLE_PREFIX)
    return True


def _configure_and_run(connection):
    context.configure(
        connection=connection,
        target_metadata=models.BASE.metadata,
        version_table=migration.VERSION_TABLE,
        include_name=include_name,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # Connection sharing (alembic cookbook), so that tests on an in-memory
    # SQLite database migrate the very connection they then query.
    connection = config.attributes.get('connection')
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = sa.engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix='sqlalchemy.', poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        _configure_and_run(connection)


run_migrations_online()
