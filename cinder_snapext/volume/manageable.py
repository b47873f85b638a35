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

"""One entry of Cinder's manageable-snapshot listing, for any backend."""

import math

from oslo_utils import units

ALREADY_MANAGED = 'already managed'


def snapshot_entry(name, size, source_name, volume_id, cinder_id=None,
                   reason=None):
    """The listing's dict for backend snapshot ``name``.

    :param size: bytes, shown in GiB rounded up as Cinder does
    :param source_name: the backend's name of the volume it belongs to
    :param volume_id: that volume's Cinder id, None if Cinder has none
    :param cinder_id: the Cinder snapshot stored under ``name``, if any
    :param reason: why importing it is refused, None when it is safe
    """
    if cinder_id and reason is None:
        reason = ALREADY_MANAGED
    return {
        'reference': {'source-name': name},
        'size': int(math.ceil(float(size) / units.Gi)),
        'safe_to_manage': reason is None,
        'reason_not_safe': reason,
        'cinder_id': cinder_id,
        # The volume to name in 'cinder snapshot-manage <volume> <ref>'.
        'extra_info': {'volume_id': volume_id} if volume_id else None,
        'source_reference': {'source-name': source_name},
    }
