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

"""Phases of an assisted snapshot, kept in the snapshot's admin metadata."""

import datetime

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects
from cinder.objects import fields
from cinder.volume import volume_utils
from oslo_config import cfg
from oslo_utils import timeutils

from cinder_snapext import exception
from cinder_snapext.objects import snapshot_admin_metadata

CONF = cfg.CONF

_Metadata = snapshot_admin_metadata.SnapextSnapshotAdminMetadata
_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList

# Cinder's snapshot status enum is closed: the status stays 'creating' or
# 'deleting' while the compute service works, and the phase lives in these
# admin metadata keys. Every transition of PHASE_KEY is a compare-and-swap,
# so of a callback, its duplicate and the timeout task only one ever acts.
#
# The phase, below.
PHASE_KEY = 'snapext:phase'
# When the phase times out, ISO 8601 UTC.
DEADLINE_KEY = 'snapext:phase_deadline'
# The volume service (host@backend) that opened the phase.
HOST_KEY = 'snapext:phase_host'
# Why the phase failed, for operators.
ERROR_KEY = 'snapext:phase_error'
# The last of COMPUTE_STATUSES that the compute service reported.
COMPUTE_STATUS_KEY = 'snapext:compute_snapshot_status'
RESERVED_KEYS = frozenset([PHASE_KEY, DEADLINE_KEY, HOST_KEY, ERROR_KEY,
                           COMPUTE_STATUS_KEY])

CREATE = 'create'
DELETE = 'delete'

# *_beginning and *_completing while the volume service runs the driver,
# *_waiting_compute while Nova works; create_done, create_failed or
# delete_failed once closed (a completed delete destroys the snapshot
# together with its admin metadata).
CREATE_BEGINNING = 'create_beginning'
CREATE_WAITING = 'create_waiting_compute'
CREATE_COMPLETING = 'create_completing'
CREATE_DONE = 'create_done'
CREATE_FAILED = 'create_failed'
DELETE_BEGINNING = 'delete_beginning'
DELETE_WAITING = 'delete_waiting_compute'
DELETE_COMPLETING = 'delete_completing'
DELETE_FAILED = 'delete_failed'

BEGINNING = {CREATE: CREATE_BEGINNING, DELETE: DELETE_BEGINNING}
WAITING = {CREATE: CREATE_WAITING, DELETE: DELETE_WAITING}
COMPLETING = {CREATE: CREATE_COMPLETING, DELETE: DELETE_COMPLETING}
FAILED = {CREATE: CREATE_FAILED, DELETE: DELETE_FAILED}
# The volume service is running the driver: only its own restart can
# tell that such a phase was cut short.
RUNNING_PHASES = frozenset(list(BEGINNING.values()) +
                           list(COMPLETING.values()))
WAITING_PHASES = frozenset(WAITING.values())
OPEN_PHASES = RUNNING_PHASES | WAITING_PHASES
CLOSED_PHASES = frozenset([CREATE_DONE, CREATE_FAILED, DELETE_FAILED])

# The snapshot status a failed phase leaves, and the one it leaves from.
FAILED_STATUS = {CREATE: fields.SnapshotStatus.ERROR,
                 DELETE: fields.SnapshotStatus.ERROR_DELETING}
WORKING_STATUS = {CREATE: fields.SnapshotStatus.CREATING,
                  DELETE: fields.SnapshotStatus.DELETING}

# Why a phase failed; drivers receive it in *_assisted_abort.
REASON_COMPUTE_ERROR = 'compute_error'
REASON_TIMEOUT = 'timeout'
REASON_INTERRUPTED = 'interrupted'

# What the compute service may report in compute_snapshot_status. The
# first and third are the values of Nova's volume-snapshot-improvements
# spec; each value goes with the one snapshot status Cinder's handler must
# be asked for in the same request.
CREATING_COMPUTE_COMPLETE = 'creating_compute_complete'
CREATING_COMPUTE_ERROR = 'creating_compute_error'
DELETE_COMPUTE_COMPLETE = 'delete_compute_complete'
DELETE_COMPUTE_ERROR = 'delete_compute_error'
COMPUTE_STATUSES = {
    CREATING_COMPUTE_COMPLETE: (CREATE, True, fields.SnapshotStatus.CREATING),
    CREATING_COMPUTE_ERROR: (CREATE, False, fields.SnapshotStatus.ERROR),
    DELETE_COMPUTE_COMPLETE: (DELETE, True, fields.SnapshotStatus.DELETING),
    DELETE_COMPUTE_ERROR: (DELETE, False,
                           fields.SnapshotStatus.ERROR_DELETING),
}
ALLOWED_COMPUTE_STATUSES = ', '.join(sorted(COMPUTE_STATUSES))

# Nova sends only {status, progress: '90%'}: 90% marks its part as done.
LEGACY_DONE_PROGRESS = '90%'


def check_compute_status(value, status):
    """Refuse a compute_snapshot_status outside the documented set.

    :raises InvalidComputeSnapshotStatus: unknown value, or a value that
        contradicts the snapshot ``status`` sent with it.
    """
    if not isinstance(value, str) or value not in COMPUTE_STATUSES:
        raise exception.InvalidComputeSnapshotStatus(
            value=value, reason='unknown value',
            allowed=ALLOWED_COMPUTE_STATUSES)
    expected = COMPUTE_STATUSES[value][2]
    if status != expected:
        raise exception.InvalidComputeSnapshotStatus(
            value=value, allowed=ALLOWED_COMPUTE_STATUSES,
            reason='it goes with status %s, not %s' % (expected, status))


def legacy_compute_status(status, progress):
    """The compute status that Nova's legacy body means, or None.

    Nova reports the end of its create part as ``creating`` + 90%, of its
    delete part as ``deleting`` + 90%, and failures as ``error`` or
    ``error_deleting`` (with any progress).
    """
    if status == fields.SnapshotStatus.ERROR:
        return CREATING_COMPUTE_ERROR
    if status == fields.SnapshotStatus.ERROR_DELETING:
        return DELETE_COMPUTE_ERROR
    if progress == LEGACY_DONE_PROGRESS:
        if status == fields.SnapshotStatus.CREATING:
            return CREATING_COMPUTE_COMPLETE
        if status == fields.SnapshotStatus.DELETING:
            return DELETE_COMPUTE_COMPLETE
    return None


def signal_for(phase, compute_status):
    """What ``compute_status`` means in ``phase``.

    :returns: ``(operation, succeeded)``, or None when it means nothing
        now: no phase waits for the compute service, or the report
        belongs to another operation (a stale or late callback).
    """
    meaning = COMPUTE_STATUSES.get(compute_status)
    if meaning is None or phase != WAITING[meaning[0]]:
        return None
    return meaning[:2]


def operation_of(phase):
    """CREATE or DELETE for an open phase."""
    return CREATE if phase.startswith(CREATE) else DELETE


def status_after_refused_delete(snapshot_id, busy_snapshot_id, busy_phase):
    """The status a snapshot goes back to when its delete is refused.

    A force delete in the snapshot's own phase leaves it in that phase
    until Nova answers or the phase times out; while its create completes,
    Cinder's own code sets it available (perhaps already has), so it must
    not go back to creating.
    """
    if snapshot_id == busy_snapshot_id and busy_phase != CREATE_COMPLETING:
        return WORKING_STATUS[operation_of(busy_phase)]
    return fields.SnapshotStatus.AVAILABLE


def timeout(operation):
    if operation == CREATE:
        return CONF.snapext.assisted_snapshot_create_timeout
    return CONF.snapext.assisted_snapshot_delete_timeout


def deadline(operation):
    """The deadline of a phase of ``operation`` that starts now."""
    at = timeutils.utcnow() + datetime.timedelta(seconds=timeout(operation))
    return at.strftime('%Y-%m-%dT%H:%M:%SZ')


def overdue(metadata):
    """Whether the phase recorded in ``metadata`` is past its deadline."""
    try:
        at = timeutils.normalize_time(
            timeutils.parse_isotime(metadata[DEADLINE_KEY]))
    except (KeyError, ValueError):
        # A phase without a readable deadline must not wait forever.
        return True
    # normalize_time: 'now' may be aware (Cinder's own comparisons are).
    return timeutils.normalize_time(timeutils.utcnow()) >= at


def read(context, snapshot_id):
    """The snapshot's admin metadata as a dict (SnapshotNotFound if gone)."""
    return _MetadataList.get_by_snapshot(context, snapshot_id).to_dict()


def write(context, snapshot_id, metadata):
    _MetadataList.set_for_snapshot(context, snapshot_id, metadata)


def forget(context, snapshot_id, *keys):
    """Drop ``keys`` from the snapshot's admin metadata, where present."""
    for key in keys:
        try:
            _MetadataList.delete_for_snapshot(context, snapshot_id, key)
        except exception.SnapshotAdminMetadataNotFound:
            pass


def move(context, snapshot_id, from_phases, to_phase):
    """Compare-and-swap the phase; True if this caller made the move."""
    return _MetadataList.compare_and_swap(context, snapshot_id, PHASE_KEY,
                                          from_phases, to_phase)


def find_open_phase(context, volume_id):
    """``(snapshot_id, phase)`` of a phase holding the volume, or None.

    A phase holds its volume while open and while its snapshot is still
    ``creating`` or ``deleting``: once Cinder has made the snapshot
    available, or an error status tells that Nova is done, the phase only
    has bookkeeping left and the volume takes new work.
    """
    working = set(WORKING_STATUS.values())
    for snapshot in cinder_objects.SnapshotList.get_all_for_volume(
            context, volume_id):
        if snapshot.status not in working:
            continue
        try:
            phase = _Metadata.get_by_key(context, snapshot.id,
                                         PHASE_KEY).value
        except exception.SnapshotAdminMetadataNotFound:
            continue
        if phase in OPEN_PHASES:
            return snapshot.id, phase
    return None


def open_phase(context, snapshot, operation, host):
    """Record the beginning of ``operation`` on the snapshot.

    The caller holds the volume's guard lock and has checked with
    find_open_phase that nothing holds the volume; the phase is still
    swapped only from the value just read, so a concurrent change (or a
    lock that is a no-op, as in tests) makes this refuse, not overwrite.
    """
    phase = BEGINNING[operation]
    try:
        current = _Metadata.get_by_key(context, snapshot.id, PHASE_KEY)
    except exception.SnapshotAdminMetadataNotFound:
        write(context, snapshot.id, {PHASE_KEY: phase})
    else:
        if not current.conditional_update({'value': phase},
                                          {'value': current.value}):
            raise exception.AssistedSnapshotInProgress(
                volume_id=snapshot.volume_id, snapshot_id=snapshot.id,
                phase=current.value)
    # What a previous phase of this snapshot left must not count now.
    forget(context, snapshot.id, COMPUTE_STATUS_KEY, ERROR_KEY)
    write(context, snapshot.id, {HOST_KEY: host,
                                 DEADLINE_KEY: deadline(operation)})


# Open phases live on snapshots in these statuses: Cinder's handler sets
# the error ones before the volume service hears of Nova's failure.
_STATUSES_WITH_PHASES = (fields.SnapshotStatus.CREATING,
                         fields.SnapshotStatus.DELETING,
                         fields.SnapshotStatus.ERROR,
                         fields.SnapshotStatus.ERROR_DELETING)


def snapshots_in_open_phases(context, backend):
    """(snapshot, admin metadata) of each open phase on backend (None: any)."""
    # Cinder's snapshot filters cannot combine host and status (the
    # status then applies to the joined volume): select by status, then
    # keep the backend's.
    for status in _STATUSES_WITH_PHASES:
        for snapshot in cinder_objects.SnapshotList.get_all(
                context, {'status': status}):
            if backend is not None and volume_utils.extract_host(
                    snapshot.service_topic_queue) != backend:
                continue
            try:
                metadata = read(context, snapshot.id)
            except cinder_exception.SnapshotNotFound:
                continue
            if metadata.get(PHASE_KEY) in OPEN_PHASES:
                yield snapshot, metadata
