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

"""A bounded window of librbd asynchronous operations, reaped in order."""

import collections
import os

# Why librbd's aio and not a pool of threads: one caller thread keeps many
# operations in flight (as ``rbd export-diff`` does) and librbd's own
# threads do the I/O. Nothing here creates a thread, takes a lock or
# sleeps, so it behaves the same under eventlet's monkey-patching and under
# native threads. What it needs is a caller that may block: a native
# thread (cinder-backup runs the copy through its thread pool), never the
# eventlet hub. librbd calls our completion callbacks from its own threads;
# they only store the data read, which needs the GIL and nothing else.


class _Op:
    __slots__ = ('completion', 'what', 'offset', 'length', 'box', 'then',
                 'data')

    def __init__(self, what, offset, length, then, data=None):
        self.what, self.offset, self.length = what, offset, length
        self.then = then
        # A write's buffer must live until librbd is done with it.
        self.data = data
        self.box = []
        self.completion = None


class Window:
    """At most ``depth`` librbd aio operations in flight.

    Operations complete in whatever order librbd finishes them; they are
    reaped in the order they were issued, so ``then`` callbacks run in
    issue order, in the caller's thread. Memory is bounded by what the
    operations in flight hold: ``depth`` buffers.

    Use it as a context manager: leaving it waits for every operation;
    on the way out of an error it waits without running callbacks, so that
    no operation is still going (or holding a buffer) when the error
    reaches the caller.
    """

    def __init__(self, depth):
        if depth < 1:
            raise ValueError('depth must be at least 1, not %r' % depth)
        self.depth = depth
        self._ops = collections.deque()

    def __len__(self):
        return len(self._ops)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.drain()
        else:
            self._settle()

    def read(self, image, offset, length, then):
        """Read length bytes at offset; then(data) once reaped."""
        op = _Op('read', offset, length, then)
        self._make_room()
        op.completion = image.aio_read(
            offset, length, lambda completion, data: op.box.append(data))
        self._ops.append(op)

    def write(self, image, data, offset, then=None):
        """Write data at offset; then(None) once reaped."""
        op = _Op('write', offset, len(data), then, data)
        self._make_room()
        op.completion = image.aio_write(data, offset, _ignore)
        self._ops.append(op)

    def _make_room(self):
        while len(self._ops) >= self.depth:
            self.reap()

    def reap(self):
        """Wait for the oldest operation, raise its error or run its then."""
        op = self._ops.popleft()
        op.completion.wait_for_complete_and_cb()
        ret = op.completion.get_return_value()
        if ret < 0:
            raise OSError(-ret, '%s of %d bytes at %d failed: %s' % (
                op.what, op.length, op.offset, os.strerror(-ret)))
        if op.then is not None:
            op.then(op.box[0] if op.what == 'read' else None)

    def drain(self):
        """Reap every operation; the first error is raised after all."""
        try:
            while self._ops:
                self.reap()
        except BaseException:
            self._settle()
            raise

    def _settle(self):
        # An error is on its way up: wait for what is in flight, ignore it.
        while self._ops:
            try:
                self._ops.popleft().completion.wait_for_complete_and_cb()
            except Exception:  # noqa: S110 (the first error is raised)
                pass


def _ignore(completion):
    """A write's completion callback: the result is read when reaped."""
