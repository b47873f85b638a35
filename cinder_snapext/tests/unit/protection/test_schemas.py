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

"""The schemas as the spec writes them, and parameters checked by them."""

import ddt
import testtools

from cinder_snapext.protection import exception
from cinder_snapext.protection import interface
from cinder_snapext.protection import plugin
from cinder_snapext.protection import schemas

# Copied by hand from the spec (volume-snapshot-protection-plugin.txt),
# independently of the module under test.
SPEC_OPTIONS_SCHEMA = {
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
            "description": ("If force is True, create a snapshot even if "
                            "the volume is attached to an instance."),
            "default": False
        }
    },
    "required": ["snapshot_name", "description", "force"]
}

SPEC_RESTORE_SCHEMA = {
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


class SchemasTestCase(testtools.TestCase):

    def test_options_schema_is_the_spec_one(self):
        self.assertEqual(SPEC_OPTIONS_SCHEMA, schemas.OPTIONS_SCHEMA)

    def test_restore_schema_is_the_spec_one(self):
        self.assertEqual(SPEC_RESTORE_SCHEMA, schemas.RESTORE_SCHEMA)

    def test_plugin_publishes_schemas_for_volumes_only(self):
        rt = interface.VOLUME_RESOURCE_TYPE
        cls = plugin.SnapextProtectionPlugin
        self.assertEqual([rt], cls.get_supported_resources_types())
        self.assertIs(schemas.OPTIONS_SCHEMA, cls.get_options_schema(rt))
        self.assertIs(schemas.RESTORE_SCHEMA, cls.get_restore_schema(rt))
        self.assertIs(schemas.VERIFY_SCHEMA, cls.get_verify_schema(rt))
        self.assertIs(schemas.SAVED_INFO_SCHEMA,
                      cls.get_saved_info_schema(rt))


@ddt.ddt
class ProtectParametersTestCase(testtools.TestCase):

    def test_protect_parameters_default_to_traceable_names(self):
        self.assertEqual(
            {'snapshot_name': 'snapshot-cp@vol',
             'description': 'Protection of volume vol, checkpoint cp',
             'force': False},
            schemas.protect_parameters({}, 'cp', 'vol'))

    def test_protect_parameters_treat_null_as_unset(self):
        self.assertEqual(
            'snapshot-cp@vol',
            schemas.protect_parameters({'snapshot_name': None}, 'cp',
                                       'vol')['snapshot_name'])

    def test_protect_parameters_keep_given_values(self):
        given = {'snapshot_name': 'n', 'description': 'd', 'force': True}
        self.assertEqual(given,
                         schemas.protect_parameters(dict(given), 'cp', 'v'))

    @ddt.unpack
    @ddt.data(({'force': 'yes'}, 'force'),
              ({'snapshot_name': 7}, 'snapshot_name'),
              ({'description': ['x']}, 'description'))
    def test_protect_parameters_of_wrong_type_fail_naming_field(
            self, parameters, field):
        error = self.assertRaises(exception.InvalidProtectionParameters,
                                  schemas.protect_parameters, parameters,
                                  'cp', 'vol')
        self.assertTrue(str(error).startswith(
            'Invalid protect parameter %s: ' % field), str(error))

    def test_restore_parameters_drop_nulls_and_check_types(self):
        self.assertEqual({'restore_name': 'r'}, schemas.restore_parameters(
            {'restore_name': 'r', 'restore_description': None}))
        self.assertEqual({}, schemas.restore_parameters(None))
        error = self.assertRaises(exception.InvalidProtectionParameters,
                                  schemas.restore_parameters,
                                  {'restore_name': 3})
        self.assertIn('restore parameter restore_name', str(error))
