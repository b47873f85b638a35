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

"""Tests of the periodic scrub of a backup service's Ceph backups."""

import socket
from unittest import mock

from cinder.objects import fields

from cinder_snapext.backup import manager
from cinder_snapext.backup import scrub
from cinder_snapext.backup import verify
from cinder_snapext.tests.unit.backup import test_verify
from cinder_snapext.tests.unit.fake_ceph import librbd


class ScrubTestCase(test_verify.VerifyBase):

    def setUp(self):
        super().setUp()
        # Cinder's test helper gives backups this host.
        self.scrubber = scrub.Scrubber(socket.gethostname(), self.rados,
                                       librbd)

    def test_share_adds_up_across_runs_oldest_first(self):
        backups = [self._backup() for _ in range(4)]
        first = backups[2]
        first.metadata = {verify.META_AT: '2026-01-01T00:00:00'}
        first.save()
        # 4 backups x 0.5 a day x a quarter of a day: half a backup.
        self.assertEqual({}, self.scrubber.run(self.ctxt, 0.5,
                                               scrub.DAY / 4))
        done = self.scrubber.run(self.ctxt, 0.5, scrub.DAY / 4)
        self.assertEqual(1, len(done))
        # Never verified goes first; the one verified in January waits.
        self.assertNotIn(first.id, done)
        self.assertEqual([verify.MATCH], list(done.values()))
        done.update(self.scrubber.run(self.ctxt, 1.0, scrub.DAY))
        self.assertEqual({b.id for b in backups}, set(done))

    def test_scrub_finds_a_corrupted_backup(self):
        whole, damaged = self._backup(), self._backup()
        self._corrupt(damaged, 3 * librbd.BLOCK)
        done = self.scrubber.run(self.ctxt, 1.0, scrub.DAY)
        self.assertEqual({whole.id: verify.MATCH,
                          damaged.id: verify.MISMATCH}, done)
        self.assertEqual(fields.BackupStatus.ERROR, self._status(damaged))
        self.assertEqual(1, len(self._messages(damaged)))
        # An errored backup is no longer scrubbed.
        self.assertEqual({whole.id: verify.MATCH},
                         self.scrubber.run(self.ctxt, 1.0, scrub.DAY))

    def test_no_share_verifies_nothing(self):
        backup = self._backup()
        self._corrupt(backup, 0)
        self.assertEqual({}, self.scrubber.run(self.ctxt, 0, scrub.DAY))
        self.assertEqual(fields.BackupStatus.AVAILABLE, self._status(backup))


class ManagerScrubTestCase(test_verify.VerifyBase):
    """The scrub as cinder-backup's periodic task runs it."""

    def setUp(self):
        super().setUp()
        self.override_config('backup_driver', test_verify.OURS)
        self.manager = manager.SnapextBackupManager(
            host=socket.gethostname())
        ceph_modules = {'rados': self.rados, 'rbd': librbd}
        patcher = mock.patch.object(manager.importutils, 'import_module',
                                    ceph_modules.__getitem__)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _runs(self, *clock):
        with mock.patch.object(manager.time, 'monotonic',
                               side_effect=clock):
            for _ in clock:
                self.manager._snapext_scrub_backups(self.ctxt)

    def test_periodic_task_is_registered_with_its_interval(self):
        self.assertIn(('_snapext_scrub_backups', 3600), [
            (name.split('.')[-1], self.manager._periodic_spacing[name])
            for name, _ in self.manager._periodic_tasks])

    def test_a_day_later_a_corrupted_backup_is_in_error(self):
        self.override_config('backup_scrub_share_per_day', 1.0,
                             group='snapext')
        damaged = self._backup()
        self._corrupt(damaged, 0)
        # The first run starts the clock; the next, a day on, verifies.
        self._runs(1000.0)
        self.assertEqual(fields.BackupStatus.AVAILABLE,
                         self._status(damaged))
        self._runs(1000.0 + scrub.DAY)
        self.assertEqual(fields.BackupStatus.ERROR, self._status(damaged))

    def test_scrub_off_by_default(self):
        damaged = self._backup()
        self._corrupt(damaged, 0)
        self._runs(1000.0, 1000.0 + scrub.DAY)
        self.assertEqual(fields.BackupStatus.AVAILABLE,
                         self._status(damaged))
