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

"""The driver side of assisted snapshots, as SnapextVolumeManager calls it."""

from cinder_snapext import exception
from cinder_snapext.volume.assisted import phases


class AssistedSnapshotDriver:
    """Mix into a volume driver whose snapshots may need the compute host.

    A driver of a file-based backend (RemoteFS: NFS, Quobyte, ...) cannot
    snapshot a volume that a running instance holds open: Nova has to
    switch the instance to a new overlay file (create) or merge one away
    (delete). Cinder's drivers ask Nova and then poll the database for its
    answer while holding the volume's lock. With this interface the
    volume manager drives the phases instead, and nothing waits::

        create_snapshot (RPC)  -> create_snapshot_assisted_begin
        Nova: os-update_snapshot_status -> API -> snapext RPC cast
                               -> create_snapshot_assisted_complete
                               -> snapshot 'available'

    and the same with ``delete_snapshot_assisted_*``, ending with the
    snapshot destroyed through Cinder's own delete_snapshot (quotas,
    notifications). ``create_snapshot`` and ``delete_snapshot`` keep
    serving the snapshots for which ``snapshot_needs_compute`` is False.

    Every method receives ``context`` (an admin context) and ``snapshot``
    (a Cinder Snapshot object). The ``begin`` and ``complete`` methods
    return None or a dict with either key::

        {'snapshot': {<Snapshot field>: <value>, ...},
         'admin_metadata': {<key>: <string value>, ...}}

    which the manager saves (``status`` is the manager's: a driver that
    sets it, or one of the ``snapext:phase*`` or
    ``snapext:compute_snapshot_status`` keys, fails the phase). Admin
    metadata saved at ``begin`` comes back to ``complete`` and ``abort``
    as ``admin_metadata``: keep there what the second half needs (the new
    file's name, say).

    Rules for implementers:

    * ``begin`` asks Nova and returns at once; it must never wait for
      Nova's answer. The callback may even arrive before ``begin`` returns:
      the manager picks it up afterwards.
    * No lock may span two phases. ``begin`` and ``complete`` may take the
      driver's per-volume lock for their own duration (to serialize with
      offline snapshot operations); the manager refuses a second assisted
      operation on the volume while a phase is open.
    * Raising from ``begin`` or ``complete`` fails the operation: the
      snapshot goes to ``error`` (create) or ``error_deleting`` (delete),
      with a user message, as Cinder does when a driver raises.
      ``cinder.exception.SnapshotIsBusy`` from either delete step leaves
      the snapshot ``available``, as in Cinder.
    * ``delete_snapshot_assisted_begin`` may be called for a snapshot whose
      create failed or timed out; if Nova has nothing to merge,
      ``snapshot_needs_compute`` should say so.
    * Paths that bypass the volume manager still call ``create_snapshot``
      directly (Cinder's backup of an attached volume takes a temporary
      snapshot that way): keep it working for attached volumes too.
    * Set ``supports_assisted_snapshots`` to False (for instance from a
      configuration option) to give the whole backend Cinder's behaviour.
    """

    #: The manager checks this before anything else of this interface.
    supports_assisted_snapshots = True

    def snapshot_needs_compute(self, snapshot):
        """Whether creating or deleting ``snapshot`` now needs Nova.

        Called with the snapshot ``creating`` or ``deleting``; typically
        true when its volume is attached (``in-use``). False sends the
        request down Cinder's ordinary path (``create_snapshot`` /
        ``delete_snapshot``).
        """
        raise NotImplementedError()

    def create_snapshot_assisted_begin(self, context, snapshot):
        """Prepare the snapshot and ask Nova to take it; do not wait."""
        raise NotImplementedError()

    def create_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        """Nova has switched the instance: finish (info file, formats)."""
        raise NotImplementedError()

    def delete_snapshot_assisted_begin(self, context, snapshot):
        """Ask Nova to merge the snapshot away; do not wait."""
        raise NotImplementedError()

    def delete_snapshot_assisted_complete(self, context, snapshot,
                                          admin_metadata):
        """Nova has merged: remove what is left of the snapshot."""
        raise NotImplementedError()

    def create_snapshot_assisted_abort(self, context, snapshot,
                                       admin_metadata, reason):
        """The create failed after ``begin``; tidy up what is safe to.

        ``reason`` is ``compute_error`` (Nova reported failure), ``timeout``
        (Nova never answered: it may still be working, so keep what it
        might switch to) or ``interrupted`` (the volume service restarted
        in the middle of a phase). Not called when ``begin`` or
        ``complete`` raised: the driver knows what it left. The snapshot
        ends in ``error`` whatever this returns; exceptions are only
        logged.
        """
        return None

    def delete_snapshot_assisted_abort(self, context, snapshot,
                                       admin_metadata, reason):
        """The delete failed after ``begin``; same contract as above."""
        return None


class CompletingDriver:
    """The driver as Cinder's create/delete_snapshot see it on completion.

    Its create/delete_snapshot run the driver's ``*_complete`` and save
    the admin metadata it returns; everything else is the driver's own.
    """

    def __init__(self, driver, context, operation, metadata):
        self._driver = driver
        self._context = context
        self._operation = operation
        self._metadata = metadata

    def __getattr__(self, name):
        return getattr(self._driver, name)

    def create_snapshot(self, snapshot):
        return self._complete(snapshot)

    def delete_snapshot(self, snapshot):
        self._complete(snapshot)

    def _complete(self, snapshot):
        complete = getattr(self._driver,
                           '%s_snapshot_assisted_complete' % self._operation)
        snapshot_updates, metadata = checked_updates(
            complete(self._context, snapshot, dict(self._metadata)))
        if metadata:
            phases.write(self._context, snapshot.id, metadata)
        # Cinder's create_snapshot saves what the driver returns.
        return snapshot_updates or None


def checked_updates(updates):
    """A driver's ``{'snapshot': {...}, 'admin_metadata': {...}}``, split."""
    updates = updates or {}
    unknown = set(updates) - {'snapshot', 'admin_metadata'}
    snapshot_updates = dict(updates.get('snapshot') or {})
    metadata = dict(updates.get('admin_metadata') or {})
    reserved = sorted(set(metadata) & phases.RESERVED_KEYS)
    if unknown:
        reason = 'unknown keys %s' % ', '.join(sorted(unknown))
    elif 'status' in snapshot_updates:
        reason = 'the snapshot status belongs to the volume manager'
    elif reserved:
        reason = 'admin metadata %s belongs to the volume manager' % (
            ', '.join(reserved))
    else:
        return snapshot_updates, metadata
    raise exception.InvalidAssistedSnapshotUpdate(reason=reason)


def apply_updates(context, snapshot, updates):
    """Save what a driver's phase method returned (see checked_updates)."""
    snapshot_updates, metadata = checked_updates(updates)
    if snapshot_updates:
        snapshot.update(snapshot_updates)
        snapshot.save()
    if metadata:
        phases.write(context, snapshot.id, metadata)
