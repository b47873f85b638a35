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

"""The request guard in Cinder's real API pipeline, first in line.

Each request here answers 500 from Cinder 29 without the guard (see
doc/source/admin/request-guard.rst); with it, a 400 that says why.
"""

import http.client
import json
import os
import socket
import urllib.parse

import fixtures

from cinder_snapext.tests.functional import base
from cinder_snapext.tests.fuzz import apis
from cinder_snapext.tests.unit import base as unit_base

def guarded_paste_config(folder):
    """Cinder's api-paste.ini with the guard first in every pipeline."""
    return apis.guarded_paste(
        os.path.join(unit_base.CINDER_ETC, 'api-paste.ini'), folder)


class RequestGuardPipelineTestCase(base.FunctionalTestCase):

    _osapi_version = '3.70'

    def paste_config(self):
        return guarded_paste_config(self.useFixture(fixtures.TempDir()).path)

    def _raw(self, method, path, body=None, headers=None):
        """A request as bytes on the wire, as a fuzzer sends it.

        http.client refuses to send a path that is not ASCII: a socket.
        """
        url = urllib.parse.urlsplit(self.auth_url)
        all_headers = {'X-Auth-Token': 'admin:admin',
                       'Content-Type': 'application/json',
                       'Host': url.netloc, 'Connection': 'close',
                       'Content-Length': str(len(body or b''))}
        all_headers.update(headers or {})
        request = b'%s %s%s HTTP/1.1\r\n' % (method.encode(),
                                              url.path.encode(), path)
        request += b''.join(b'%s: %s\r\n' % (k.encode(), v.encode())
                            for k, v in all_headers.items())
        with socket.create_connection((url.hostname, url.port),
                                      timeout=30) as conn:
            conn.sendall(request + b'\r\n' + (body or b''))
            response = http.client.HTTPResponse(conn)
            response.begin()
            return response.status, response.read()

    def _refused(self, *args, **kwargs):
        status, body = self._raw(*args, **kwargs)
        self.assertEqual(400, status, body)
        return json.loads(body)['badRequest']['message']

    def test_malformed_version_headers_are_400(self):
        for header in ('volume 3.0 volume 3.70', 'volume'):
            self.assertIn('OpenStack-API-Version', self._refused(
                'GET', b'/volumes', headers={
                    'OpenStack-API-Version': header}))

    def test_deep_json_is_400(self):
        self.assertIn('deeper', self._refused(
            'POST', b'/volumes', body=b'[' * 5000 + b']' * 5000))

    def test_path_not_utf8_is_400(self):
        self.assertIn('UTF-8', self._refused('GET', b'/volumes/\xff\xfe'))

    def test_backup_without_body_is_400(self):
        self.assertIn('JSON body', self._refused('POST', b'/backups'))

    def test_ordinary_requests_pass(self):
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(volume['id']),
                      lambda v: v['status'] == 'available')
        status, body = self._raw('GET', b'/volumes/' + volume['id'].encode(),
                                 headers={'OpenStack-API-Version':
                                          'volume 3.70'})
        self.assertEqual(200, status, body)
        self.assertEqual(volume['id'], json.loads(body)['volume']['id'])
