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

"""Sync, inspect and downgrade our alembic tree inside Cinder's database."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
from cinder.db import api as cinder_db_api
import sqlalchemy as sa

from cinder_snapext import exception

VERSION_TABLE = 'snapext_alembic_version'
_HERE = os.path.dirname(os.path.abspath(__file__))


def get_alembic_config(connection=None):
    """An alembic Config for our tree, bound to ``connection`` if given."""
    config = alembic_config.Config(os.path.join(_HERE, 'alembic.ini'))
    config.set_main_option('script_location',
                           os.path.join(_HERE, 'migrations'))
    config.attributes['configure_logger'] = False
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def head_revision():
    """The single head of our tree."""
    script = alembic_script.ScriptDirectory.from_config(get_alembic_config())
    return script.get_current_head()


def _engine(engine):
    return engine if engine is not None else cinder_db_api.get_engine()


def _require_cinder_schema(connection):
    if not sa.inspect(connection).has_table('snapshots'):
        url = connection.engine.url.render_as_string(hide_password=True)
        raise exception.CinderSchemaMissing(database=url)


def db_sync(version=None, engine=None):
    """Upgrade our tables to ``version`` (default: head)."""
    with _engine(engine).begin() as connection:
        _require_cinder_schema(connection)
        command.upgrade(get_alembic_config(connection), version or 'head')


def db_downgrade(version, engine=None):
    """Downgrade our tables to ``version`` ('base' removes them all)."""
    with _engine(engine).begin() as connection:
        command.downgrade(get_alembic_config(connection), version)
        if version == 'base':
            # Alembic keeps its version table, empty, at base; an operator
            # removing cinder-snapext wants no table of ours left behind.
            sa.Table(VERSION_TABLE, sa.MetaData()).drop(connection,
                                                         checkfirst=True)


def db_version(engine=None):
    """Our current revision, or None before the first sync."""
    with _engine(engine).connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'version_table': VERSION_TABLE})
        return context.get_current_revision()
