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

"""Restore points taken after a backup is done, and the waits on them."""

from oslo_log import log as logging

from cinder_snapext import concurrency

LOG = logging.getLogger(__name__)

# Seconds a restore, delete or child backup waits for a pending point; an
# RBD snapshot takes one monitor commit, about a second.
WAIT_TIMEOUT = 60
# Points taken at once in one service; more wait their turn. Each is one
# monitor commit, so a few keep up with any rate of backups.
WORKERS = 4


def point_name(backup):
    """The restore point's name: Cinder's pattern, fixed for one backup.

    Cinder stamps the time of the call; stamping the backup's creation
    instead gives every service that takes the point the same name.
    """
    return 'backup.%s.snap.%.7f' % (backup.id,
                                    backup.created_at.timestamp())


class PendingRestorePoints:
    """Restore points being taken in the background, by backup id.

    A backup of ours is complete without its point: Cinder's restore reads
    the image itself when it finds none. What the point serves waits here
    first: a differential restore, a child backup that clones it, and a
    delete (so that no snapshot appears on an image being removed).
    """

    def __init__(self):
        self._pending = {}
        self._workers = concurrency.Background(WORKERS)

    def start(self, backup_id, func, *args):
        """Run func(*args) after the caller returns, librbd blocking alone."""
        future = self._workers.submit(self._run, backup_id, func, *args)
        self._pending[backup_id] = future
        # Runs at once if a native thread was quicker than this line.
        future.add_done_callback(lambda done: self._forget(backup_id, done))

    def __contains__(self, backup_id):
        """Whether backup_id's point is still being taken."""
        return backup_id in self._pending

    def _forget(self, backup_id, future):
        if self._pending.get(backup_id) is future:
            del self._pending[backup_id]

    @staticmethod
    def _run(backup_id, func, *args):
        try:
            concurrency.run_blocking(func, *args)
        except Exception:
            LOG.warning('Backup %s: its restore point could not be taken; '
                        'restores read the image in full and the next '
                        'incremental backup takes the point',
                        backup_id, exc_info=True)

    def wait(self, backup_id, timeout=WAIT_TIMEOUT):
        """Wait for backup_id's pending point; False if it is still going."""
        future = self._pending.get(backup_id)
        if future is None or concurrency.wait(future, timeout):
            return True
        LOG.warning('Backup %(id)s: its restore point is still being taken '
                    'after %(timeout)s s; going on without it',
                    {'id': backup_id, 'timeout': timeout})
        return False


# Cinder's backup manager makes a new driver for every backup, restore and
# delete: the points pending in this process must outlive each of them.
PENDING = PendingRestorePoints()
