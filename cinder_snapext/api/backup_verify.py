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

"""The backup action ``snapext-verify``, for operators."""

from http import HTTPStatus

from cinder.api.openstack import wsgi
from cinder.api import validation
from cinder import objects as cinder_objects

from cinder_snapext.api import ids
from cinder_snapext.api import schemas
from cinder_snapext.backup import verify_request
from cinder_snapext import policies


class BackupVerifyController(wsgi.Controller):
    """``POST /backups/{id}/action {"snapext-verify": {}}``.

    Accepted (202) once the backup service holding the backup has the
    request; the result lands in the backup's metadata
    (``snapext_verify``, ``snapext_verified_at``,
    ``snapext_verify_detail``), and a mismatch puts the backup in error
    with a user message, as ``cinder-snapext-manage backup verify`` does.
    """

    @wsgi.response(HTTPStatus.ACCEPTED)
    @wsgi.action('snapext-verify')
    @validation.schema(schemas.verify_backup)
    def verify(self, req, id, body):
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level
        backup = cinder_objects.Backup.get_by_id(context, ids.backup_id(id))
        policies.authorize(context, policies.BACKUP_VERIFY,
                           target_obj=backup)
        verify_request.request(context, backup)
