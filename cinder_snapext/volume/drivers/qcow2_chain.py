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

"""A RemoteFS volume's qcow2 overlay chain and its ``.info`` file.

Cinder's RemoteFS drivers keep a volume as a chain of files, the base file
``volume-<id>`` at the bottom and one qcow2 overlay per snapshot above it,
and map snapshot ids to overlays in ``volume-<id>.info``::

    {"active": "volume-<id>.<b>", "<a>": "volume-<id>.<a>",
     "<b>": "volume-<id>.<b>"}

A snapshot's data is the backing file of its overlay. Backing file names
come from the overlays' qcow2 headers, read here rather than through
``qemu-img info``: the driver runs that under a Python ``prlimit`` wrapper,
which costs 60 ms on an idle host and up to a second on a busy one, and a
snapshot's completion after Nova's callback would pay it once per file.
Names are held to the same rule as Cinder's (the volume's own files only).
"""

import os
import re
import struct

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects

from cinder_snapext.internals import remotefs

# The key of .info that names the file the volume runs on.
ACTIVE = 'active'
QCOW2 = 'qcow2'


def read_info(driver, volume):
    """The volume's ``.info`` mapping; empty if it has no snapshot yet."""
    return remotefs.read_info(driver, volume)


def write_info(driver, volume, info):
    remotefs.write_info(driver, volume, info)


def path_of(driver, volume, filename):
    return os.path.join(remotefs.volume_dir(driver, volume), filename)


def active_file(driver, volume):
    return driver.get_active_image_from_info(volume)


# qcow2 header: magic, version, backing file offset (u64), its length
# (u32), big-endian; the name itself is at most 1023 bytes.
_QCOW2_HEADER = struct.Struct('>4sIQI')
_QCOW2_MAGIC = b'QFI\xfb'
_MAX_BACKING_NAME = 1023
# magic, version, backing file offset and length, cluster bits, then size.
_QCOW2_SIZE_END = 32


def backing_of(driver, volume, filename):
    """The backing file name of ``filename``, or None for a base file.

    The base file ``volume-<id>`` is never read: Cinder creates it without
    a backing file, and a raw one holds the guest's data, which could
    imitate a qcow2 header.
    """
    if filename == volume.name:
        return None
    path = path_of(driver, volume, filename)
    try:
        name = read_backing_name(path)
    except PermissionError:
        # Root-owned files (nas_secure_file_operations): ask qemu-img as
        # root, as Cinder does.
        return remotefs.qemu_img_info(driver, path, volume.name).backing_file
    if name is None:
        return None
    return _checked_backing_name(driver, volume, path, name)


def read_backing_name(path):
    """The backing file name in a qcow2 header; None if none or not qcow2.

    :raises IOError: if the file cannot be read.
    """
    with open(path, 'rb') as image:
        header = image.read(_QCOW2_HEADER.size)
        if len(header) < _QCOW2_HEADER.size:
            return None
        magic, _version, offset, length = _QCOW2_HEADER.unpack(header)
        if magic != _QCOW2_MAGIC or not offset or not length:
            return None
        if length > _MAX_BACKING_NAME:
            raise cinder_exception.RemoteFSException(
                '%s names a backing file of %d bytes' % (path, length))
        image.seek(offset)
        return image.read(length).decode('utf-8', 'replace')


def read_virtual_size(path):
    """The disk size in bytes that a qcow2 header states; None if not qcow2.

    :raises IOError: if the file cannot be read.
    """
    with open(path, 'rb') as image:
        header = image.read(_QCOW2_SIZE_END)
    if len(header) < _QCOW2_SIZE_END or header[:4] != _QCOW2_MAGIC:
        return None
    return struct.unpack_from('>Q', header, _QCOW2_SIZE_END - 8)[0]


def _checked_backing_name(driver, volume, path, name):
    """``name`` reduced to a file of ``volume`` in its own directory.

    Like Cinder's RemoteFS drivers: an overlay may only sit on a file of
    its own volume, named relatively or under the share's mount base.
    """
    pattern = r'^(%s/[0-9a-f]+/)?%s(\.(tmp-snap-)?[0-9a-f-]+)?$' % (
        re.escape(remotefs.mount_point_base(driver).rstrip('/')),
        re.escape(volume.name))
    if not re.match(pattern, name):
        raise cinder_exception.RemoteFSInvalidBackingFile(
            path=path, backing_file=name)
    return os.path.basename(name)


def chain(driver, volume):
    """``[(file, backing file or None), ...]`` from the active file down.

    Empty when the volume has no file on the share (never created, or
    already gone).
    """
    if not volume.provider_location:
        return []
    name = active_file(driver, volume)
    if not os.path.exists(path_of(driver, volume, name)):
        return []
    files = []
    seen = set()
    while name is not None:
        if name in seen:
            raise cinder_exception.RemoteFSException(
                'the chain of volume %s loops at %s' % (volume.id, name))
        seen.add(name)
        backing = backing_of(driver, volume, name)
        files.append((name, backing))
        name = backing
    return files


def overlays(driver, volume):
    """Files of the chain that sit on a backing file: one per snapshot."""
    return [name for name, backing in chain(driver, volume) if backing]


def snapshot_ids(info):
    return [key for key in info if key != ACTIVE]


def owners(info, filename):
    """Snapshot ids that ``.info`` maps to ``filename``."""
    return [key for key in snapshot_ids(info) if info[key] == filename]


def live_snapshot_ids(context, volume_id):
    """Ids of the volume's snapshots that Cinder manages now."""
    return {snapshot.id for snapshot in
            cinder_objects.SnapshotList.get_all_for_volume(context,
                                                           volume_id)}


def default_snapshot_file(volume, snapshot_id):
    """The overlay name Cinder gives a new snapshot of ``volume``."""
    return '%s.%s' % (volume.name, snapshot_id)
