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

"""A test double of librbd's Python module: images, snapshots, clones.

The one stand-in for librbd of the unit tests (``librados.py`` holds the
pools; the integration tests use the real cluster). Data lives in memory
per pool; extents are tracked in BLOCK units, enough for diff_iterate's
contract: what differs from a snapshot, or every allocated extent (the
parent's included) from nothing (``librbd_data.py`` holds the images'
data: clones of version 2, whose removed snapshots wait in the trash
namespace). Asynchronous reads and writes stay pending until a completion
is waited for; then every pending one completes, in a shuffled order, as
librbd may complete them (``librbd_aio.py``; tests swap ``AIO`` for a
fresh queue).
"""

import errno

from cinder_snapext.tests.unit.fake_ceph import librbd_aio
from cinder_snapext.tests.unit.fake_ceph import librbd_data

BLOCK = librbd_data.BLOCK
# Feature bits as librbd numbers them.
RBD_FEATURE_LAYERING = 1
RBD_FEATURE_EXCLUSIVE_LOCK = 4
RBD_FEATURE_OBJECT_MAP = 8
RBD_FEATURE_FAST_DIFF = 16
RBD_FEATURE_JOURNALING = 64
RBD_FLAG_FAST_DIFF_INVALID = 2
OBJECT = librbd_data.OBJECT


class Error(Exception):
    pass


def _error(name):
    return type(name, (Error,), {})


ImageNotFound = _error('ImageNotFound')
ImageExists = _error('ImageExists')
InvalidArgument = _error('InvalidArgument')
ImageBusy = _error('ImageBusy')
PermissionError = _error('PermissionError')  # noqa: A001 (librbd's name)
ImageHasSnapshots = _error('ImageHasSnapshots')


AIO = librbd_aio.AioQueue()


class RBD:
    can_clone = True

    def create(self, ioctx, name, size, old_format=False, features=None,
               **kwargs):
        if name in ioctx.images:
            raise ImageExists(name)
        ioctx.images[name] = librbd_data.ImageData(size, features=features)

    def clone(self, p_ioctx, p_name, p_snap, c_ioctx, c_name, features=None,
              **kwargs):
        if not self.can_clone:
            raise InvalidArgument('parent snapshot must be protected')
        parent = p_ioctx.images[p_name]
        child = librbd_data.ImageData(parent.snaps[p_snap].size,
                                      (parent, p_snap))
        child.head.data = bytearray(parent.snaps[p_snap].data)
        c_ioctx.images[c_name] = child
        parent.clones.setdefault(p_snap, []).append(child)

    def remove(self, ioctx, name):
        image = ioctx.images.get(name)
        if image is None:
            raise ImageNotFound(name)
        if image.snaps or image.trashed:
            raise ImageHasSnapshots('image %s has snapshots' % name)
        if image.watchers:
            raise ImageBusy('image %s still has watchers' % name)
        del ioctx.images[name]
        if image.parent is not None:
            # The last clone of a trashed snapshot takes it along.
            parent, snap = image.parent
            parent.clones[snap].remove(image)
            if not parent.clones[snap]:
                del parent.clones[snap]
                parent.trashed.pop(snap, None)
        # Its objects are gone: a handle still open reads zeros, as
        # librbd does where an object does not exist.
        image.head.data[:] = bytes(len(image.head.data))

    def list(self, ioctx):
        return sorted(ioctx.images)

    def trash_move(self, ioctx, name, delay=0):
        ioctx.trash[name] = ioctx.images.pop(name)


class Image:
    def __init__(self, ioctx, name, snapshot=None, read_only=False):
        if name not in ioctx.images:
            raise ImageNotFound(name)
        self._name = name
        self._ioctx = ioctx
        self._image = ioctx.images[name]
        if snapshot is not None and snapshot not in self._image.snaps:
            raise ImageNotFound('%s@%s' % (name, snapshot))
        self._snap = snapshot
        self._read_only = read_only or snapshot is not None
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.closed = True

    def _state(self):
        return (self._image.head if self._snap is None
                else self._image.snaps[self._snap])

    def _writable(self):
        if self._read_only:
            raise Error('read-only image')
        return self._image.head

    def size(self):
        return self._state().size

    def features(self):
        return self._image.features

    def stat(self):
        return {'size': self.size(), 'obj_size': OBJECT}

    def flags(self):
        return self._image.flags

    def list_snaps(self):
        # Like librbd's: a lazy iterator that needs the image still open.
        for name, state in list(self._image.snaps.items()):
            if self.closed:
                raise InvalidArgument('image is closed')
            yield {'name': name, 'size': state.size}

    def list_children(self):
        return [(self._ioctx.name, name)
                for name, image in sorted(self._ioctx.images.items())
                if image.parent and image.parent[0] is self._image]

    def list_children2(self):
        # With no snapshot set, as librbd: the clones of every snapshot,
        # those in the trash namespace too.
        return [{'pool': pool, 'pool_namespace': '', 'image': name,
                 'trash': False} for pool, name in self.list_children()]

    def set_snap(self, name):
        self._snap = name

    def create_snap(self, name):
        self._writable()
        if name in self._image.snaps:
            raise ImageExists('%s@%s' % (self._name, name))
        self._image.snaps[name] = self._image.head.copy()

    def remove_snap(self, name):
        state = self._image.snaps.pop(name)
        if self._image.clones.get(name):
            self._image.trashed[name] = state

    def resize(self, size):
        head = self._writable()
        head.data = head.data[:size] + bytearray(max(0, size - head.size))
        head.size = size

    def read(self, offset, length):
        return bytes(self._state().data[offset:offset + length])

    def _blocks(self, offset, length):
        return range(offset // BLOCK, (offset + length - 1) // BLOCK + 1)

    def _failure(self, what, offset):
        return self._ioctx.failures.get((self._name, what, offset))

    def aio_read(self, offset, length, oncomplete):
        def run():
            if self._failure('read', offset):
                return -self._failure('read', offset), (None,)
            if self._snap is not None and self._snap not in \
                    self._image.snaps:
                # Removed since it was opened: librbd's refresh says so.
                return -errno.ENOENT, (None,)
            data = self.read(offset, length)
            return len(data), (data,)
        return AIO.add(run, oncomplete)

    def aio_write(self, data, offset, oncomplete):
        self._writable()

        def run():
            if self._failure('write', offset):
                return -self._failure('write', offset), ()
            return self.write(data, offset), ()
        return AIO.add(run, oncomplete)

    def write(self, data, offset):
        head = self._writable()
        self._image.note_write(offset, len(data))
        head.data[offset:offset + len(data)] = data
        head.allocated.update(self._blocks(offset, len(data)))
        return len(data)

    def write_zeroes(self, offset, length):
        head = self._writable()
        self._image.note_write(offset, length)
        head.data[offset:offset + length] = bytes(length)
        head.allocated.update(self._blocks(offset, length))

    def discard(self, offset, length):
        head = self._writable()
        head.data[offset:offset + length] = bytes(length)
        head.allocated.difference_update(self._blocks(offset, length))

    def flush(self):
        pass

    def parent_info(self):
        if self._image.parent is None:
            raise ImageNotFound('no parent')
        raise NotImplementedError('parents are not reported')

    def diff_iterate(self, offset, length, from_snapshot, iterate_cb,
                     include_parent=True, whole_object=False):
        alloc, data = self._image.view(self._snap)
        if from_snapshot is None:
            changed = [(b, True) for b in sorted(alloc)]
        else:
            old = self._image.snaps[from_snapshot]
            changed = []
            for b in range(len(range(0, self.size(), BLOCK))):
                lo, hi = b * BLOCK, min((b + 1) * BLOCK, self.size())
                if data[lo:hi] != old.data[lo:hi]:
                    changed.append((b, b in alloc))
        if whole_object:
            # As librbd's object map answers: every object with a changed
            # block, whole, existing when any of its blocks is allocated.
            per = OBJECT // BLOCK
            objects = sorted({b // per for b, _ in changed})
            changed = [(o, any(b in alloc for b in range(o * per,
                                                         (o + 1) * per)))
                       for o in objects]
            unit = OBJECT
        else:
            unit = BLOCK
        for n, exists in changed:
            lo = n * unit
            iterate_cb(lo, min(unit, self.size() - lo), exists)


def make_image(ioctx, name, snapshots=(), size=BLOCK):
    """An image of size bytes with the named snapshots, oldest first."""
    RBD().create(ioctx, name, size)
    with Image(ioctx, name) as image:
        for snap in snapshots:
            image.create_snap(snap)


def snapshot_names(images):
    """{image name: [snapshot names]} of a pool's images or trash."""
    return {name: list(image.snaps) for name, image in images.items()}
