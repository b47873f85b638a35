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

"""Request body schemas of our API, built on Cinder's own where they exist."""

import copy

from cinder.api.schemas import snapshot_manage
from cinder.api.validation import parameter_types

from cinder_snapext.volume import snapshot_reference as \
    snapshot_reference_module

# The spec's manage body: Cinder's, plus the host serving the volume.
manage_snapshot = copy.deepcopy(snapshot_manage.create)
# Cinder's lists 'type': 'object' among the properties, so a body with a
# 'type' key made jsonschema read the string 'object' as a schema and
# fail with AttributeError (a 500). No body has such a key: drop it.
del manage_snapshot['properties']['type']
manage_snapshot['properties']['snapshot']['properties']['host'] = dict(
    parameter_types.hostname, type='string')

# The shape of a reference, shared with the volume service.
snapshot_reference = snapshot_reference_module.SCHEMA


def _action(name):
    """The body of an action that takes no arguments: {name: {} or null}."""
    return {
        'type': 'object',
        'properties': {
            name: {'type': ['object', 'null'], 'additionalProperties': False},
        },
        'required': [name],
        'additionalProperties': False,
    }


unmanage_snapshot = _action('os-unmanage')
verify_backup = _action('snapext-verify')

# Admin metadata keys and values: 1 to 255 characters, none of them a
# control character (the column is 255 wide; PostgreSQL refuses a NUL).
_admin_metadata_text = '^[^\\x00-\\x1f]{1,255}$'
_admin_metadata_value = {'type': 'string', 'minLength': 1, 'maxLength': 255,
                         'pattern': '^[^\\x00-\\x1f]*$'}
_admin_metadata_pairs = {
    'type': 'object',
    'minProperties': 1,
    # One request sets a handful of keys; a bound keeps one request from
    # writing thousands of rows.
    'maxProperties': 64,
    'patternProperties': {_admin_metadata_text: _admin_metadata_value},
    'additionalProperties': False,
}

# POST snapshots/{id}/snapext-admin-metadata: set these keys, keep others.
admin_metadata_set = {
    'type': 'object',
    'properties': {'admin_metadata': _admin_metadata_pairs},
    'required': ['admin_metadata'],
    'additionalProperties': False,
}

# PUT snapshots/{id}/snapext-admin-metadata/{key}: the key of the URL.
admin_metadata_meta = {
    'type': 'object',
    'properties': {'meta': dict(_admin_metadata_pairs, maxProperties=1)},
    'required': ['meta'],
    'additionalProperties': False,
}
