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

"""A test double of librados's Python module: a cluster and its pools.

Used as the ``rados`` module itself: ``Cluster(pools).Rados(**kwargs)``
"connects" and returns the cluster, whose ``open_ioctx`` hands out the
named pools. Images live in the pools; ``librbd.py`` works on them.
"""


class Error(Exception):
    pass


class ObjectNotFound(Error):
    pass


class Ioctx:
    """One pool: its images (librbd.py's) and its trash, by name."""

    def __init__(self, name='pool'):
        self.name = name
        self.images = {}
        self.trash = {}
        # Plain RADOS objects (Object below), name -> bytes.
        self.objects = {}
        # (image name, 'read' or 'write', offset) -> errno of its failure.
        self.failures = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def close(self):
        pass


class Object:
    """One RADOS object of a pool, as rados.Object: whole reads and writes."""

    def __init__(self, ioctx, key):
        self._ioctx, self._key = ioctx, key

    def stat(self):
        if self._key not in self._ioctx.objects:
            raise ObjectNotFound(self._key)
        return len(self._ioctx.objects[self._key]), 0

    def write(self, data, offset=0):
        old = self._ioctx.objects.get(self._key, b'')
        head = old[:offset].ljust(offset, b'\0')
        self._ioctx.objects[self._key] = (
            head + data + old[offset + len(data):])

    def read(self, length=8192, offset=0):
        self.stat()
        return self._ioctx.objects[self._key][offset:offset + length]

    def remove(self):
        self.stat()
        del self._ioctx.objects[self._key]


class Cluster:
    """A cluster, standing in for the rados module.

    Every connection's arguments are kept in ``connected``; ``shut``
    counts shutdowns, so ``open()`` is how many are connected now.
    """

    Error = Error
    ObjectNotFound = ObjectNotFound
    Object = Object

    def __init__(self, pools):
        self.pools = pools
        self.connected = []
        self.shut = 0
        # An exception that the next connect() raises, once.
        self.fail_connect = None

    def Rados(self, **kwargs):
        self.connected.append(kwargs)
        return self

    def conf_set(self, key, value):
        pass

    def connect(self, timeout=None):
        failure, self.fail_connect = self.fail_connect, None
        if failure is not None:
            raise failure

    def shutdown(self):
        self.shut += 1

    def open(self):
        """Connections made and not shut down."""
        return len(self.connected) - self.shut

    def open_ioctx(self, name):
        return self.pools[name]
