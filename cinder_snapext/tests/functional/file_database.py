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

"""The functional tests' database in a SQLite file, for native threads.

Cinder's test fixture keeps SQLite in memory, where oslo.db hands every
thread the one same connection. Green threads take turns at it; the
native threads of the in-process API, scheduler and volume service
interleave their transactions on it ("cannot start a transaction within a
transaction"). In a file, each thread has a connection of its own and
SQLite's locks order their writes, as a server database would.
"""

import atexit
import os
import shutil
import tempfile

from cinder.db import api as cinder_db_api
from cinder.db import migration as cinder_migration
from cinder.tests.unit import test as cinder_test
import sqlalchemy as sa
from sqlalchemy import event

# Seconds a connection waits for another's write to finish.
BUSY_TIMEOUT = 30

_PATH = None


def use_a_file():
    """Point Cinder's engine at a file of this process; once, first."""
    global _PATH
    if _PATH is not None:
        return
    folder = tempfile.mkdtemp(prefix='snapext-functional-')
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _PATH = os.path.join(folder, 'cinder.sqlite')
    # Cinder's fixture builds its schema script once, from the database
    # it is given: build it in memory, as it would, so that the file can
    # start empty for each test.
    memory = sa.create_engine('sqlite://')
    cinder_migration.db_sync(engine=memory)
    with memory.connect() as connection:
        cinder_test.DB_SCHEMA = ''.join(
            connection.connection.iterdump())
    memory.dispose()
    cinder_db_api.main_context_manager.configure(
        connection='sqlite:///%s' % _PATH, sqlite_synchronous=False)
    event.listen(cinder_db_api.get_engine(), 'connect', _wait_when_busy)


def _wait_when_busy(dbapi_connection, record):
    dbapi_connection.execute('PRAGMA busy_timeout = %d'
                             % (BUSY_TIMEOUT * 1000))
    # Readers never wait for the writer, nor the writer for readers.
    dbapi_connection.execute('PRAGMA journal_mode = WAL')


def empty():
    """Drop the last test's database: Cinder's fixture fills a new one."""
    cinder_db_api.get_engine().dispose()
    for suffix in ('', '-wal', '-shm', '-journal'):
        try:
            os.unlink(_PATH + suffix)
        except FileNotFoundError:
            pass
