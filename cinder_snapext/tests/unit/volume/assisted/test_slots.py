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

"""Tests of the bound on assisted snapshot requests at work at once."""

import threading
import time
from unittest import mock

import fixtures

from cinder_snapext import concurrency
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.volume.assisted import test_coordinator
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.assisted import slots
from cinder_snapext.volume import endpoint

DEADLINE = 10


def wait_until(what, probe):
    end = time.monotonic() + DEADLINE
    while not probe():
        if time.monotonic() > end:
            raise AssertionError('%s: not within %s s' % (what, DEADLINE))
        time.sleep(0.01)


class SizeTestCase(base.TestCase):

    def test_half_of_oslo_db_default_pool(self):
        # 5 + 50 connections: 27 for assisted requests, 28 for the rest.
        self.assertEqual(27, slots.size())

    def test_follows_the_pool(self):
        self.flags(max_pool_size=10, max_overflow=10, group='database')
        self.assertEqual(10, slots.size())
        self.flags(max_pool_size=1, max_overflow=0, group='database')
        self.assertEqual(1, slots.size())

    def test_pool_without_overflow_bound(self):
        self.flags(max_overflow=-1, group='database')
        self.assertEqual(32, slots.size())

    def test_configured(self):
        self.flags(assisted_snapshot_workers=3, group='snapext')
        self.assertEqual(3, slots.size())


class SlotsTestCase(base.TestCase):

    def test_at_most_count_at_once_and_every_one_runs(self):
        bound = slots.Slots(5)
        inside, peak, done = [0], [0], []
        lock = threading.Lock()

        def request(n):
            with bound.held('request %d' % n):
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                time.sleep(0.02)  # a database call: the others run
                with lock:
                    inside[0] -= 1
                done.append(n)

        workers = concurrency.Background(8)
        futures = [workers.submit(request, n) for n in range(8)]
        for future in futures:
            self.assertTrue(concurrency.wait(future, DEADLINE))
        self.assertEqual(list(range(8)), sorted(done))
        # Without the two slots kept for the compute service's reports.
        self.assertEqual(3, peak[0])
        self.assertEqual(0, bound.waiting)

    def test_a_report_takes_the_next_slot_ahead_of_those_waiting(self):
        bound = slots.Slots(1)
        order = []

        def request(name, first):
            with bound.held(name, first=first):
                order.append(name)

        workers = concurrency.Background(3)
        with bound.held('the test'):
            futures = [workers.submit(request, 'create', False)]
            wait_until('create waiting', lambda: bound.waiting == 1)
            futures.append(workers.submit(request, 'report', True))
            wait_until('report waiting', lambda: bound.waiting == 2)
        for future in futures:
            self.assertTrue(concurrency.wait(future, DEADLINE))
            future.result()
        self.assertEqual(['report', 'create'], order)
        self.assertEqual(0, bound.waiting)

    def test_a_quarter_of_the_slots_is_kept_for_reports(self):
        bound = slots.Slots(8)
        self.assertEqual(2, bound.kept)
        self.assertEqual(0, slots.Slots(1).kept)
        self.assertEqual(1, slots.Slots(2).kept)
        release, running = threading.Event(), []

        def request(name, first):
            with bound.held(name, first=first):
                running.append(name)
                release.wait(DEADLINE)

        workers = concurrency.Background(10)
        futures = [workers.submit(request, 'create %d' % n, False)
                   for n in range(7)]
        wait_until('six creates at work', lambda: len(running) == 6)
        wait_until('the seventh waiting', lambda: bound.waiting == 1)
        self.assertEqual(6, len(running))
        # The seventh create waits, yet a report runs at once, and one
        # more: the kept slots are theirs.
        futures += [workers.submit(request, 'report %d' % n, True)
                    for n in range(2)]
        wait_until('both reports at work', lambda: len(running) == 8)
        self.assertEqual(['report 0', 'report 1'], sorted(running[6:]))
        release.set()
        for future in futures:
            self.assertTrue(concurrency.wait(future, DEADLINE))
            future.result()
        self.assertEqual(9, len(running))
        self.assertEqual(0, bound.waiting)

    def test_a_report_that_gave_up_lets_the_others_in(self):
        self.useFixture(fixtures.MonkeyPatch(
            'cinder_snapext.volume.assisted.slots.DEADLINE', 0.2))
        bound = slots.Slots(1)
        ran = []

        def request(name, first):
            with bound.held(name, first=first):
                ran.append(name)

        workers = concurrency.Background(2)
        with bound.held('the test'):
            report = workers.submit(request, 'report', True)
            # Past its deadline the report runs without a slot.
            self.assertTrue(concurrency.wait(report, DEADLINE))
            create = workers.submit(request, 'create', False)
            wait_until('create waiting', lambda: bound.waiting == 1)
        self.assertTrue(concurrency.wait(create, DEADLINE))
        self.assertEqual(['report', 'create'], ran)


class QueuedRequestTestCase(test_coordinator.AssistedSnapshotManagerTestCase):
    """A request beyond the bound waits its turn, then runs in full."""

    def setUp(self):
        super().setUp()
        self.bound = slots.Slots(1)
        patch = mock.patch.object(slots, '_process_slots', self.bound)
        patch.start()
        self.addCleanup(patch.stop)
        self.workers = concurrency.Background(1)

    def _queued(self, func, *args):
        """func(*args) started while the only slot is taken; its future."""
        with self.bound.held('the test'):
            future = self.workers.submit(func, *args)
            wait_until('request waiting', lambda: self.bound.waiting == 1)
            self.assertEqual([], self.steps())
        self.assertTrue(concurrency.wait(future, DEADLINE))
        future.result()

    def test_create_waits_for_a_slot(self):
        snapshot = self.snapshot()
        self._queued(self.manager.create_snapshot, self.ctxt, snapshot)
        self.assertEqual(['create_begin'], self.steps())
        self.assertEqual(('creating', phases.CREATE_WAITING),
                         self.status_and_phase(snapshot))

    def test_compute_report_waits_for_a_slot(self):
        snapshot = self.waiting_snapshot()
        del test_coordinator._CALLS[:]
        phases.write(self.ctxt, snapshot.id, {
            phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'})
        rpc = endpoint.SnapextVolumeEndpoint(self.manager)
        self._queued(rpc.continue_assisted_snapshot, self.ctxt, None,
                     snapshot.id)
        self.assertEqual(['create_complete'], self.steps())
        self.assertEqual('available', self.status_and_phase(snapshot)[0])

    def test_compute_report_runs_while_creates_hold_every_other_slot(self):
        self.bound = slots.Slots(2)
        self.assertEqual(1, self.bound.kept)
        snapshot = self.waiting_snapshot()
        phases.write(self.ctxt, snapshot.id, {
            phases.COMPUTE_STATUS_KEY: 'creating_compute_complete'})
        rpc = endpoint.SnapextVolumeEndpoint(self.manager)
        workers = concurrency.Background(2)
        release = threading.Event()

        def create():
            with self.bound.held('a create'):
                release.wait(DEADLINE)

        with mock.patch.object(slots, '_process_slots', self.bound):
            with self.bound.held('a create at work'):
                waiting = workers.submit(create)
                wait_until('create waiting', lambda: self.bound.waiting == 1)
                report = workers.submit(rpc.continue_assisted_snapshot,
                                        self.ctxt, None, snapshot.id)
                self.assertTrue(concurrency.wait(report, DEADLINE))
                report.result()
                self.assertEqual('available',
                                 self.status_and_phase(snapshot)[0])
                self.assertEqual(1, self.bound.waiting)
            release.set()
            self.assertTrue(concurrency.wait(waiting, DEADLINE))
