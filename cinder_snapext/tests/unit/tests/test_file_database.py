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

"""The tests' SQLite file: a transaction waits its turn, it is not refused."""

import os
import subprocess
import sys

import fixtures
from oslo_db.sqlalchemy import engines
from oslotest import base

from cinder_snapext.tests import file_database

# The other writer: a process of its own, so that it runs beside this one
# in both modes (a green thread cannot run while SQLite blocks this one),
# with the standard library's driver, which waits when the file is busy.
_OTHER_WRITER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=float(sys.argv[2]))
print('ready', flush=True)
with connection:
    connection.execute('INSERT INTO numbers VALUES (2)')
"""

# Seconds this test's transaction stays open after the other one started:
# time it would need to commit if nothing made it wait.
HOLD = 2


class OrderedTransactionsTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(folder, 'test.sqlite')
        self.engine = engines.create_engine('sqlite:///' + self.path,
                                            sqlite_synchronous=False)
        self.addCleanup(self.engine.dispose)
        file_database.order_transactions(self.engine)
        with self.engine.begin() as connection:
            connection.exec_driver_sql('CREATE TABLE numbers (n INTEGER)')

    def test_reader_that_writes_after_another_writer_is_not_refused(self):
        # Read first, write second, with another writer in between: what
        # Cinder's managers do. Deferred, the write fails at once with
        # "database is locked"; in turn, the other writer waits instead.
        with self.engine.begin() as connection:
            connection.exec_driver_sql('SELECT count(*) FROM numbers').all()
            other = subprocess.Popen(
                [sys.executable, '-c', _OTHER_WRITER, self.path,
                 str(file_database.BUSY_TIMEOUT)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.addCleanup(other.kill)
            self.assertEqual('ready\n', other.stdout.readline())
            try:
                other.wait(timeout=HOLD)
            except subprocess.TimeoutExpired:
                pass
            connection.exec_driver_sql('INSERT INTO numbers VALUES (1)')
        _, errors = other.communicate(timeout=file_database.BUSY_TIMEOUT)
        self.assertEqual(0, other.returncode, errors)
        with self.engine.connect() as connection:
            numbers = connection.exec_driver_sql(
                'SELECT n FROM numbers ORDER BY rowid').scalars().all()
        self.assertEqual([1, 2], numbers)
