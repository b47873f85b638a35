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

"""What the compute service's status callback means for an open phase."""

from cinder_snapext.volume.assisted import phases


def record_report(context, snapshot_id, status, progress, compute_status):
    """Record what the compute service said of a snapshot.

    ``compute_status`` is the spec's ``compute_snapshot_status`` (already
    checked with phases.check_compute_status), or None for Nova's legacy
    body, read from ``status`` and ``progress``.

    :returns: the volume service (host@backend) waiting for it, to wake;
        None when no phase waits, or the phase predates the host key (the
        volume service's periodic check continues it).
    """
    explicit = compute_status is not None
    if not explicit:
        compute_status = phases.legacy_compute_status(status, progress)
        if compute_status is None:
            return None
    admin = context.elevated()
    metadata = phases.read(admin, snapshot_id)
    if metadata.get(phases.PHASE_KEY) not in phases.OPEN_PHASES:
        if explicit:
            phases.write(admin, snapshot_id,
                         {phases.COMPUTE_STATUS_KEY: compute_status})
        # A legacy body for a snapshot no phase drives (another driver
        # polls for it, or an operator fixes a status) stays exactly what
        # it was in Cinder.
        return None
    phases.write(admin, snapshot_id,
                 {phases.COMPUTE_STATUS_KEY: compute_status})
    return metadata.get(phases.HOST_KEY)
