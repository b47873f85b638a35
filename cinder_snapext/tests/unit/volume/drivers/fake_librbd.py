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

"""In-memory stand-ins for the rados and rbd modules (librados/librbd).

They replace the storage cluster only, at the same boundary Cinder's own
RBD tests mock; the real cluster is exercised by the integration tests.
"""


class Error(Exception):
    pass


class ImageNotFound(Error):
    pass


class ImageBusy(Error):
    pass


class ImageHasSnapshots(Error):
    pass


class PermissionError(Error):  # noqa: A001 (librbd's own name)
    pass


class InvalidArgument(Error):
    pass


class Pool:
    """Images of one pool: {image name: [snapshot names]}."""

    def __init__(self):
        self.images = {}
        self.trash = {}


class Rados:
    """Stands in for rados.Rados; every client sees the same pool."""

    pool = Pool()

    def __init__(self, **kwargs):
        pass

    def conf_set(self, key, value):
        pass

    def connect(self, timeout=None):
        pass

    def open_ioctx(self, name):
        return self

    def close(self):
        pass

    def shutdown(self):
        pass


class Image:

    def __init__(self, ioctx, name, snapshot=None, read_only=False):
        if name not in ioctx.pool.images:
            raise ImageNotFound(name)
        self.snaps = ioctx.pool.images[name]
        self.closed = False

    def list_snaps(self):
        # Like librbd's: a lazy iterator that needs the image still open.
        for name in list(self.snaps):
            if self.closed:
                raise InvalidArgument('image is closed')
            yield {'name': name, 'size': 1 << 30}

    def remove_snap(self, name):
        self.snaps.remove(name)

    def list_children(self):
        # Nothing here is cloned.
        return []

    def parent_info(self):
        raise ImageNotFound('no parent')

    def set_snap(self, name):
        pass

    def close(self):
        self.closed = True


class RBD:

    def remove(self, ioctx, name):
        if ioctx.pool.images.get(name):
            raise ImageHasSnapshots(name)
        ioctx.pool.images.pop(name)

    def trash_move(self, ioctx, name, delay=0):
        ioctx.pool.trash[name] = ioctx.pool.images.pop(name)


class RadosModule:
    Rados = Rados
    Error = Error
    ObjectNotFound = ImageNotFound


class RbdModule:
    # Feature bits as librbd numbers them.
    RBD_FEATURE_LAYERING = 1
    RBD_FEATURE_EXCLUSIVE_LOCK = 4
    RBD_FEATURE_OBJECT_MAP = 8
    RBD_FEATURE_FAST_DIFF = 16
    RBD_FEATURE_JOURNALING = 64
    Image = Image
    RBD = RBD
    Error = Error
    ImageNotFound = ImageNotFound
    ImageBusy = ImageBusy
    ImageHasSnapshots = ImageHasSnapshots
    PermissionError = PermissionError
    InvalidArgument = InvalidArgument
