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

"""Background work, deadlines and blocking calls, on eventlet or threads.

The only module of cinder-snapext that knows eventlet
(``tests/unit/test_layers.py`` checks it). Cinder 29 runs a service on
eventlet, or on native threads when ``OS_CINDER_DISABLE_EVENTLET_PATCHING``
is true (``cinder/monkey_patch.py``); it decides once, before any module of
ours is imported, and every primitive here follows that decision the way
Cinder's own code does (``cinder.utils.tpool_wrap``,
``cinder.manager.SizedThreadPoolManager``).

Deadlines are waits with a timeout, never interruptions: a native thread
cannot be interrupted, and ``eventlet.Timeout`` only fires at a green
switch, which a call blocked in librbd never reaches.
"""

import os
import threading

from cinder import utils as cinder_utils
from eventlet import greenthread
from eventlet import patcher
from eventlet import tpool
import futurist
from futurist import waiters

ENV = 'OS_CINDER_DISABLE_EVENTLET_PATCHING'


def native_threads():
    """True when Cinder runs on native threads rather than eventlet."""
    return cinder_utils.concurrency_mode_threading()


def mode():
    """``'threading'`` or ``'eventlet'``, as logs and checks name it."""
    return 'threading' if native_threads() else 'eventlet'


def requested_mode(environ=None):
    """The mode that ``OS_CINDER_DISABLE_EVENTLET_PATCHING`` asks for.

    Read as ``cinder/monkey_patch.py`` reads it for a service (unset means
    eventlet); None for a value that Cinder refuses to start with.
    """
    value = (os.environ if environ is None else environ).get(ENV, '')
    value = value.strip().lower()
    if value in ('', '0', 'false', 'no'):
        return 'eventlet'
    if value in ('1', 'true', 'yes'):
        return 'threading'
    return None


def run_blocking(func, *args, **kwargs):
    """func(*args, **kwargs) where blocking in C stalls nothing else.

    Under eventlet, in one of tpool's native threads: a librbd or rados
    call would otherwise hold the hub, and every green thread of the
    service with it. With native threads the caller's own thread already
    blocks alone, so the call runs there.
    """
    if native_threads():
        return func(*args, **kwargs)
    return tpool.execute(func, *args, **kwargs)


def native_lock():
    """A lock that native threads can share under eventlet too.

    Eventlet's patched ``threading.Lock`` switches green threads when it
    waits, which a native thread of tpool cannot do. Hold it only for
    short bookkeeping: a green thread that waits on it holds the hub.
    """
    return patcher.original('threading').Lock()


class Handoff:
    """One value handed from the caller's thread to a native one.

    The native thread waits on a native event: eventlet's would switch
    green threads, which a thread of tpool cannot do.
    """

    def __init__(self):
        self._event = patcher.original('threading').Event()
        self._value = self._error = None

    def put(self, value=None, error=None):
        self._value, self._error = value, error
        self._event.set()

    def get(self, timeout):
        """The value; raises the error put instead, or TimeoutError."""
        if not self._event.wait(timeout):
            raise TimeoutError('no value handed over in %s s' % timeout)
        if self._error is not None:
            raise self._error
        return self._value


def run_blocking_beside(func, side):
    """func() as run_blocking runs it, while the caller runs side().

    Returns func's result once both are done. An error of side() is
    raised (func is still waited for: it may be waiting on side's
    result), else func's.
    """
    if native_threads():
        box = {}

        def target():
            try:
                box['value'] = func()
            except BaseException as e:  # noqa: B036 (handed to the caller)
                box['error'] = e

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        try:
            side()
        finally:
            thread.join()
        if 'error' in box:
            raise box['error']
        return box['value']
    # tpool's first use in a process starts its threads and yields once;
    # in the worker that yield would come before func is queued, and side
    # may block the hub (below) until func has started: a deadlock.
    tpool.setup()
    worker = greenthread.spawn(tpool.execute, func)
    # Let the worker hand func to tpool now: side's database calls may
    # block the hub without yielding (psycopg2 and PyMySQL's C parts).
    greenthread.sleep(0)
    try:
        side()
    except BaseException:
        try:
            worker.wait()
        except Exception:  # noqa: S110 (side's error is the cause)
            pass
        raise
    return worker.wait()


class Background:
    """Workers for work that goes on after its caller has returned.

    Green threads under eventlet and native ones otherwise, the pair that
    Cinder's managers pick from. The pool is made on first use, when the
    mode is long decided; its workers never keep a stopping process alive.
    """

    def __init__(self, max_workers):
        self.max_workers = max_workers
        self._executor = None
        self._lock = threading.Lock()

    def submit(self, func, *args, **kwargs):
        """Start func(*args, **kwargs); returns its future."""
        with self._lock:
            if self._executor is None:
                if native_threads():
                    self._executor = futurist.ThreadPoolExecutor(
                        self.max_workers)
                else:
                    self._executor = futurist.GreenThreadPoolExecutor(
                        self.max_workers)
        return self._executor.submit(func, *args, **kwargs)


def wait(future, timeout):
    """Wait at most timeout seconds for future; True if it is done."""
    done, _ = waiters.wait_for_all([future], timeout)
    return bool(done)
