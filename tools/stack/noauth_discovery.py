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

"""Paste filter of the stack: a tokenless request to noauth Cinder gets 401.

keystoneauth (under openstacksdk and the openstack CLI) discovers the
microversions of ``/v3/`` without a token and sends one only after a
401, which is what keystonemiddleware answers. Cinder's noauth
middleware answers a tokenless request with 204 and no body instead, so
discovery fails and neither client can reach a noauth Cinder. This
filter, placed before ``noauth`` in the stack's own api-paste.ini, gives
the 401; every request with a token goes through unchanged, and so does
noauth's own handshake (``X-Auth-User``, which answers with a token: the
client of Cinder's functional tests starts with it).
"""


class TokenRequired:
    """WSGI middleware: 401 to a request that brings no credentials."""

    def __init__(self, app):
        self.app = app

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls

    def __call__(self, environ, start_response):
        if 'HTTP_X_AUTH_TOKEN' in environ or 'HTTP_X_AUTH_USER' in environ:
            return self.app(environ, start_response)
        body = b'{"error": {"code": 401, "message": "token required"}}'
        start_response('401 Unauthorized', [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(body))),
            ('WWW-Authenticate', 'Token')])
        return [body]
