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

"""The delete of an incremental backup that never finished, and its debris.

A backup's ``service_metadata`` names its image once the backup is done.
Without it, Cinder's Ceph driver takes an incremental backup's image to be
its parent's (Cinder's own incrementals write into the parent's image) and
deletes from there: a differential of ours, cut short by a stopped service,
is a clone of its own that Cinder never looks at. Left behind, the clone
keeps the parent's restore point in RBD's trash, so the parent's delete
fails with ``ImageHasSnapshots`` until someone removes the clone by hand.
And where the parent's image had no restore point left, Cinder's delete
would remove that image: another backup's data. Clones that earlier
releases left so are removed when their parent's delete meets them.
"""

import re

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import exception
from cinder.volume.drivers import rbd as rbd_driver
from oslo_log import log as logging

from cinder_snapext.backup import rbd_backup
from cinder_snapext.backup import rbd_chain
from cinder_snapext.internals import backup as internal_backup


LOG = logging.getLogger(__name__)
# own_image's names: the backup's id is the last part.
_OWN_IMAGE = re.compile(r'^volume-[0-9a-f-]+\.backup\.([0-9a-f-]+)$')


def applies(backup):
    """Whether backup is an incremental without a recorded image."""
    return bool(backup.parent_id) and not backup.service_metadata


def own_image(backup):
    """The image of its own that our driver makes for backup."""
    return 'volume-%s.backup.%s' % (backup.volume_id, backup.id)


def remove(rbd, ioctx, backup, parent_image):
    """Remove what backup owns in the pool of ioctx; the names removed.

    Its own image, with the snapshots on it, and on parent_image (its
    parent's image, where Cinder's incremental takes the new point once its
    diff is in) only points named for it: that image and every other
    snapshot on it belong to other backups.
    """
    removed = []
    image = own_image(backup)
    if image in rbd.RBD().list(ioctx):
        rbd_backup.remove_image(rbd, ioctx, image)
        removed.append(image)
    if parent_image and parent_image != image:
        try:
            with rbd.Image(ioctx, parent_image) as img:
                for snap in rbd_chain.backup_snaps(
                        rbd_backup.snap_names(img), backup.id):
                    img.remove_snap(snap)
                    removed.append('%s@%s' % (parent_image, snap))
        except rbd.ImageNotFound:
            pass
    LOG.info('Backup %(id)s never finished; removed what it owned: '
             '%(removed)s', {'id': backup.id,
                             'removed': ', '.join(removed) or 'nothing'})
    return removed


def delete(driver, backup):
    """The delete of backup by driver (a Ceph backup driver), as above.

    Cinder's metadata object of the backup goes too. Runs in a native
    thread (librbd blocks).
    """
    with rbd_driver.RADOSClient(driver, backup.container) as client:
        remove(driver.rbd, client.ioctx, backup,
               internal_backup.base_image_name(driver, backup.volume_id,
                                               backup))
        cinder_ceph.VolumeMetadataBackup(client,
                                         backup.id).remove_if_exists()


def _clones(driver, backup):
    """{image name: backup id} of own_image clones of backup's image."""
    pool = backup.container or internal_backup.backup_pool(driver)
    name = internal_backup.base_image_name(driver, backup.volume_id, backup)
    with rbd_driver.RADOSClient(driver, backup.container) as client:
        try:
            with driver.rbd.Image(client.ioctx, name,
                                  read_only=True) as image:
                # No snapshot set: the clones of every snapshot, those
                # of snapshots in RBD's trash too.
                children = image.list_children2()
        except driver.rbd.ImageNotFound:
            return {}
    return {child['image']: m.group(1) for child in children
            if child['pool'] == pool
            and (m := _OWN_IMAGE.match(child['image']))}


def _remove_images(driver, container, names):
    with rbd_driver.RADOSClient(driver, container) as client:
        for name in names:
            rbd_backup.remove_image(driver.rbd, client.ioctx, name)


def remove_orphans(driver, context, backup, run_blocking):
    """Remove the clones of backup's image that no backup owns any more.

    Earlier releases left an unfinished differential's clone behind when
    its backup was deleted; the clone keeps backup's restore point in RBD's
    trash, and the image cannot be removed while it is there. Clones of
    backups that still exist stay. Returns the names removed.
    """
    orphans = []
    for name, backup_id in run_blocking(_clones, driver, backup).items():
        try:
            driver.db.backup_get(context, backup_id)
        except exception.BackupNotFound:
            orphans.append(name)
    if orphans:
        LOG.warning('Backup %(id)s: removing clones of its image left by '
                    'backups deleted before: %(names)s',
                    {'id': backup.id, 'names': ', '.join(orphans)})
        run_blocking(_remove_images, driver, backup.container, orphans)
    return orphans
