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

"""The librbd side of a verify: open both points, compare, recheck."""

import collections

from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import rbd_compare


class Unverifiable(Exception):
    """Nothing to compare the backup with; the message says why."""


# Where the two points are: plain values, so that the comparison can run
# in a native thread (librbd blocks) with nothing of the database's.
Plan = collections.namedtuple('Plan', [
    'backup_id', 'volume_args', 'volume_pool', 'volume_image',
    'source_snap',   # the Cinder snapshot's RBD name, or None: the
                     # volume's backup.<id>.snap.<time> point
    'backup_args', 'backup_pool', 'backup_image'])


class Points:
    """The two RBD points of one verification, opened read-only."""

    def __init__(self, rados, rbd):
        self.rados, self.rbd = rados, rbd
        # What to release, in the order it was opened: (object, method).
        self._opened = []

    def open(self, rados_args, pool, image, snap_of):
        """An image at the snapshot snap_of(snapshot names) picks."""
        client = self.rados.Rados(**rados_args)
        client.connect(timeout=60)
        self._opened.append((client, 'shutdown'))
        ioctx = client.open_ioctx(pool)
        self._opened.append((ioctx, 'close'))
        with self.rbd.Image(ioctx, image, read_only=True) as img:
            snap = snap_of([s['name'] for s in img.list_snaps()])
        point = self.rbd.Image(ioctx, image, snapshot=snap, read_only=True)
        self._opened.append((point, 'close'))
        return point

    def close(self):
        while self._opened:
            obj, method = self._opened.pop()
            getattr(obj, method)()


def compare(plan, rados, rbd, in_flight):
    """Compare the two points of plan (librbd only: it blocks)."""
    chosen = {}

    def source_snap(names):
        if plan.source_snap:
            if plan.source_snap not in names:
                raise Unverifiable('snapshot %s is not on the volume '
                                    'image' % plan.source_snap)
            return plan.source_snap
        found = rbd_chain.backup_snap(names, plan.backup_id)
        if not found:
            raise Unverifiable('the volume no longer holds the data of '
                                'this backup (its backup snapshot was '
                                'pruned or deleted)')
        chosen['source'] = found
        return found

    def copy_snap(names):
        chosen['copy'] = rbd_chain.backup_snap(names, plan.backup_id)
        return chosen['copy']

    points = Points(rados, rbd)
    try:
        try:
            source = points.open(plan.volume_args, plan.volume_pool,
                                 plan.volume_image, source_snap)
        except rbd.ImageNotFound:
            raise Unverifiable('the volume image %s is gone' %
                                plan.volume_image)
        # Without its point a restore reads the image's head; so do we.
        copy = points.open(plan.backup_args, plan.backup_pool,
                           plan.backup_image, copy_snap)
        try:
            comparison = rbd_compare.compare(source, copy,
                                             in_flight=in_flight)
        except (OSError, rbd.Error):
            _raise_if_vanished(plan, rados, rbd, chosen)
            raise
        if not rbd_compare.matches(comparison):
            _raise_if_vanished(plan, rados, rbd, chosen)
        return comparison
    finally:
        points.close()


def _raise_if_vanished(plan, rados, rbd, chosen):
    """Raise if either point is gone since it was opened.

    A point deleted under the reads makes them fail (ENOENT) or, once its
    objects are gone, read as zeros: a mismatch that says nothing about
    the backup. Each point is opened again, by the same snapshot name. A
    vanished source makes the backup Unverifiable; a vanished backup
    image raises rbd.ImageNotFound, which verify takes as a mismatch
    unless the database shows a delete of the backup.
    """
    def same(name):
        def snap_of(names):
            if name is not None and name not in names:
                raise rbd.ImageNotFound(name)
            return name
        return snap_of

    for args, pool, image, name in (
            (plan.volume_args, plan.volume_pool, plan.volume_image,
             plan.source_snap or chosen.get('source')),
            (plan.backup_args, plan.backup_pool, plan.backup_image,
             chosen.get('copy'))):
        again = Points(rados, rbd)
        try:
            again.open(args, pool, image, same(name))
        except rbd.ImageNotFound:
            where = '%s%s' % (image, '@' + name if name else '')
            if image == plan.volume_image:
                raise Unverifiable('the source %s vanished while it was '
                                   'being read' % where)
            raise rbd.ImageNotFound('%s vanished while it was being read'
                                    % where)
        finally:
            again.close()
