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

"""Client for the routes cinder-snapext adds to the block-storage API."""

from oslo_serialization import jsonutils as json
from tempest.lib.common import rest_client
from tempest.lib.services.volume import base_client


class SnapextClient(base_client.BaseClient):
    """Export (``os-snapshot-manage/{id}/action``) and admin metadata."""

    def export_snapshot(self, snapshot_id):
        """Unmanage through the export route; the answer names the ref."""
        body = json.dumps({'os-unmanage': {}})
        resp, body = self.post('os-snapshot-manage/%s/action' % snapshot_id,
                               body)
        self.expected_success(202, resp.status)
        return rest_client.ResponseBody(resp, json.loads(body))

    def show_snapshot_admin_metadata(self, snapshot_id):
        resp, body = self.get(
            'snapshots/%s/snapext-admin-metadata' % snapshot_id)
        self.expected_success(200, resp.status)
        return rest_client.ResponseBody(resp, json.loads(body))
