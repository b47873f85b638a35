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

"""Karbor's flow for one volume, run in-process by cinder-snapext-protect."""

from cinder_snapext.protection import client
from cinder_snapext.protection import records


def run_operation(getter, checkpoint, volume_id, parameters, **kwargs):
    """Run one plugin operation on one volume: its four hooks in order."""
    # One resource, no dependencies: Karbor's flow reduces to this.
    resource = records.volume_resource(volume_id)
    operation = getter(resource)
    for hook in ('on_prepare_begin', 'on_prepare_finish', 'on_main',
                 'on_complete'):
        getattr(operation, hook)(checkpoint, resource, None, parameters,
                                 **kwargs)


def delete_protection(protection, snapshot):
    """Delete a protection snapshot through the plugin's delete."""
    run_operation(protection.get_delete_operation,
                  records.Checkpoint.of_snapshot(snapshot),
                  snapshot.volume_id, {})


def snapshot_row(snapshot):
    """What the commands print of a protection snapshot."""
    return {'id': snapshot.id, 'volume_id': snapshot.volume_id,
            'name': snapshot.name, 'status': snapshot.status,
            'size': snapshot.size, 'created_at': snapshot.created_at,
            'checkpoint_id': (snapshot.metadata or {}).get(
                client.PROTECTION_TAG)}
