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

"""SnapextExtension: the descriptor named in osapi_volume_extension."""

from cinder.api import extensions

from cinder_snapext.api import admin_metadata
from cinder_snapext.api import assisted_phases
from cinder_snapext.api import backup_verify
from cinder_snapext.api import snapshot_guard
from cinder_snapext.api import snapshot_manage
from cinder_snapext.api import snapshot_status
from cinder_snapext.api import version_header
from cinder_snapext.api import volume_delete
from cinder_snapext import objects
from cinder_snapext import opts  # noqa: F401 (registers [snapext])
from cinder_snapext import policies

objects.register_all()


class SnapextExtension(extensions.ExtensionDescriptor):
    """Snapshot capabilities of cinder-snapext."""

    # Cinder skips, with only a warning, a descriptor without a docstring.

    name = 'SnapshotExtensions'
    alias = 'os-snapext'
    updated = '2026-11-22T00:00:00+00:00'

    def __init__(self, ext_mgr):
        super().__init__(ext_mgr)
        policies.register()

    def get_resources(self):
        return [
            extensions.ResourceExtension(
                'snapext-admin-metadata',
                admin_metadata.SnapshotAdminMetadataController(),
                parent={'member_name': 'snapshot',
                        'collection_name': 'snapshots'},
                custom_routes_fn=version_header.take_over),
            extensions.ResourceExtension(
                'snapext-assisted-phases',
                assisted_phases.AssistedPhasesController(),
                custom_routes_fn=version_header.take_over),
            # Cinder owns the os-snapshot-manage collection; we only add
            # the spec's member action route to it.
            extensions.ResourceExtension(
                'os-snapext-snapshot-export',
                snapshot_manage.SnapshotExportController(),
                custom_routes_fn=_connect_export_route),
        ]

    def get_controller_extensions(self):
        return [
            extensions.ControllerExtension(
                self, 'os-snapshot-manage',
                snapshot_manage.SnapshotManageController()),
            extensions.ControllerExtension(
                self, 'manageable_snapshots',
                snapshot_manage.ManageableSnapshotsController()),
            extensions.ControllerExtension(
                self, 'volumes',
                volume_delete.VolumeDeleteGuardController()),
            extensions.ControllerExtension(
                self, 'groups',
                volume_delete.GroupDeleteGuardController()),
            extensions.ControllerExtension(
                self, 'consistencygroups',
                volume_delete.ConsistencyGroupDeleteGuardController()),
            extensions.ControllerExtension(
                self, 'snapshots',
                snapshot_status.SnapshotStatusController()),
            extensions.ControllerExtension(
                self, 'snapshots',
                snapshot_guard.AssistedSnapshotGuardController()),
            extensions.ControllerExtension(
                self, 'backups', backup_verify.BackupVerifyController()),
        ]


def _connect_export_route(mapper, wsgi_resource):
    version_header.take_over(mapper, wsgi_resource)
    for prefix in ('/{project_id}', ''):
        mapper.connect('snapext_snapshot_export' + prefix,
                       prefix + '/os-snapshot-manage/{id}/action',
                       controller=wsgi_resource, action='action',
                       conditions={'method': ['POST']})
