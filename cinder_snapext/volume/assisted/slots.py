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

"""How many assisted snapshot requests one volume service works on at once.

Cinder hands a volume service up to ``executor_thread_pool_size`` (64) RPC
requests at once, and each one in the middle of a database call holds a
connection of oslo.db's pool (5 + 50 by default); under eventlet a handler
keeps it while it waits for its turn on a busy process. A burst of assisted
snapshots (100 in flight on one backend, benchmarks/assisted_in_flight.py)
took every connection, and the requests, the completions and the service's
own heartbeat then failed on QueuePool timeouts. Bounded here, the excess
waits its turn without a connection ([snapext] assisted_snapshot_workers).
"""

import contextlib
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

# Seconds a request waits for its turn. Past it, it runs anyway: a lost
# turn would strand the snapshot, a connection may still come free.
DEADLINE = 600
# Without a bound on the pool (max_overflow -1), the bound Cinder's RPC
# executor gives anyway, halved as below.
UNBOUNDED_POOL = 64


def pool_connections(conf=CONF):
    """[database] max_pool_size + max_overflow; None for no bound."""
    overflow = conf.database.max_overflow
    if overflow is None or overflow < 0:
        return None
    return (conf.database.max_pool_size or 0) + overflow


def size(conf=CONF):
    """The number of requests at once: configured, or half the pool."""
    if conf.snapext.assisted_snapshot_workers:
        return conf.snapext.assisted_snapshot_workers
    total = pool_connections(conf)
    return max(1, (UNBOUNDED_POOL if total is None else total) // 2)


class Slots:
    """A bounded count of requests at work, and how many wait.

    A request marked ``first`` (the compute service's report: what
    finishes a snapshot and frees its volume) takes the next free slot
    ahead of every other one waiting. In a burst, the reports of the
    earliest snapshots otherwise queued behind the begins of the latest
    (50 in flight: seconds between Nova's callback and the snapshot's
    end, for a slot and nothing else).

    A quarter of the slots (at least one when there are two or more) is
    kept for those: the others never take the last ones, so a report
    does not wait for a begin to end either (a begin took 5 s on the
    loaded benchmark machine, a completion tens of milliseconds).
    """

    def __init__(self, count):
        self.count = count
        self.kept = (count + 3) // 4 if count > 1 else 0
        self._free = count
        self._waiting = {True: 0, False: 0}
        self._changed = threading.Condition()

    @property
    def waiting(self):
        return sum(self._waiting.values())

    def _acquire(self, first, timeout):
        end = time.monotonic() + timeout
        with self._changed:
            self._waiting[first] += 1
            try:
                while not self._free or (not first and (
                        self._waiting[True] or self._free <= self.kept)):
                    left = end - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
                self._free -= 1
                return True
            finally:
                self._waiting[first] -= 1
                if first:
                    # The others may take a free slot again.
                    self._changed.notify_all()

    def _release(self):
        with self._changed:
            self._free += 1
            self._changed.notify_all()

    @contextlib.contextmanager
    def held(self, what, first=False):
        """Run the block in a slot; what names the request for the log.

        :param first: ahead of the requests without it that wait.
        """
        started = time.monotonic()
        got = self._acquire(first, DEADLINE)
        waited = time.monotonic() - started
        if not got:
            LOG.warning('%(what)s waited %(deadline)s s for one of the %(n)s '
                        'assisted snapshot slots; running it anyway.',
                        {'what': what, 'deadline': DEADLINE,
                         'n': self.count})
        elif waited >= 1:
            LOG.debug('%(what)s waited %(waited).1f s for an assisted '
                      'snapshot slot (%(queue)s more waiting).',
                      {'what': what, 'waited': waited,
                       'queue': self.waiting})
        try:
            yield
        finally:
            if got:
                self._release()


_lock = threading.Lock()
_process_slots = None


def process_slots():
    """This process's Slots, made on first use (the pool's options read)."""
    global _process_slots
    with _lock:
        if _process_slots is None:
            _process_slots = Slots(size())
            LOG.info('Assisted snapshot requests: %s at once.',
                     _process_slots.count)
        return _process_slots
