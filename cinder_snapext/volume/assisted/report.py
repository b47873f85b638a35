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

"""Assisted-snapshot phases as operators read them, across all projects."""

import collections

from cinder import exception as cinder_exception
from cinder import objects as cinder_objects

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.volume.assisted import phases

_MetadataList = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


def list_phases(context, stuck=None):
    """Every live snapshot with a recorded phase, by deadline.

    ``stuck`` True keeps only the stuck ones, False only the others.
    The caller has checked the policy: the phases of every project are
    read with an elevated context.
    """
    admin = context.elevated()
    keys = _MetadataList.get_all_by_keys(admin, phases.RESERVED_KEYS)
    per_snapshot = collections.defaultdict(dict)
    for item in keys.objects:
        per_snapshot[item.snapshot_id][item.key] = item.value
    found = []
    for snapshot_id, metadata in per_snapshot.items():
        if phases.PHASE_KEY not in metadata:
            continue
        try:
            snapshot = cinder_objects.Snapshot.get_by_id(admin, snapshot_id)
        except cinder_exception.SnapshotNotFound:
            # Destroyed between the two reads.
            continue
        phase = describe(snapshot, metadata)
        if stuck is None or phase['stuck'] == stuck:
            found.append(phase)
    return sorted(found, key=lambda p: (p['deadline'] or '', p['snapshot_id']))


def show_phase(context, snapshot_id):
    """The phase of one snapshot; None if it never had one."""
    admin = context.elevated()
    snapshot = cinder_objects.Snapshot.get_by_id(admin, snapshot_id)
    metadata = phases.read(admin, snapshot_id)
    if phases.PHASE_KEY not in metadata:
        return None
    return describe(snapshot, metadata)


def describe(snapshot, metadata):
    """The operator's view of the phase that ``metadata`` records.

    A phase is *stuck* when it is open past its deadline: the volume
    service's periodic task fails such phases, so one still open means
    that task is not running for its backend (service down, or the
    backend's driver no longer loads).
    """
    phase = metadata[phases.PHASE_KEY]
    is_open = phase in phases.OPEN_PHASES
    return {
        'snapshot_id': snapshot.id,
        'volume_id': snapshot.volume_id,
        'project_id': snapshot.project_id,
        'status': snapshot.status,
        'operation': phases.operation_of(phase),
        'phase': phase,
        'open': is_open,
        'host': metadata.get(phases.HOST_KEY),
        'deadline': metadata.get(phases.DEADLINE_KEY),
        'stuck': is_open and phases.overdue(metadata),
        'error': metadata.get(phases.ERROR_KEY),
        'compute_snapshot_status': metadata.get(phases.COMPUTE_STATUS_KEY),
    }
