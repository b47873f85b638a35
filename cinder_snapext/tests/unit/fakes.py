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

"""Builders of real rows for tests: volumes and snapshots in Cinder's DB."""

from cinder.tests.unit import utils as cinder_utils


def create_snapshot(context, status='available', **volume_kwargs):
    """A volume row and one snapshot row of it; returns the snapshot."""
    volume = cinder_utils.create_volume(context, **volume_kwargs)
    return cinder_utils.create_snapshot(context, volume.id, status=status)
