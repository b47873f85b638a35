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

"""One backup image made from an RBD point, full or against its parent."""

import collections
import time

from cinder import utils as cinder_utils
from oslo_log import log as logging

from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import rbd_copy

LOG = logging.getLogger(__name__)

# Tries, a second apart, for the watch of a dead client to go: Ceph drops
# it after osd_client_watch_timeout, 30 s by default.
STALE_WATCH_TRIES = 45

# What to back up and where: plain values, so that the job can run in a
# native thread (librbd blocks) with nothing of eventlet's or the DB's.
Job = collections.namedtuple('Job', [
    'src_image',         # name of the source image in src_ioctx
    'end_snap',          # its snapshot holding the data to back up
    'create_end_snap',   # True: take end_snap now (a backup of the volume)
    'dest_image',        # the new image in the backup pool
    'dest_snap',         # its snapshot, Cinder's restore point, taken
                         # once the backup is done (take_restore_point)
    'length',            # size of the volume in bytes
    'parent_id',         # the parent Cinder chose, or None
    'parent_snapshot',   # RBD name of the parent's Cinder snapshot, or None
    'parent_image',      # the parent's base image, or None
    'create_kwargs',     # features etc. for a new base image
    'in_flight',         # chunks copied at once; 1 copies one by one
    'whole_object',      # diff whole objects where fast-diff is valid
], defaults=(1, False))

# copy_s: seconds from the diff's start to the data's flush, for the log.
Result = collections.namedtuple('Result', 'plan moved copy_s',
                                defaults=(None,))


def snap_names(image):
    """The names of an open image's snapshots."""
    return [snap['name'] for snap in image.list_snaps()]


def _image_snaps(rbd, ioctx, name):
    """Snapshot names of an image, or None when there is no such image."""
    if not name:
        return None
    try:
        with rbd.Image(ioctx, name, read_only=True) as image:
            return snap_names(image)
    except rbd.ImageNotFound:
        return None


def _make_dest(rbd, ioctx, job, plan):
    """Create the backup image: a clone of the parent's point, or empty.

    A clone shares the parent's data, so only the difference is written;
    a cluster that cannot clone gets a full copy instead.
    """
    if plan.mode == rbd_chain.DIFFERENTIAL:
        try:
            rbd.RBD().clone(ioctx, plan.parent_image, plan.parent_snap,
                            ioctx, job.dest_image,
                            features=job.create_kwargs.get('features'))
            return plan
        except rbd.Error as e:
            plan = rbd_chain.fallback(
                rbd_chain.CLONE_FAILED,
                'cloning %s@%s failed: %s' % (plan.parent_image,
                                              plan.parent_snap, e))
    rbd.RBD().create(ioctx, job.dest_image, job.length, **job.create_kwargs)
    return plan


def take_restore_point(rbd, ioctx, image, snap):
    """Snapshot a finished backup image as Cinder's restore point.

    The name is fixed per backup, so two services that both find the point
    missing take the same one; the second finds it there. Returns whether
    this call took it.
    """
    with rbd.Image(ioctx, image) as img:
        try:
            img.create_snap(snap)
        except rbd.ImageExists:
            return False
    return True


def ensure_restore_point(rbd, ioctx, image, backup_id, snap):
    """backup_id's restore point on image, taken as snap if missing.

    For a backup of ours whose point is not there (still being taken by
    another service, or lost with a service stopped before it took it).
    Call it before anything writes into the image (Cinder's incremental
    imports its diff into the parent's image): until then the image holds
    the backup's data. Returns the point's name, None without the image.
    """
    try:
        with rbd.Image(ioctx, image, read_only=True) as img:
            found = rbd_chain.backup_snap(snap_names(img), backup_id)
    except rbd.ImageNotFound:
        return None
    if found:
        return found
    if take_restore_point(rbd, ioctx, image, snap):
        LOG.info('Took the missing restore point %s of %s', snap, image)
    return snap


def remove_image(rbd, ioctx, name):
    """Remove an image and its snapshots; absent is fine.

    A client that died with the image open (a backup service killed mid
    copy) leaves its watch on it until Ceph drops it: meanwhile removal
    fails with ImageBusy, tried again once a second, as Cinder's RBD
    driver does for its volumes.
    """
    @cinder_utils.retry(rbd.ImageBusy, interval=1, retries=STALE_WATCH_TRIES,
                        backoff_rate=1)
    def remove():
        with rbd.Image(ioctx, name) as image:
            for snap in snap_names(image):
                image.remove_snap(snap)
        rbd.RBD().remove(ioctx, name)

    try:
        remove()
    except rbd.ImageNotFound:
        pass


def run(rbd, src_ioctx, dest_ioctx, job, after=None):
    """Make job's backup image; returns the plan followed and bytes moved.

    The image holds the backup's data when this returns; its restore point
    is left to take_restore_point, as the monitor needs up to a Paxos
    interval (1 s by default) to give a snapshot an id. after(), if given,
    runs once the data is in, on the same connections (the backup's
    metadata object): a failure there fails the backup like any other. On
    failure nothing of it is left: neither the image nor a source snapshot
    it took.
    """
    dest_made = end_snap_made = False
    try:
        # The source is opened once: at its snapshot when that exists
        # already, else writable to take it and then moved onto it. Each
        # open costs a round trip to the OSD that holds the header.
        with rbd.Image(src_ioctx, job.src_image,
                       snapshot=None if job.create_end_snap
                       else job.end_snap,
                       read_only=not job.create_end_snap) as src:
            source_snaps = snap_names(src)
            if job.create_end_snap:
                src.create_snap(job.end_snap)
                end_snap_made = True
                src.set_snap(job.end_snap)
            from_snap = (rbd_chain.parent_source_snap(
                job.parent_id, job.parent_snapshot, source_snaps)
                if job.parent_id else None)
            plan = rbd_chain.plan(
                job.parent_id, from_snap, job.parent_image,
                _image_snaps(rbd, dest_ioctx, job.parent_image))
            plan = _make_dest(rbd, dest_ioctx, job, plan)
            dest_made = True
            with rbd.Image(dest_ioctx, job.dest_image) as dest:
                if dest.size() != job.length:
                    # The volume was extended since the parent.
                    dest.resize(job.length)
                started = time.monotonic()
                extents = rbd_copy.changed_extents(src, plan.from_snap,
                                                   job.whole_object)
                chunk = rbd_copy.CHUNK
                if plan.mode == rbd_chain.DIFFERENTIAL:
                    # dest is a clone: no copy-up from the parent.
                    object_size = dest.stat()['obj_size']
                    extents = rbd_copy.whole_objects(extents, object_size,
                                                     job.length)
                    chunk = rbd_copy.object_chunk(object_size)
                moved = rbd_copy.copy_extents(src, dest, extents, chunk=chunk,
                                               in_flight=job.in_flight)
                copy_s = time.monotonic() - started
        if after is not None:
            after()
        return Result(plan, moved, copy_s)
    except Exception:
        LOG.exception('Backup image %s failed; removing what it made',
                      job.dest_image)
        if dest_made:
            remove_image(rbd, dest_ioctx, job.dest_image)
        if end_snap_made:
            with rbd.Image(src_ioctx, job.src_image) as src:
                src.remove_snap(job.end_snap)
        raise
