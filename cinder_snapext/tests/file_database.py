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

"""The tests' database in a SQLite file, for native threads.

Cinder's test fixture keeps SQLite in memory, where oslo.db hands every
thread the one same connection. Green threads take turns at it; native
threads (the in-process API, scheduler and volume service, and the test
polling them) interleave their transactions on it ("cannot start a
transaction within a transaction"). In a file, each thread has a
connection of its own and SQLite's locks order their writes, as a server
database would.
"""

import atexit
import os
import shutil
import tempfile

from cinder.db import api as cinder_db_api
from cinder.db import migration as cinder_migration
from cinder.tests.unit import test as cinder_test
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy import event

from cinder_snapext import concurrency

# Seconds a connection waits for another's write to finish.
BUSY_TIMEOUT = 30

_PATH = None
_TRIED = False


def use_a_file():
    """Point Cinder's engine at a file of this process, if not started.

    True if the engine uses the file: a process whose engine some other
    test started in memory first keeps it there.
    """
    global _PATH, _TRIED
    if _TRIED:
        return _PATH is not None
    _TRIED = True
    folder = tempfile.mkdtemp(prefix='snapext-tests-')
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = os.path.join(folder, 'cinder.sqlite')
    try:
        cinder_db_api.main_context_manager.configure(
            connection='sqlite:///%s' % path, sqlite_synchronous=False)
    except enginefacade.AlreadyStartedError:
        return False
    # Cinder's fixture builds its schema script once, from the database
    # it is given: build it in memory, as it would, so that the file can
    # start empty for each test.
    memory = sa.create_engine('sqlite://')
    cinder_migration.db_sync(engine=memory)
    with memory.connect() as connection:
        cinder_test.DB_SCHEMA = ''.join(
            connection.connection.iterdump())
    memory.dispose()
    _PATH = path
    order_transactions(cinder_db_api.get_engine())
    return True


def order_transactions(engine):
    """Make the transactions of an oslo.db SQLite engine take turns."""
    event.listen(engine, 'connect', _wait_when_busy)
    event.listen(engine, 'before_cursor_execute', _take_the_write_lock,
                 retval=True)


def _wait_when_busy(dbapi_connection, record):
    dbapi_connection.execute('PRAGMA busy_timeout = %d'
                             % (BUSY_TIMEOUT * 1000))
    # Commits append to a log rather than rewrite the file's pages: the
    # tests make many short transactions.
    dbapi_connection.execute('PRAGMA journal_mode = WAL')


def _take_the_write_lock(connection, cursor, statement, parameters,
                         context, executemany):
    # A deferred transaction that read first and writes second, while
    # another connection wrote in between, fails at once with "database
    # is locked": SQLite cannot wait there without a deadlock, so its busy
    # timeout does not apply. It left a group snapshot of Cinder's volume
    # manager `creating` for good under load. Taking the write lock at
    # BEGIN makes every transaction wait its turn (up to BUSY_TIMEOUT), as
    # row locks would on a server database; the tests' transactions are
    # short, so the order costs little. (oslo.db emits the BEGIN itself,
    # from its own listener, for savepoints.)
    if statement == 'BEGIN':
        statement = 'BEGIN IMMEDIATE'
    return statement, parameters


def use_an_empty_file():
    """Before Cinder's fixture, with native threads: a new, empty file."""
    if not (concurrency.native_threads() and use_a_file()):
        return
    cinder_db_api.get_engine().dispose()
    for suffix in ('', '-wal', '-shm', '-journal'):
        try:
            os.unlink(_PATH + suffix)
        except FileNotFoundError:
            pass
