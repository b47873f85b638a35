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

"""The engine of assisted snapshots on one volume service.

It claims the volume, runs the driver's phases and closes them on Nova's
report, its absence or an interruption. The manager's mixin hands it the
requests; the snapext RPC endpoint and the periodic check call it too.
"""

import copy

from cinder import context as cinder_context
from cinder import coordination
from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.objects import fields
from cinder.volume import volume_utils
from oslo_log import log as logging
from oslo_utils import excutils

from cinder_snapext import exception
from cinder_snapext.volume.assisted import closing
from cinder_snapext.volume.assisted import driver as assisted_driver
from cinder_snapext.volume.assisted import messages
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.assisted import quota_turns
from cinder_snapext.volume.assisted import running
from cinder_snapext.volume import services

LOG = logging.getLogger(__name__)


class AssistedSnapshotCoordinator:
    """create/delete_snapshot in phases for drivers that need Nova.

    With a driver of ``assisted.driver.AssistedSnapshotDriver`` whose
    snapshot needs the compute host, ``create``/``delete`` run the
    driver's ``begin``, record the phase and return, the snapshot still
    ``creating`` or ``deleting``; Nova's callback (through the API and the
    snapext RPC endpoint) reaches ``continue_phase``, which runs
    ``complete`` inside Cinder's own create/delete_snapshot. Every other
    request takes Cinder's path.

    ``manager`` is the volume manager: its driver, host, user messages and
    ``cinder_create/delete_snapshot`` (Cinder's, with our other mixins).
    """

    def __init__(self, manager):
        self.manager = manager
        self.running = running.RunningPhases()

    @property
    def driver(self):
        return self.manager.driver

    def enabled(self):
        """Whether this service's driver takes snapshots in phases."""
        return (getattr(self.driver, 'supports_assisted_snapshots', False)
                and self.driver.initialized)

    def create(self, context, snapshot):
        """Cinder's create_snapshot, begun in a phase where Nova must help.

        :returns: the snapshot's id, as Cinder's does.
        """
        with self.running.running(snapshot.id):
            return self._begin(context, snapshot, phases.CREATE)

    def delete(self, context, snapshot):
        """Cinder's delete_snapshot, begun in a phase where Nova must help.

        :returns: True when the snapshot is not destroyed (yet), as
            Cinder's does for a busy one.
        """
        with self.running.running(snapshot.id):
            return self._begin(context, snapshot, phases.DELETE)

    def _begin(self, context, snapshot, operation):
        context = context.elevated()
        snapshot._context = context
        snapshot.context = context
        try:
            assisted = self.driver.snapshot_needs_compute(snapshot)
            self._claim_volume(context, snapshot,
                               operation if assisted else None)
        except Exception as error:
            if (operation == phases.DELETE and
                    isinstance(error, exception.AssistedSnapshotInProgress)):
                return closing.refuse_delete(
                    self.manager, context, snapshot, error,
                    phases.status_after_refused_delete(
                        snapshot.id, error.kwargs['snapshot_id'],
                        error.kwargs['phase']))
            with excutils.save_and_reraise_exception():
                snapshot.status = phases.FAILED_STATUS[operation]
                snapshot.save()
                messages.phase_failed(self.manager.message_api, context,
                                      snapshot, operation, error)
        if not assisted:
            if operation == phases.CREATE:
                return self.manager.cinder_create_snapshot(context, snapshot)
            return self.manager.cinder_delete_snapshot(context, snapshot)

        self.manager.notify_snapshot_usage(context, snapshot,
                                           operation + '.start')
        begin = getattr(self.driver, '%s_snapshot_assisted_begin' % operation)
        try:
            assisted_driver.apply_updates(context, snapshot,
                                          begin(context, snapshot))
        except Exception as error:
            if (operation == phases.DELETE and
                    isinstance(error, cinder_exception.SnapshotIsBusy)):
                phases.move(context, snapshot.id, [phases.DELETE_BEGINNING],
                            phases.DELETE_FAILED)
                return closing.refuse_delete(
                    self.manager, context, snapshot, error,
                    fields.SnapshotStatus.AVAILABLE)
            with excutils.save_and_reraise_exception():
                self._fail(context, snapshot, operation,
                           [phases.BEGINNING[operation]], error=error)
        self._wait_for_compute(context, snapshot, operation)
        # Cinder's create answers the id; its delete says "skipped" (True)
        # while the snapshot is not destroyed yet.
        return snapshot.id if operation == phases.CREATE else True

    @coordination.synchronized('snapext-assisted-{snapshot.volume_id}')
    def _claim_volume(self, context, snapshot, operation):
        """Refuse while a phase is open on the volume, else open one.

        The lock is held for these few queries only, never across phases:
        the recorded phase is what keeps the next request out.
        """
        busy = phases.find_open_phase(context, snapshot.volume_id)
        if busy is not None:
            raise exception.AssistedSnapshotInProgress(
                volume_id=snapshot.volume_id, snapshot_id=busy[0],
                phase=busy[1])
        if operation is not None:
            phases.open_phase(context, snapshot, operation, self.manager.host)

    def _wait_for_compute(self, context, snapshot, operation):
        phases.write(context, snapshot.id,
                     {phases.DEADLINE_KEY: phases.deadline(operation)})
        if not phases.move(context, snapshot.id,
                           [phases.BEGINNING[operation]],
                           phases.WAITING[operation]):
            LOG.warning('Assisted snapshot phase closed while beginning.',
                        resource=snapshot)
            return
        if snapshot.worker:
            # From here the recorded phase, not Cinder's worker entry, says
            # what a restart must do (Cinder's would set error too soon).
            snapshot.unset_worker()
        # Nova may have answered while the driver was still beginning.
        self.continue_phase(context, snapshot.id)

    def continue_phase(self, context, snapshot_id):
        """Act on what the compute service reported, if it means anything.

        Called by the snapext RPC endpoint on Nova's callback, and again
        after begin, at start-up and periodically, so that a callback is
        never lost; duplicate and late ones find no waiting phase.
        """
        context = context.elevated()
        try:
            metadata = phases.read(context, snapshot_id)
        except cinder_exception.SnapshotNotFound:
            LOG.info('Snapshot %s is gone: nothing to continue.', snapshot_id)
            return
        signal = phases.signal_for(metadata.get(phases.PHASE_KEY),
                                   metadata.get(phases.COMPUTE_STATUS_KEY))
        if signal is None:
            LOG.debug('Compute status %(compute)s means nothing in phase '
                      '%(phase)s of snapshot %(id)s.',
                      {'compute': metadata.get(phases.COMPUTE_STATUS_KEY),
                       'phase': metadata.get(phases.PHASE_KEY),
                       'id': snapshot_id})
            return
        operation, succeeded = signal
        snapshot = cinder_objects.Snapshot.get_by_id(context, snapshot_id)
        # Cinder's own code writes its user messages with this context.
        context = messages.owner_context(context, snapshot)
        if succeeded:
            with self.running.running(snapshot_id):
                self._complete(context, snapshot, operation, metadata)
        else:
            self._fail(context, snapshot, operation,
                       [phases.WAITING[operation]],
                       reason=phases.REASON_COMPUTE_ERROR,
                       metadata=metadata)

    def _complete(self, context, snapshot, operation, metadata):
        if not phases.move(context, snapshot.id, [phases.WAITING[operation]],
                           phases.COMPLETING[operation]):
            return
        cinder = self._cinder_view(context, operation, metadata)
        try:
            if operation == phases.CREATE:
                cinder.cinder_create_snapshot(context, snapshot)
                phases.move(context, snapshot.id, [phases.CREATE_COMPLETING],
                            phases.CREATE_DONE)
            elif quota_turns.cinder_delete(cinder, context, snapshot):
                # Cinder found the snapshot busy and left it available.
                phases.move(context, snapshot.id, [phases.DELETE_COMPLETING],
                            phases.DELETE_FAILED)
        except Exception as error:
            # Cinder's own code has set the error status and written the
            # user message; this is a cast, nobody waits for the error.
            LOG.exception('Completing assisted snapshot %s failed.',
                          operation, resource=snapshot)
            if phases.move(context, snapshot.id,
                           [phases.COMPLETING[operation]],
                           phases.FAILED[operation]):
                closing.record_error(context, snapshot, str(error))

    def _cinder_view(self, context, operation, metadata):
        """The manager as Cinder's create/delete_snapshot must see it.

        Cinder's methods hold the finish a phase needs (status, progress,
        glance metadata, quotas, notifications, lock clean-up) around one
        call to the driver's create/delete_snapshot; in this shallow copy
        that call runs the driver's ``*_complete`` instead, and the
        '.start' notification, sent when the phase began, is not repeated.
        """
        view = copy.copy(self.manager)
        view.driver = assisted_driver.CompletingDriver(
            self.driver, context, operation, metadata)
        view.skip_snapshot_usage_start()
        return view

    def _fail(self, context, snapshot, operation, from_phases, error=None,
              reason=None, metadata=None):
        closing.fail(self.manager, context, snapshot, operation, from_phases,
                     error=error, reason=reason, metadata=metadata)

    def _interrupted(self, context, metadata):
        """Whether the work on this running phase may have stopped.

        This service's own phase: ``self.running`` decides when it moves.
        Another service's (a member of the same cluster, or the host that
        replaced it) once Cinder's records show that host down, so that a
        host that never comes back does not leave its phases open for good.
        """
        host = metadata.get(phases.HOST_KEY)
        if host == self.manager.host:
            return True
        return host is not None and services.host_is_gone(context, host)

    def resume(self):
        """At start-up: continue, time out or close interrupted phases."""
        try:
            self.check(cinder_context.get_admin_context())
        except Exception:
            # Starting the service matters more: the periodic check does
            # the same later.
            LOG.exception('Could not resume assisted snapshot phases.')

    def check(self, context):
        """Continue, time out or close interrupted phases."""
        if not self.enabled():
            return
        backend = volume_utils.extract_host(
            self.manager.service_topic_queue)
        for snapshot, metadata in phases.snapshots_in_open_phases(
                context, backend):
            phase = metadata[phases.PHASE_KEY]
            operation = phases.operation_of(phase)
            try:
                if phase in phases.WAITING_PHASES:
                    if phases.signal_for(
                            phase, metadata.get(phases.COMPUTE_STATUS_KEY)):
                        # The callback's cast was lost or came while the
                        # service was down; what Nova said is recorded.
                        self.continue_phase(context, snapshot.id)
                    elif phases.overdue(metadata):
                        self._fail(context, snapshot, operation, [phase],
                                   reason=phases.REASON_TIMEOUT,
                                   metadata=metadata)
                elif self._interrupted(context, metadata):
                    closing.fail(self.manager, context, snapshot, operation,
                                 [phase], reason=phases.REASON_INTERRUPTED,
                                 metadata=metadata,
                                 move=self.running.move_unless_running)
            except Exception:
                # One broken snapshot must not stop the check of the others.
                LOG.exception('Checking assisted snapshot phase %s failed.',
                              phase, resource=snapshot)
