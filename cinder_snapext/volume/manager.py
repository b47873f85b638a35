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

"""SnapextVolumeManager: Cinder's volume manager plus our mixins."""

from cinder.volume import manager
from oslo_config import cfg
from oslo_service import periodic_task

from cinder_snapext import mode_record
from cinder_snapext import objects
from cinder_snapext import opts  # noqa: F401 (registers [snapext])
from cinder_snapext.volume import endpoint
from cinder_snapext.volume.mixins import admin_metadata
from cinder_snapext.volume.mixins import assisted_snapshot
from cinder_snapext.volume.mixins import snapshot_exports

CONF = cfg.CONF

objects.register_all()


class SnapextVolumeManager(assisted_snapshot.AssistedSnapshotMixin,
                           snapshot_exports.SnapshotExportMixin,
                           admin_metadata.SnapshotAdminMetadataLifecycleMixin,
                           manager.VolumeManager):
    """Set as ``[DEFAULT] volume_manager``; composition only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.additional_endpoints.append(endpoint.SnapextVolumeEndpoint(self))

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        mode_record.record(CONF.state_path, 'cinder-volume')

    # oslo.service collects periodic tasks from the body of the class it
    # builds, never from mixins: declare here, delegate to the mixin.
    @periodic_task.periodic_task(
        spacing=CONF.snapext.assisted_snapshot_check_interval)
    def _check_assisted_snapshots(self, context):
        self.assisted.check(context)

    @periodic_task.periodic_task
    def _release_interrupted_unmanages(self, context):
        self.release_interrupted_unmanages(context)
