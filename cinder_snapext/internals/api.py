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

"""Private names of Cinder's API layer (validation, snapshot actions)."""

from cinder.api.validation import validators

from cinder_snapext.internals import Private

USED = (
    Private('cinder.api.validation.validators', '_SchemaValidator',
            ('schema', 'relax_additional_properties')),
    Private('cinder.api.contrib.snapshot_actions:SnapshotActionsController',
            '_update_snapshot_status', ('self', 'req', 'id', 'body')),
)


def validate(schema, body):
    """Cinder's own jsonschema validation, outside its decorator.

    A pre-processing extension must stay a generator, which Cinder's
    ``@validation.schema`` wrapper would hide.
    """
    validators._SchemaValidator(schema).validate(body)


def update_snapshot_status(controller, req, snapshot_id, body):
    """Cinder's ``os-update_snapshot_status`` handler, run in our place."""
    return controller._update_snapshot_status(req, id=snapshot_id,
                                              body=body)
