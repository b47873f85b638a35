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

"""Tests of the concurrency seam, in whichever mode the run is in.

tox runs them twice: ``py3`` on eventlet, ``py3-threading`` with
``OS_CINDER_DISABLE_EVENTLET_PATCHING=true``.
"""

import threading
import time

import ddt
import testtools

from cinder_snapext import concurrency


@ddt.ddt
class ConcurrencyTestCase(testtools.TestCase):

    def test_mode_is_the_one_the_environment_asked_for(self):
        # Proves each tox env really runs in its mode: Cinder's test
        # package patched eventlet, or did not, from the same variable.
        self.assertEqual(concurrency.requested_mode(), concurrency.mode())

    @ddt.data(({}, 'eventlet'), ({concurrency.ENV: ''}, 'eventlet'),
              ({concurrency.ENV: 'False'}, 'eventlet'),
              ({concurrency.ENV: 'no'}, 'eventlet'),
              ({concurrency.ENV: 'True'}, 'threading'),
              ({concurrency.ENV: ' 1 '}, 'threading'),
              ({concurrency.ENV: 'YES'}, 'threading'),
              ({concurrency.ENV: 'maybe'}, None))
    @ddt.unpack
    def test_requested_mode_reads_the_variable_as_cinder(self, environ,
                                                         expected):
        self.assertEqual(expected, concurrency.requested_mode(environ))

    def test_run_blocking_returns_and_raises_as_the_call(self):
        self.assertEqual(5, concurrency.run_blocking(max, 2, 5))
        self.assertRaises(ZeroDivisionError, concurrency.run_blocking,
                          divmod, 1, 0)

    def test_run_blocking_keeps_the_hub_free(self):
        # Under eventlet the call must leave the hub's thread (a librbd
        # call there stops every green thread); native threads block alone.
        caller = threading.get_native_id()
        ran_in = concurrency.run_blocking(threading.get_native_id)
        if concurrency.native_threads():
            self.assertEqual(caller, ran_in)
        else:
            self.assertNotEqual(caller, ran_in)

    def test_background_work_runs_after_submit_returns(self):
        release = threading.Event()
        done = []

        def work():
            release.wait(10)
            done.append('work')
            return 'result'

        future = concurrency.Background(2).submit(work)
        self.assertEqual([], done)
        self.assertFalse(concurrency.wait(future, 0.05))
        release.set()
        self.assertTrue(concurrency.wait(future, 10))
        self.assertEqual(['work'], done)
        self.assertEqual('result', future.result())

    def test_wait_returns_at_its_deadline(self):
        release = threading.Event()
        future = concurrency.Background(1).submit(release.wait, 10)
        self.addCleanup(release.set)
        started = time.monotonic()
        self.assertFalse(concurrency.wait(future, 0.2))
        self.assertLess(time.monotonic() - started, 5)

    def test_background_works_side_by_side_up_to_its_size(self):
        # Two jobs that each wait for the other finish only when both run
        # at once.
        both = threading.Barrier(2, timeout=10)
        workers = concurrency.Background(2)
        futures = [workers.submit(both.wait) for _ in range(2)]
        self.assertTrue(all(concurrency.wait(f, 10) for f in futures))
        self.assertEqual({0, 1}, {f.result() for f in futures})

    def test_beside_runs_both_at_once(self):
        # func waits for what side hands over; side waits for func to have
        # started: both finish only when they overlap.
        started = concurrency.Handoff()
        handoff = concurrency.Handoff()

        def func():
            started.put(threading.get_native_id())
            return handoff.get(10) * 2

        def side():
            ran_in = started.get(10)
            if not concurrency.native_threads():
                # The copy left the hub's thread, as run_blocking's does.
                self.assertNotEqual(threading.get_native_id(), ran_in)
            handoff.put(21)

        self.assertEqual(42, concurrency.run_blocking_beside(func, side))

    def test_beside_raises_side_error_after_func_is_done(self):
        handoff = concurrency.Handoff()
        done = []

        def func():
            try:
                return handoff.get(10)
            finally:
                done.append('func')

        def side():
            handoff.put(error=KeyError('metadata'))
            raise KeyError('metadata')

        self.assertRaises(KeyError, concurrency.run_blocking_beside, func,
                          side)
        self.assertEqual(['func'], done)

    def test_beside_raises_func_error(self):
        self.assertRaises(ZeroDivisionError, concurrency.run_blocking_beside,
                          lambda: 1 / 0, lambda: None)

    def test_handoff_times_out(self):
        self.assertRaises(TimeoutError, concurrency.Handoff().get, 0.05)
