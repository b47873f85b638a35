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

"""How an assisted snapshot phase ends when it does not complete."""

from cinder import exception as cinder_exception
from cinder.objects import fields
from oslo_log import log as logging

from cinder_snapext.volume.assisted import driver as assisted_driver
from cinder_snapext.volume.assisted import messages
from cinder_snapext.volume.assisted import phases

LOG = logging.getLogger(__name__)


def fail(manager, context, snapshot, operation, from_phases, error=None,
         reason=None, metadata=None, move=phases.move):
    """Close the phase as failed, tell the driver and the user.

    :param reason: for the driver's ``*_assisted_abort``; None when the
        driver itself raised (it knows).
    :param move: the phase's compare-and-swap, as ``phases.move``.
    """
    if not move(context, snapshot.id, from_phases, phases.FAILED[operation]):
        return
    text = str(error) if error is not None else {
        phases.REASON_COMPUTE_ERROR: 'the compute service reported an '
                                     'error',
        phases.REASON_TIMEOUT: 'the compute service did not answer '
                               'within %s seconds'
                               % phases.timeout(operation),
        phases.REASON_INTERRUPTED: 'the volume service stopped in the '
                                   'middle of the phase',
    }[reason]
    LOG.error('Assisted snapshot %(op)s failed: %(why)s.',
              {'op': operation, 'why': text}, resource=snapshot)
    record_error(context, snapshot, text)
    if reason is not None:
        _abort(manager, context, snapshot, operation, metadata, reason)
    snapshot.conditional_update(
        {'status': phases.FAILED_STATUS[operation]},
        {'status': phases.WORKING_STATUS[operation]})
    messages.phase_failed(manager.message_api, context, snapshot, operation,
                          error)


def _abort(manager, context, snapshot, operation, metadata, reason):
    abort = getattr(manager.driver,
                    '%s_snapshot_assisted_abort' % operation, None)
    if abort is None:
        return
    try:
        if metadata is None:
            metadata = phases.read(context, snapshot.id)
        assisted_driver.apply_updates(
            context, snapshot, abort(context, snapshot, metadata, reason))
    except Exception:
        # The snapshot fails anyway; a tidy-up that fails must not
        # keep it from reaching its error status.
        LOG.exception('Driver could not tidy up after a failed '
                      'assisted snapshot %s.', operation,
                      resource=snapshot)


def refuse_delete(manager, context, snapshot, busy, status):
    """Put back ``status``, as Cinder does for SnapshotIsBusy; True."""
    LOG.warning('Delete snapshot refused: %s', busy, resource=snapshot)
    # Only over the 'deleting' the API set: a phase finishing meanwhile
    # has written the status that counts.
    snapshot.conditional_update(
        {'status': status},
        {'status': fields.SnapshotStatus.DELETING})
    messages.delete_refused(manager.message_api, context, snapshot, busy)
    return True


def record_error(context, snapshot, text):
    """Why the phase failed, for operators, in the admin metadata."""
    try:
        phases.write(context, snapshot.id,
                     {phases.ERROR_KEY: text[:255] or 'unknown error'})
    except cinder_exception.SnapshotNotFound:
        pass
