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

"""Snapshots in an RBD pool that this Cinder backend could import."""

from oslo_log import log as logging

from cinder_snapext.volume import manageable
from cinder_snapext.volume import snapshot_reference

LOG = logging.getLogger(__name__)

INTERNAL = 'made by Cinder itself (clone or backup)'
NO_VOLUME = ('its image %s is not a volume of this backend: import the '
             'volume first (cinder manage)')


def pool_snapshots(image_names, open_image, rbd_error):
    """(image name, snapshot name, size in bytes) of every user snapshot.

    An image that disappears or cannot be opened while the pool is read
    is skipped: with several clouds on one pool, another Cinder may be
    deleting it right now, and one image must not fail the whole listing.

    :param image_names: the pool's image names
    :param open_image: image name -> context manager of a read-only image
    :param rbd_error: librbd's base exception class
    """
    for image_name in image_names:
        try:
            with open_image(image_name) as image:
                # A lazy iterator over the open image: read it now.
                snaps = [(s['name'], s['size']) for s in image.list_snaps()]
        except rbd_error as e:
            LOG.debug('Not listing snapshots of image %(image)s: %(error)s',
                      {'image': image_name, 'error': e})
            continue
        for snap_name, size in snaps:
            yield image_name, snap_name, size


def _managed_names(cinder_snapshots):
    """Backend snapshot name -> id of the Cinder snapshot stored under it."""
    managed = {}
    for snapshot in cinder_snapshots:
        for name in snapshot_reference.backend_names(snapshot):
            managed[name] = snapshot.id
    return managed


def describe(image_name, snap_name, size, volume_ids, managed, is_internal):
    """One entry of Cinder's manageable-snapshot listing.

    :param volume_ids: image name -> id of this backend's volume on it
    :param managed: backend snapshot name -> managing Cinder snapshot id
    :param is_internal: snapshot name -> True for Cinder's own snapshots
    """
    volume_id = volume_ids.get(image_name)
    cinder_id = managed.get(snap_name) if volume_id else None
    if cinder_id:
        reason = manageable.ALREADY_MANAGED
    elif is_internal(snap_name):
        reason = INTERNAL
    elif volume_id is None:
        # Cinder imports a snapshot only under a volume it manages; other
        # images are another cloud's volumes, or exported ones.
        reason = NO_VOLUME % image_name
    else:
        reason = None
    return manageable.snapshot_entry(snap_name, size, image_name,
                                     volume_id, cinder_id, reason)


def manageable_snapshots(found, volumes, cinder_snapshots, is_internal):
    """Describe every snapshot of pool_snapshots() for Cinder's listing.

    :param found: (image name, snapshot name, size) tuples
    :param volumes: this backend's Cinder volumes
    :param cinder_snapshots: this backend's Cinder snapshots
    """
    volume_ids = {volume.name: volume.id for volume in volumes}
    managed = _managed_names(cinder_snapshots)
    return [describe(image, snap, size, volume_ids, managed, is_internal)
            for image, snap, size in found]
