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

"""Tests of restore points taken after the backup, and the waits on them."""

import datetime
import time
import types

from cinder.backup.drivers import ceph as cinder_ceph
import fixtures
import testtools

from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import restore_points
from cinder_snapext import concurrency

BACKUP_ID = '5f0c2a1e-8b7d-4e6f-9a1b-2c3d4e5f6a7b'


def _backup(created_at):
    return types.SimpleNamespace(id=BACKUP_ID, created_at=created_at)


class PointNameTestCase(testtools.TestCase):

    def test_same_backup_same_name_in_cinders_pattern(self):
        created = datetime.datetime(2026, 11, 22, 14, 30, 53, 942000,
                                    tzinfo=datetime.UTC)
        name = restore_points.point_name(_backup(created))
        self.assertEqual(name, restore_points.point_name(_backup(created)))
        self.assertEqual(name, rbd_chain.backup_snap([name], BACKUP_ID))
        # Cinder's own parsing finds the backup id and time in it.
        found = cinder_ceph.CephBackupDriver.get_backup_snaps(
            types.SimpleNamespace(list_snaps=lambda: [{'name': name}]))
        self.assertEqual([(BACKUP_ID, '%.7f' % created.timestamp())],
                         [(s['backup_id'], s['timestamp']) for s in found])


class PendingRestorePointsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.points = restore_points.PendingRestorePoints()
        # The point runs in a native thread, which eventlet's Event
        # would never wake: it then waited out its 10 s.
        self.release = concurrency.Handoff()
        self.done = []

    def _take(self, name):
        # Runs in a native thread, as librbd calls do.
        self.release.get(10)
        self.done.append(name)

    def test_wait_returns_once_the_point_is_taken(self):
        self.points.start(BACKUP_ID, self._take, 'point')
        self.assertEqual([], self.done)
        self.release.put()
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=10))
        self.assertEqual(['point'], self.done)
        # Nothing pending any more: no wait at all.
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=0))

    def test_wait_gives_up_at_its_deadline(self):
        self.points.start(BACKUP_ID, self._take, 'point')
        self.assertFalse(self.points.wait(BACKUP_ID, timeout=0.05))
        self.release.put()
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=10))

    def test_failure_is_logged_and_ends_the_wait(self):
        def fail():
            raise RuntimeError('monitor unreachable')
        log = self.useFixture(fixtures.FakeLogger())
        self.points.start(BACKUP_ID, fail)
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=10))
        self.assertIn('could not be taken', log.output)
        self.assertIn('monitor unreachable', log.output)

    def test_unknown_backup_needs_no_wait(self):
        started = time.monotonic()
        self.assertTrue(self.points.wait('other', timeout=5))
        self.assertLess(time.monotonic() - started, 1)

    def test_point_done_before_start_returns_is_not_kept(self):
        # A native thread may finish the point before start() has recorded
        # it: nothing may stay pending for it then.
        self.points.start(BACKUP_ID, self.done.append, 'quick')
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=10))
        self.assertEqual(['quick'], self.done)
        self.assertNotIn(BACKUP_ID, self.points)

    def test_pending_point_is_listed_until_taken(self):
        self.points.start(BACKUP_ID, self._take, 'point')
        self.assertIn(BACKUP_ID, self.points)
        self.release.put()
        self.assertTrue(self.points.wait(BACKUP_ID, timeout=10))
        self.assertNotIn(BACKUP_ID, self.points)
