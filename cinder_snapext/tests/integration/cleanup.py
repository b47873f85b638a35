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

"""The last step of an import/export scenario: leave nothing behind."""

from cinder_snapext.tests.integration import base


def manage_back(case, volume_id, ref):
    """Import an export still out, so that its volume can be deleted."""
    out = case.cinder('snapshot-manage', '--id-type', 'source-name',
                      '--name', case.name('cleanup'), volume_id, ref)
    snap = base.parse_properties(out)['id']
    case.made['snapshot'].append(snap)
    case.wait_for('managed snapshot', lambda: case.show(
        'snapshot', snap)['status'] != 'creating')
    return snap


def sweep_made(case):
    """Delete what this run made; assert that every object is gone."""
    made = {kind: list(ids) for kind, ids in case.made.items()}
    case.sweep(prefix='snapext-it-%s-' % case.run_id)
    for kind, ids in made.items():
        for obj_id in ids:
            case.assertIsNone(case.show(kind, obj_id))
