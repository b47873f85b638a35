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

"""Option, restore, verify and saved-info schemas, and parameter checks."""

from typing import Any

import jsonschema

from cinder_snapext.protection import exception

# OPTIONS_SCHEMA and RESTORE_SCHEMA are written exactly as the spec
# (volume-snapshot-protection-plugin) writes them; Karbor publishes them
# in GET /providers and its API checks plan keys against them.
OPTIONS_SCHEMA: dict[str, Any] = {
    "title": "Volume Snapshot Protection Options",
    "type": "object",
    "properties": {
        "snapshot_name": {
            "type": "string",
            "title": "Snapshot Name",
            "description": "The name of the volume snapshot."
        },
        "description": {
            "type": "string",
            "title": "Description",
            "description": "The description of the volume snapshot."
        },
        "force": {
            "type": "boolean",
            "title": "Force",
            "description": "If force is True, create a snapshot even if the "
                           "volume is attached to an instance.",
            "default": False
        }
    },
    "required": ["snapshot_name", "description", "force"]
}

RESTORE_SCHEMA = {
    "title": "Volume Protection Restore",
    "type": "object",
    "properties": {
        "restore_name": {
            "type": "string",
            "title": "Restore Name",
            "description": "The name of the restored volume.",
            "default": None
        },
        "restore_description": {
            "type": "string",
            "title": "Restore Description",
            "description": "The description of the restored volume.",
            "default": None
        }
    }
}

VERIFY_SCHEMA = {
    "title": "Volume Snapshot Verify",
    "type": "object",
    "properties": {}
}

# What protect records in the checkpoint's bank section under "metadata",
# and what get_saved_info returns.
SAVED_INFO_SCHEMA = {
    "title": "Volume Snapshot Saved Info",
    "type": "object",
    "properties": {
        "volume_id": {"type": "string",
                      "description": "The protected volume."},
        "snapshot_id": {"type": "string",
                        "description": "The snapshot holding its data."},
        "size": {"type": "integer",
                 "description": "Size in GiB a restored volume needs."}
    },
    "required": ["volume_id", "snapshot_id", "size"]
}


def protect_parameters(parameters, checkpoint_id, volume_id):
    """The protect options with defaults filled in, checked by the schema.

    Karbor merges plan parameters per resource type and per resource and
    checks only their keys, so any of them may be missing here; the
    defaults make a snapshot an operator can trace back to its checkpoint.
    """
    options = _without_nulls(parameters)
    options.setdefault('snapshot_name',
                       'snapshot-%s@%s' % (checkpoint_id, volume_id))
    options.setdefault('description',
                       'Protection of volume %s, checkpoint %s' % (
                           volume_id, checkpoint_id))
    options.setdefault('force',
                       OPTIONS_SCHEMA['properties']['force']['default'])
    _validate(options, OPTIONS_SCHEMA, 'protect')
    return options


def restore_parameters(parameters):
    """The restore parameters that are set, checked by the schema."""
    options = _without_nulls(parameters)
    _validate(options, RESTORE_SCHEMA, 'restore')
    return options


def _without_nulls(parameters):
    # The schemas' own defaults are None: an unset value, never a name.
    return {key: value for key, value in (parameters or {}).items()
            if value is not None}


def _validate(options, schema, operation):
    try:
        jsonschema.validate(options, schema)
    except jsonschema.ValidationError as e:
        field = '.'.join(str(part) for part in e.absolute_path) or 'options'
        raise exception.InvalidProtectionParameters(
            operation=operation, field=field, reason=e.message) from e
