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

"""os-brick's connector properties, not gathered for backups read in place."""

import contextlib
import functools
import threading

from cinder.volume import volume_utils

from cinder_snapext.internals import Private

# Public names, but what we rely on is how Cinder's continue_backup uses
# them: it gathers the properties for every backup (``nvme version``,
# iSCSI and other probes: 0.3 to 0.5 s on a busy host) and hands them only
# to _attach_device and _detach_device, which SnapextBackupManager answers
# itself for a snapshot read in place.
# tests/unit/backup/test_direct_read_connector.py checks that use.
USED = (
    Private('cinder.volume.volume_utils', 'brick_get_connector_properties',
            ('multipath', 'enforce_multipath')),
    Private('cinder.backup.manager:BackupManager', 'continue_backup',
            ('self', 'context', 'backup', 'backup_device')),
)

# Set while one backup of a snapshot read in place runs through Cinder's
# continue_backup; a green thread's own under eventlet (monkey-patched
# before cinder-backup imports us), a thread's own otherwise.
_STATE = threading.local()


def _unneeded(gather):
    @functools.wraps(gather, updated=())
    def properties(*args, **kwargs):
        if getattr(_STATE, 'in_place', False):
            # Nothing is attached: no connector asks for these.
            return {}
        return gather(*args, **kwargs)
    # A mark on the function: install() twice wraps once.
    properties.snapext_skips_in_place = True  # type: ignore[attr-defined]
    return properties


def install():
    """Let in_place() skip the gathering; every other caller is served."""
    current = volume_utils.brick_get_connector_properties
    if getattr(current, 'snapext_skips_in_place', None) is not True:
        volume_utils.brick_get_connector_properties = _unneeded(current)


@contextlib.contextmanager
def in_place():
    """Within: this thread's backup reads its snapshot in place."""
    _STATE.in_place = True
    try:
        yield
    finally:
        _STATE.in_place = False
