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

"""The request guard: 400 for what crashes Cinder, the rest untouched."""

import json

import ddt
import testtools
import webob

from cinder_snapext.api import request_guard


def _app(environ, start_response):
    """Stands for Cinder's pipeline: echoes the body it received."""
    body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH')
                                          or 0))
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return [body]


@ddt.ddt
class RequestGuardTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.guard = request_guard.factory({})(_app)

    def _send(self, path='/v3/p/volumes', method='GET', body=None,
              headers=None, raw_path=None):
        request = webob.Request.blank(path, method=method,
                                      headers=headers or {})
        if raw_path is not None:
            request.environ['PATH_INFO'] = raw_path
        if body is not None:
            request.body = body if isinstance(body, bytes) else body.encode()
        return request.get_response(self.guard)

    def assertRefused(self, response, words):
        self.assertEqual(400, response.status_int)
        self.assertIn(words, response.json['badRequest']['message'])

    @ddt.data('volume 3.0 volume 3.70', 'volume', 'volume 3', 'volume x.y',
              'compute 2.1, volume 3.0 3.1', 'volume  ')
    def test_malformed_version_header_is_400(self, header):
        self.assertRefused(self._send(headers={
            'OpenStack-API-Version': header}), 'OpenStack-API-Version')

    @ddt.data('volume 3.70', 'volume latest', 'Volume 3.0',
              'compute 2.1, volume 3.8', 'compute 2.1')
    def test_well_formed_version_header_passes(self, header):
        self.assertEqual(200, self._send(headers={
            'OpenStack-API-Version': header}).status_int)

    def test_path_that_is_not_utf8_is_400(self):
        # PEP 3333: bytes 0xff 0xfe as latin-1 characters.
        self.assertRefused(self._send(raw_path='/v3/p/volumes/\xff\xfe'),
                           'not valid UTF-8')

    def test_path_with_nul_is_400(self):
        self.assertRefused(self._send(raw_path='/v3/p/volumes/a\x00b'),
                           'control character')

    def test_query_with_encoded_nul_is_400(self):
        self.assertRefused(self._send('/v3/p/volumes?name=a%00b'),
                           'control character')

    def test_deep_json_is_400(self):
        body = '[' * 2000 + ']' * 2000
        self.assertRefused(self._send(method='POST', body=body,
                                      headers={'Content-Type':
                                               'application/json'}),
                           'deeper than 32')

    def test_brackets_inside_strings_do_not_count(self):
        body = json.dumps({'backup': {'name': '[' * 100}})
        response = self._send(method='POST', body=body)
        self.assertEqual(200, response.status_int)
        self.assertEqual(body.encode(), response.body)

    @ddt.data('{"backup": {"name": "\\u0000"}}',
              '{"metadata": {"\\u0000": "v"}}', '["a", ["b\\u0000"]]')
    def test_nul_in_json_is_400(self, body):
        self.assertRefused(self._send(method='POST', body=body),
                           'NUL character')

    def test_body_not_utf8_is_400(self):
        self.assertRefused(self._send(method='POST', body=b'{"a": "\xff"}'),
                           'not valid UTF-8')

    @ddt.data('POST', 'PUT')
    def test_missing_body_is_400(self, method):
        self.assertRefused(self._send(method=method), 'needs a JSON body')

    @ddt.data('{"type": 1, "backup": {}}', '{"type": "object"}')
    def test_top_level_type_key_is_400(self, body):
        self.assertRefused(self._send(method='POST', body=body), '"type"')

    def test_nested_type_key_passes(self):
        body = '{"volume": {"size": 1, "type": "x"}}'
        self.assertEqual(200, self._send(method='POST',
                                         body=body).status_int)

    def test_malformed_json_is_left_to_cinder(self):
        self.assertEqual(200, self._send(method='POST',
                                         body='{not json').status_int)

    def test_ordinary_request_passes_with_its_body(self):
        body = json.dumps({'volume': {'size': 1, 'name': 'café'}})
        response = self._send(method='POST', body=body, headers={
            'OpenStack-API-Version': 'volume 3.70'})
        self.assertEqual((200, body.encode()),
                         (response.status_int, response.body))
