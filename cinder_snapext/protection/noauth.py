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

"""keystoneauth for a Cinder API running with ``auth_strategy = noauth``."""

from keystoneauth1 import plugin
from keystoneauth1 import session as ks_session


class SnapextNoAuthPlugin(plugin.BaseAuthPlugin):
    """Sends ``user:project`` as the token, which Cinder's noauth trusts.

    ``endpoint`` is the versioned URL without project
    (``http://host:8776/v3``); the project is appended to it, as Cinder's
    legacy URLs have it.
    """

    def __init__(self, endpoint, project_id, user_id='admin'):
        super().__init__()
        self._endpoint = endpoint.rstrip('/')
        self._project_id = project_id or user_id
        self._user_id = user_id
        self.auth_token = '%s:%s' % (user_id, self._project_id)

    def get_headers(self, session, **kwargs):
        # Cinder's NoAuthMiddleware reads the token; the ids are for
        # services behind it that read them.
        return {'X-Auth-Token': self.auth_token,
                'X-User-Id': self._user_id,
                'X-Project-Id': self._project_id}

    def get_endpoint(self, session, **kwargs):
        return '%s/%s' % (self._endpoint, self._project_id)

    def get_user_id(self, session, **kwargs):
        return self._user_id

    def get_project_id(self, session, **kwargs):
        return self._project_id


def plugin_for(endpoint, project_id, user_id='admin'):
    """The auth plugin for a noauth Cinder at ``endpoint`` (/v3 URL)."""
    return SnapextNoAuthPlugin(endpoint, project_id, user_id)


def session_for(endpoint, project_id, user_id='admin', verify=True):
    """A keystoneauth session for a noauth Cinder at ``endpoint``."""
    return ks_session.Session(
        auth=plugin_for(endpoint, project_id, user_id), verify=verify)
