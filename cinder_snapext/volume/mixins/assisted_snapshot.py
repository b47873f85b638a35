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

"""Assisted snapshots driven by the volume manager, one phase at a time."""

import copy

from cinder import context as cinder_context
from cinder import coordination
from cinder import exception as cinder_exception
from cinder.message import message_field
from cinder import objects as cinder_objects
from cinder.objects import fields
from cinder.volume import volume_utils
from oslo_log import log as logging
from oslo_utils import excutils

from cinder_snapext import exception
from cinder_snapext.volume import assisted_driver
from cinder_snapext.volume import assisted_phases as phases

LOG = logging.getLogger(__name__)

# Open phases live on snapshots in these statuses: Cinder's handler sets
# the error ones before the volume service hears of Nova's failure.
_STATUSES_WITH_PHASES = (fields.SnapshotStatus.CREATING,
                         fields.SnapshotStatus.DELETING,
                         fields.SnapshotStatus.ERROR,
                         fields.SnapshotStatus.ERROR_DELETING)
_ACTIONS = {phases.CREATE: message_field.Action.SNAPSHOT_CREATE,
            phases.DELETE: message_field.Action.SNAPSHOT_DELETE}
_DETAILS = {phases.CREATE: message_field.Detail.SNAPSHOT_CREATE_ERROR,
            phases.DELETE: message_field.Detail.SNAPSHOT_DELETE_ERROR}


class AssistedSnapshotMixin:
    """create/delete_snapshot in phases for drivers that need Nova.

    With a driver of ``assisted_driver.AssistedSnapshotDriver`` whose
    snapshot needs the compute host, the manager runs the driver's
    ``begin``, records the phase and returns, the snapshot still
    ``creating`` or ``deleting``; Nova's callback (through the API and the
    snapext RPC endpoint) runs ``complete`` inside Cinder's own
    create/delete_snapshot. Every other request takes Cinder's path.
    """

    @cinder_objects.Snapshot.set_workers
    def create_snapshot(self, context, snapshot):
        if not self._assisted_driver():
            return super().create_snapshot(context, snapshot)
        context = context.elevated()
        snapshot.context = context
        try:
            assisted = self.driver.snapshot_needs_compute(snapshot)
            self._claim_volume(context, snapshot,
                               phases.CREATE if assisted else None)
        except Exception as error:
            with excutils.save_and_reraise_exception():
                snapshot.status = fields.SnapshotStatus.ERROR
                snapshot.save()
                self._message(context, snapshot, phases.CREATE, error)
        if not assisted:
            return super().create_snapshot(context, snapshot)

        self._notify_about_snapshot_usage(context, snapshot, 'create.start')
        try:
            self._apply(context, snapshot,
                        self.driver.create_snapshot_assisted_begin(
                            context, snapshot))
        except Exception as error:
            with excutils.save_and_reraise_exception():
                self._fail(context, snapshot, phases.CREATE,
                           [phases.CREATE_BEGINNING], error=error)
        self._wait_for_compute(context, snapshot, phases.CREATE)
        return snapshot.id

    def delete_snapshot(self, context, snapshot, unmanage_only=False):
        if unmanage_only or not self._assisted_driver():
            return super().delete_snapshot(context, snapshot,
                                           unmanage_only=unmanage_only)
        context = context.elevated()
        snapshot._context = context
        snapshot.context = context
        try:
            assisted = self.driver.snapshot_needs_compute(snapshot)
            self._claim_volume(context, snapshot,
                               phases.DELETE if assisted else None)
        except exception.AssistedSnapshotInProgress as busy:
            status = phases.status_after_refused_delete(
                snapshot.id, busy.kwargs['snapshot_id'], busy.kwargs['phase'])
            return self._refuse_delete(context, snapshot, busy, status)
        except Exception as error:
            with excutils.save_and_reraise_exception():
                snapshot.status = fields.SnapshotStatus.ERROR_DELETING
                snapshot.save()
                self._message(context, snapshot, phases.DELETE, error)
        if not assisted:
            return super().delete_snapshot(context, snapshot)

        self._notify_about_snapshot_usage(context, snapshot, 'delete.start')
        try:
            self._apply(context, snapshot,
                        self.driver.delete_snapshot_assisted_begin(
                            context, snapshot))
        except cinder_exception.SnapshotIsBusy as busy:
            phases.move(context, snapshot.id, [phases.DELETE_BEGINNING],
                        phases.DELETE_FAILED)
            return self._refuse_delete(context, snapshot, busy,
                                       fields.SnapshotStatus.AVAILABLE)
        except Exception as error:
            with excutils.save_and_reraise_exception():
                self._fail(context, snapshot, phases.DELETE,
                           [phases.DELETE_BEGINNING], error=error)
        self._wait_for_compute(context, snapshot, phases.DELETE)
        # Like Cinder's "skipped": the snapshot is not destroyed yet.
        return True

    def _assisted_driver(self):
        return (getattr(self.driver, 'supports_assisted_snapshots', False)
                and self.driver.initialized)

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
            phases.open_phase(context, snapshot, operation, self.host)

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
            # what a restart must do; Cinder's cleanup would set the
            # snapshot to error although the phase can still complete.
            snapshot.unset_worker()
        # Nova may have answered while the driver was still beginning.
        self._continue_assisted_snapshot(context, snapshot.id)

    def _continue_assisted_snapshot(self, context, snapshot_id):
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
        context = _owner_context(context, snapshot)
        if succeeded:
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
                super(AssistedSnapshotMixin, cinder).create_snapshot(
                    context, snapshot)
                phases.move(context, snapshot.id, [phases.CREATE_COMPLETING],
                            phases.CREATE_DONE)
            elif super(AssistedSnapshotMixin, cinder).delete_snapshot(
                    context, snapshot):
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
                self._record_error(context, snapshot, str(error))

    def _cinder_view(self, context, operation, metadata):
        """This manager as Cinder's create/delete_snapshot must see it.

        Cinder's methods hold the finish a phase needs (status, progress,
        glance metadata, quotas, notifications, lock clean-up) around one
        call to the driver's create/delete_snapshot; in this shallow copy
        that call runs the driver's ``*_complete`` instead, and the
        '.start' notification, sent when the phase began, is not repeated.
        """
        view = copy.copy(self)
        view.driver = assisted_driver.CompletingDriver(
            self.driver, context, operation, metadata)
        notify = self._notify_about_snapshot_usage

        def notify_unless_start(context, snapshot, event_suffix, **kwargs):
            if not event_suffix.endswith('.start'):
                notify(context, snapshot, event_suffix, **kwargs)
        view._notify_about_snapshot_usage = notify_unless_start
        return view

    def _fail(self, context, snapshot, operation, from_phases, error=None,
              reason=None, metadata=None):
        """Close the phase as failed, tell the driver and the user.

        :param reason: for the driver's ``*_assisted_abort``; None when the
            driver itself raised (it knows).
        """
        if not phases.move(context, snapshot.id, from_phases,
                           phases.FAILED[operation]):
            return
        text = str(error) if error is not None else {
            phases.REASON_COMPUTE_ERROR: 'the compute service reported an '
                                         'error',
            phases.REASON_TIMEOUT: 'the compute service did not answer '
                                   'within %s seconds'
                                   % phases.timeout(operation),
            phases.REASON_INTERRUPTED: 'the volume service restarted in '
                                       'the middle of the phase',
        }[reason]
        LOG.error('Assisted snapshot %(op)s failed: %(why)s.',
                  {'op': operation, 'why': text}, resource=snapshot)
        self._record_error(context, snapshot, text)
        if reason is not None:
            self._abort(context, snapshot, operation, metadata, reason)
        snapshot.conditional_update(
            {'status': phases.FAILED_STATUS[operation]},
            {'status': phases.WORKING_STATUS[operation]})
        self._message(context, snapshot, operation, error)

    def _abort(self, context, snapshot, operation, metadata, reason):
        abort = getattr(self.driver,
                        '%s_snapshot_assisted_abort' % operation, None)
        if abort is None:
            return
        try:
            if metadata is None:
                metadata = phases.read(context, snapshot.id)
            self._apply(context, snapshot,
                        abort(context, snapshot, metadata, reason))
        except Exception:
            # The snapshot fails anyway; a tidy-up that fails must not
            # keep it from reaching its error status.
            LOG.exception('Driver could not tidy up after a failed '
                          'assisted snapshot %s.', operation,
                          resource=snapshot)

    def _refuse_delete(self, context, snapshot, busy, status):
        # As Cinder does for SnapshotIsBusy: the snapshot stays usable.
        LOG.warning('Delete snapshot refused: %s', busy, resource=snapshot)
        # Only over the 'deleting' the API set: a phase finishing meanwhile
        # has written the status that counts.
        snapshot.conditional_update(
            {'status': status},
            {'status': fields.SnapshotStatus.DELETING})
        self.message_api.create(
            _owner_context(context, snapshot),
            action=message_field.Action.SNAPSHOT_DELETE,
            resource_type=message_field.Resource.VOLUME_SNAPSHOT,
            resource_uuid=snapshot.id, exception=busy,
            detail=message_field.Detail.SNAPSHOT_IS_BUSY)
        return True

    def _record_error(self, context, snapshot, text):
        try:
            phases.write(context, snapshot.id,
                         {phases.ERROR_KEY: text[:255] or 'unknown error'})
        except cinder_exception.SnapshotNotFound:
            pass

    def _message(self, context, snapshot, operation, error=None):
        self.message_api.create(
            _owner_context(context, snapshot), action=_ACTIONS[operation],
            resource_type=message_field.Resource.VOLUME_SNAPSHOT,
            resource_uuid=snapshot.id, exception=error,
            detail=_DETAILS[operation])

    def _apply(self, context, snapshot, updates):
        snapshot_updates, metadata = assisted_driver.checked_updates(updates)
        if snapshot_updates:
            snapshot.update(snapshot_updates)
            snapshot.save()
        if metadata:
            phases.write(context, snapshot.id, metadata)

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        try:
            self._check_assisted_snapshot_phases(
                cinder_context.get_admin_context(), at_start=True)
        except Exception:
            # Starting the service matters more; the periodic check still
            # times out every phase that waits for the compute service.
            LOG.exception('Could not resume assisted snapshot phases.')

    def _check_assisted_snapshot_phases(self, context, at_start=False):
        """Continue, time out or (at start-up) close interrupted phases."""
        if not self._assisted_driver():
            return
        for snapshot, metadata in self._snapshots_in_phases(context):
            phase = metadata[phases.PHASE_KEY]
            operation = phases.operation_of(phase)
            try:
                if phase in phases.WAITING_PHASES:
                    if phases.signal_for(
                            phase, metadata.get(phases.COMPUTE_STATUS_KEY)):
                        # The callback's cast was lost or came while the
                        # service was down; what Nova said is recorded.
                        self._continue_assisted_snapshot(context,
                                                         snapshot.id)
                    elif phases.overdue(metadata):
                        self._fail(context, snapshot, operation, [phase],
                                   reason=phases.REASON_TIMEOUT,
                                   metadata=metadata)
                elif at_start and metadata.get(phases.HOST_KEY) == self.host:
                    self._fail(context, snapshot, operation, [phase],
                               reason=phases.REASON_INTERRUPTED,
                               metadata=metadata)
            except Exception:
                # One broken snapshot must not stop the check of the others.
                LOG.exception('Checking assisted snapshot phase %s failed.',
                              phase, resource=snapshot)

    def _snapshots_in_phases(self, context):
        # Cinder's snapshot filters cannot combine host and status (the
        # status then applies to the joined volume): select by status,
        # then keep this backend's.
        backend = volume_utils.extract_host(self.service_topic_queue)
        for status in _STATUSES_WITH_PHASES:
            for snapshot in cinder_objects.SnapshotList.get_all(
                    context, {'status': status}):
                if volume_utils.extract_host(
                        snapshot.service_topic_queue) != backend:
                    continue
                try:
                    metadata = phases.read(context, snapshot.id)
                except cinder_exception.SnapshotNotFound:
                    continue
                if metadata.get(phases.PHASE_KEY) in phases.OPEN_PHASES:
                    yield snapshot, metadata


def _owner_context(context, snapshot):
    """An admin context in the snapshot's project.

    User messages go to the project of the context they are written with;
    periodic and start-up checks run in an admin context without one.
    """
    if context.project_id == snapshot.project_id:
        return context
    return cinder_context.RequestContext(
        user_id=snapshot.user_id, project_id=snapshot.project_id,
        is_admin=True, overwrite=False)
