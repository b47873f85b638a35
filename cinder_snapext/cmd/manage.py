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

"""cinder-snapext-manage: our schema in Cinder's database, and exports."""

import sys

from cinder.common import config  # noqa: F401 (registers [database])
from cinder import exception as cinder_exception
from oslo_config import cfg
from oslo_log import log as logging

import cinder_snapext
from cinder_snapext.cmd import exports
from cinder_snapext.db import migration

CONF = cfg.CONF
logging.register_options(CONF)
# Logs go to stderr unless a log file is set: stdout carries the revision.
CONF.set_default('use_stderr', True)


def _sync(args):
    migration.db_sync(args.revision)
    print(migration.db_version())


def _version(args):
    print(migration.db_version() or 'base')


def _downgrade(args):
    migration.db_downgrade(args.revision)
    print(migration.db_version() or 'base')


def _add_db_commands(subparsers):
    db = subparsers.add_parser('db', help='Our tables in Cinder\'s database.')
    actions = db.add_subparsers(dest='action', required=True)
    sync = actions.add_parser(
        'sync', help='Upgrade our tables (run after cinder-manage db sync).')
    sync.add_argument('--revision', default=None,
                      help='Target revision (default: head).')
    sync.set_defaults(func=_sync)
    actions.add_parser(
        'version', help='Print our current revision.').set_defaults(
            func=_version)
    downgrade = actions.add_parser(
        'downgrade', help='Downgrade our tables; "base" removes them.')
    downgrade.add_argument('revision')
    downgrade.set_defaults(func=_downgrade)


def _add_commands(subparsers):
    _add_db_commands(subparsers)
    exports.add_commands(subparsers)


_category = cfg.SubCommandOpt('category', title='Command categories',
                              handler=_add_commands)


def main(argv=None):
    CONF.register_cli_opt(_category)
    argv = sys.argv[1:] if argv is None else argv
    try:
        CONF(argv, project='cinder', version=cinder_snapext.__version__)
    except cfg.Error as e:
        sys.exit('ERROR: %s' % e)
    logging.setup(CONF, 'cinder-snapext-manage')
    try:
        CONF.category.func(CONF.category)
    except cinder_exception.CinderException as e:
        sys.exit('ERROR: %s' % e)
    return 0
