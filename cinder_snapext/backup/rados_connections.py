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

"""Cluster connections kept open across backups, per backup process.

Each ``rados.Rados`` connection costs a monitor handshake, the maps and
OSD sessions: tens of milliseconds on a quiet host, more under load, and
a backup of a snapshot needed three (the volumes' cluster, the backups'
one, the parent's restore point) for a 4 KiB change. A librados handle is
thread-safe, so concurrent backups share one per cluster and user.

Bounded: at most ``MAX_CLUSTERS`` cached handles; a handle older than the
configured age is not handed out again (a rotated key or a moved monitor
is picked up then), and one that failed under any caller is dropped. A
handle in use when it is dropped is shut down by its last user.

Callers use it from the thread that runs librados calls (a native thread:
``concurrency.run_blocking``); the lock is a native one on eventlet too,
held only around the bookkeeping, never around a connect or a shutdown.
"""

import atexit
import contextlib
import json
import time

from oslo_config import cfg

from cinder_snapext import concurrency
from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF

# Distinct clusters/users of one backup service: the volumes' and the
# backups' clusters, a few more with several volume backends.
MAX_CLUSTERS = 8


def key_of(rados_kwargs):
    """A cache key for the keyword arguments of rados.Rados."""
    return json.dumps(rados_kwargs, sort_keys=True, default=str)


class _Entry:
    __slots__ = ('client', 'born', 'users', 'dropped')

    def __init__(self, client, born):
        self.client, self.born = client, born
        self.users = 0
        self.dropped = False


class Connections:
    """Connected rados.Rados handles by cluster and user, shared."""

    def __init__(self, max_age, clock=time.monotonic):
        # max_age: a callable giving the seconds a handle may be handed
        # out for (read at each use: the option can change on SIGHUP);
        # 0 or less: no caching, a connection per use.
        self._max_age = max_age
        self._clock = clock
        self._lock = concurrency.native_lock()
        self._entries = {}

    @contextlib.contextmanager
    def client(self, rados, **rados_kwargs):
        """A connected client of rados.Rados(**rados_kwargs), for a while.

        Any exception from the caller's block drops the handle: a broken
        session must not serve the next backup.
        """
        key = key_of(rados_kwargs)
        entry = self._checkout(key)
        if entry is None:
            entry = self._connect(rados, key, rados_kwargs)
        try:
            yield entry.client
        except BaseException:
            self._drop(key, entry)
            raise
        finally:
            self._checkin(entry)

    def _checkout(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() - entry.born < self._max_age():
                entry.users += 1
                return entry
            # Too old: no longer handed out; shut down by its last user.
            del self._entries[key]
            entry.dropped = True
            close = entry.users == 0
        if close:
            entry.client.shutdown()
        return None

    def _connect(self, rados, key, rados_kwargs):
        client = rados.Rados(**rados_kwargs)
        try:
            client.connect(timeout=CONNECT_TIMEOUT)
        except BaseException:
            client.shutdown()
            raise
        entry = _Entry(client, self._clock())
        entry.users = 1
        evicted = []
        with self._lock:
            if self._max_age() <= 0 or key in self._entries:
                # Not cached (off, or another thread connected first):
                # this handle serves its caller and is shut down after.
                entry.dropped = True
            else:
                while len(self._entries) >= MAX_CLUSTERS:
                    oldest = min(self._entries,
                                 key=lambda k: self._entries[k].born)
                    evicted.append(self._entries.pop(oldest))
                self._entries[key] = entry
            for old in evicted:
                old.dropped = True
            idle = [old for old in evicted if old.users == 0]
        for old in idle:
            old.client.shutdown()
        return entry

    def _drop(self, key, entry):
        with self._lock:
            if self._entries.get(key) is entry:
                del self._entries[key]
            entry.dropped = True

    def _checkin(self, entry):
        with self._lock:
            entry.users -= 1
            close = entry.dropped and entry.users == 0
        if close:
            entry.client.shutdown()

    def close(self):
        """Shut down every idle handle; those in use close when returned."""
        with self._lock:
            entries, self._entries = list(self._entries.values()), {}
            idle = []
            for entry in entries:
                entry.dropped = True
                if entry.users == 0:
                    idle.append(entry)
        for entry in idle:
            entry.client.shutdown()

    def __len__(self):
        with self._lock:
            return len(self._entries)


# Seconds to reach a cluster (the RBD volume driver's option of that name
# belongs to the backend sections, which cinder-backup lacks).
CONNECT_TIMEOUT = 60


def _configured_max_age():
    return CONF.snapext.backup_rados_connection_max_age


# The backup service's connections; closed when the process exits (Cinder
# tells a manager nothing when its service stops) and on SIGHUP (reset).
CONNECTIONS = Connections(_configured_max_age)
atexit.register(CONNECTIONS.close)
