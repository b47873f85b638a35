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

"""What each Cinder status means to a wait: done, keep waiting, or failed."""

from collections.abc import Iterable

DONE = 'done'
WAIT = 'wait'
FAILED = 'failed'

# What a wait reports as the status of a resource Cinder answers 404 for.
NOT_FOUND = 'not-found'


class Goal:
    """The statuses that end a wait well, and those that end it badly.

    Every status starting with ``error`` is a failure (Cinder's
    ``error``, ``error_deleting``, ``error_restoring``,
    ``error_extending``, ``error_backing-up``, ``error_managing`` and any
    it adds later). A status neither done nor failed keeps the wait going
    until its deadline, so a transient status Cinder adds later is waited
    out, never taken for success.
    """

    def __init__(self, name: str, done: Iterable[str],
                 failed: Iterable[str] = (),
                 gone_is_done: bool = False) -> None:
        self.name = name
        self.done = frozenset(done)
        self.failed = frozenset(failed)
        self.gone_is_done = gone_is_done

    def classify(self, status: str | None) -> str:
        """DONE, WAIT or FAILED for a status; None means Cinder said 404."""
        if status is None:
            return DONE if self.gone_is_done else FAILED
        if status in self.done:
            return DONE
        if status in self.failed or status.startswith('error'):
            return FAILED
        return WAIT

    def __repr__(self) -> str:
        return 'Goal(%s)' % self.name


# Before protect snapshots a volume. Karbor counted error_extending and
# error_restoring as usable; Cinder refuses to snapshot either, so they fail
# here, at once, naming the status. 'deleting' never comes back.
VOLUME_USABLE = Goal('available or in-use', done={'available', 'in-use'},
                     failed={'deleting'})

# A new snapshot. backing-up and restoring are only reachable from
# available, so its data is complete.
SNAPSHOT_AVAILABLE = Goal('available',
                          done={'available', 'backing-up', 'restoring'},
                          failed={'deleting', 'deleted', 'unmanaging'})

# A volume created from a snapshot by restore. in-use: someone attached it
# already, so it exists and holds the data.
VOLUME_RESTORED = Goal('available', done={'available', 'in-use'},
                       failed={'deleting'})

# A snapshot after Cinder accepted its deletion: the API moved it to
# 'deleting' before answering, so 'available' again means the backend
# refused (Cinder's SnapshotIsBusy path); error_deleting is the backend
# failing.
SNAPSHOT_DELETED = Goal('deleted', done={'deleted'}, failed={'available'},
                        gone_is_done=True)

# A protection backup. restoring: only reachable from available, so its
# data is complete; error (the backup service failing) ends it badly.
BACKUP_AVAILABLE = Goal('available', done={'available', 'restoring'},
                        failed={'deleting', 'deleted'})

# A backup after Cinder accepted its deletion. The backup service sets
# error when the driver fails, which ends the wait as a failure.
BACKUP_DELETED = Goal('deleted', done={'deleted'}, gone_is_done=True)

# A protection group snapshot: Cinder sets it available once every
# snapshot in it is; error when any failed.
GROUP_SNAPSHOT_AVAILABLE = Goal('available', done={'available'},
                                failed={'deleting', 'deleted'})

# A group snapshot after Cinder accepted its deletion.
GROUP_SNAPSHOT_DELETED = Goal('deleted', done={'deleted'},
                              gone_is_done=True)

# A group restored from a group snapshot, with all its new volumes.
GROUP_RESTORED = Goal('available', done={'available'},
                      failed={'deleting', 'deleted'})
