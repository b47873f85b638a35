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

A snapshot's data is the backing file of its overlay. These helpers read
both through the driver's own methods, so Cinder's checks of backing file
names apply.
"""

import os

from cinder import objects as cinder_objects

# The key of .info that names the file the volume runs on.
ACTIVE = 'active'
QCOW2 = 'qcow2'


def read_info(driver, volume):
    """The volume's ``.info`` mapping; empty if it has no snapshot yet."""
    return driver._read_info_file(driver._local_path_volume_info(volume),
                                  empty_if_missing=True)


def write_info(driver, volume, info):
    driver._write_info_file(driver._local_path_volume_info(volume), info)


def path_of(driver, volume, filename):
    return os.path.join(driver._local_volume_dir(volume), filename)


def active_file(driver, volume):
    return driver.get_active_image_from_info(volume)


def backing_of(driver, volume, filename):
    """The backing file name of ``filename``, or None for a base file."""
    return driver._qemu_img_info(path_of(driver, volume, filename),
                                 volume.name).backing_file


def chain(driver, volume):
    """``[(file, backing file or None), ...]`` from the active file down.

    Empty when the volume has no file on the share (never created, or
    already gone).
    """
    if not volume.provider_location:
        return []
    top = path_of(driver, volume, active_file(driver, volume))
    if not os.path.exists(top):
        return []
    return [(entry['filename'], entry['backing-filename'])
            for entry in driver._get_backing_chain_for_path(volume, top)]


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
