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

"""The routes cinder-snapext adds or changes, as the fuzzer addresses them.

Each route names its method, its path with the id slots in it, and the
schema its body is generated from: ours where the route is ours, Cinder's
where we only extend Cinder's handler.
"""

from cinder.api.schemas import backups as backup_schemas
from cinder.api.schemas import snapshots as snapshot_schemas
from cinder.api.schemas import volume_actions

from cinder_snapext.api import schemas

# Resources the runner creates once and keeps in these statuses; the
# corpus names them as '@@kind:status@@' and the runner fills in ids.
TARGETS = {
    'volume': ('available', 'error', 'maintenance', 'in-use'),
    'snapshot': ('available', 'error', 'creating', 'deleting',
                 'error_deleting'),
    'backup': ('available', 'error'),
}

_update_snapshot_status = {
    'type': 'object',
    'properties': {'os-update_snapshot_status': {
        'type': 'object',
        'properties': {
            'status': {'enum': ['creating', 'available', 'error',
                                'deleting', 'error_deleting', 'x']},
            'progress': {'format': 'progress'},
            'compute_snapshot_status': {'enum': [
                'creating_compute_complete', 'creating_compute_error',
                'delete_compute_complete', 'delete_compute_error', 'x']},
        },
        'required': ['status'],
    }},
    'required': ['os-update_snapshot_status'],
}
_force_delete = {'type': 'object', 'properties': {
    'os-force_delete': {'type': ['object', 'null'], 'properties': {}}},
    'required': ['os-force_delete']}
_migrate = {'type': 'object', 'properties': {
    'os-migrate_volume': {'type': 'object', 'properties': {
        'host': {'type': 'string', 'pattern': '^[a-z@#]*$',
                 'maxLength': 20},
        'force_host_copy': {'type': 'boolean'}},
        'required': ['host']}},
    'required': ['os-migrate_volume']}
_group_delete = {'type': 'object', 'properties': {
    'delete': {'type': 'object', 'properties': {
        'delete-volumes': {'type': 'boolean'}}}},
    'required': ['delete']}


def _route(name, method, path, schema=None, query=(), min_version=0):
    return {'name': name, 'method': method, 'path': path, 'schema': schema,
            'query': query, 'min_version': min_version}


_LISTING_QUERY = ('host', 'cluster', 'limit', 'marker', 'offset', 'sort',
                  'sort_key', 'sort_dir')
_ADMIN_METADATA = '/snapshots/{snapshot}/snapext-admin-metadata'

# Microversion 3.8 and later for the v3 manageable_snapshots routes.
ROUTES = (
    _route('manage', 'POST', '/os-snapshot-manage',
           schemas.manage_snapshot),
    _route('manage-v3', 'POST', '/manageable_snapshots',
           schemas.manage_snapshot, min_version=8),
    _route('unmanage', 'POST', '/snapshots/{snapshot}/action',
           schemas.unmanage_snapshot),
    _route('export', 'POST', '/os-snapshot-manage/{snapshot}/action',
           schemas.unmanage_snapshot),
    _route('update-status', 'POST', '/snapshots/{snapshot}/action',
           _update_snapshot_status),
    _route('admin-metadata', 'GET', _ADMIN_METADATA),
    _route('admin-metadata-key', 'GET', _ADMIN_METADATA + '/{key}'),
    _route('volume-delete', 'DELETE', '/volumes/{volume}',
           query=('cascade', 'force')),
    _route('volume-force-delete', 'POST', '/volumes/{volume}/action',
           _force_delete),
    _route('volume-migrate', 'POST', '/volumes/{volume}/action', _migrate),
    _route('volume-retype', 'POST', '/volumes/{volume}/action',
           volume_actions.retype),
    _route('backup-create', 'POST', '/backups',
           backup_schemas.create_backup_v351),
    _route('snapshot-create', 'POST', '/snapshots', snapshot_schemas.create),
    _route('snapshot-delete', 'DELETE', '/snapshots/{snapshot}'),
    _route('group-delete', 'POST', '/groups/{group}/action', _group_delete),
    _route('manageable-list', 'GET', '/os-snapshot-manage',
           query=_LISTING_QUERY),
    _route('manageable-detail', 'GET', '/os-snapshot-manage/detail',
           query=_LISTING_QUERY),
    _route('manageable-list-v3', 'GET', '/manageable_snapshots',
           query=_LISTING_QUERY, min_version=8),
    _route('manageable-detail-v3', 'GET', '/manageable_snapshots/detail',
           query=_LISTING_QUERY, min_version=8),
)

# Body fields that hold the id of a resource of this kind.
ID_FIELDS = {'volume_id': 'volume', 'snapshot_id': 'snapshot'}
