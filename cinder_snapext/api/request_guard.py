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

"""An opt-in WSGI filter: a clear 400 for requests Cinder 29 answers 500.

Generated input found requests that crash Cinder's own code before any of
ours runs (doc/source/admin/request-guard.rst lists each, with the exact
request). A deployer puts this filter first in Cinder's API pipeline:

.. code-block:: ini

   [filter:snapext_guard]
   paste.filter_factory = cinder_snapext.api.request_guard:factory

and ``snapext_guard`` before ``request_id`` in each pipeline that serves
``/v3``. It answers only what Cinder cannot; everything else passes
through untouched.
"""

import io
import json
import re
import urllib.parse

import webob

# Python's JSON decoder recurses per level and gives up near 1,000; no
# request body of Cinder's nests deeper than a few levels.
MAX_JSON_DEPTH = 32
# Bodies larger than this are left to oslo's sizelimit filter, later in
# the pipeline, which refuses anything over 112 KiB by default.
MAX_CHECKED_BODY = 1024 * 1024

_VERSION_HEADER = 'HTTP_OPENSTACK_API_VERSION'
_VERSION = re.compile(r'^(latest|\d+\.\d+)$')
_CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f]')


def factory(global_config, **local_config):
    """paste.filter_factory entry point."""
    return RequestGuard


class RequestGuard:
    """Answers 400 for the requests that crash Cinder 29's API."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        problem = check(environ)
        if problem is None:
            return self.app(environ, start_response)
        # Cinder's own shape of a 400, so clients show the message.
        body = json.dumps({'badRequest': {'code': 400, 'message': problem}})
        response = webob.Response(body=body.encode(), status=400,
                                  content_type='application/json',
                                  charset=None)
        return response(environ, start_response)


def check(environ):
    """Why Cinder could not answer this request, or None.

    May replace ``wsgi.input`` with a copy of the body it read.
    """
    for check_part in (_check_path, version_header_problem, _check_body):
        problem = check_part(environ)
        if problem:
            return problem
    return None


def _check_path(environ):
    # PEP 3333 hands the path as bytes decoded as latin-1.
    for key in ('PATH_INFO', 'QUERY_STRING'):
        raw = environ.get(key, '')
        try:
            text = raw.encode('latin-1')
            if key == 'QUERY_STRING':
                text = urllib.parse.unquote_to_bytes(text)
            text = text.decode('utf-8')
        except UnicodeError:
            return 'The URL is not valid UTF-8.'
        if _CONTROL.search(text):
            return 'The URL contains a control character.'
    return None


def version_header_problem(environ):
    """Why the OpenStack-API-Version header is malformed, or None."""
    header = environ.get(_VERSION_HEADER)
    if header is None:
        return None
    for part in header.split(','):
        if 'volume' in part:
            words = part.split()
            if (len(words) != 2 or words[0].lower() != 'volume' or
                    not _VERSION.match(words[1])):
                return ('Malformed OpenStack-API-Version header %r: use '
                        '"volume <major>.<minor>" or "volume latest".'
                        % header[:100])
            return None
    return None


def _check_body(environ):
    method = environ.get('REQUEST_METHOD')
    if method not in ('POST', 'PUT'):
        return None
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        return 'Content-Length is not a number.'
    if length <= 0:
        if environ.get('HTTP_TRANSFER_ENCODING', '').lower() == 'chunked':
            return None
        return 'This request needs a JSON body.'
    if length > MAX_CHECKED_BODY:
        return None
    body = environ['wsgi.input'].read(length)
    environ['wsgi.input'] = io.BytesIO(body)
    try:
        text = body.decode('utf-8')
    except UnicodeError:
        return 'The request body is not valid UTF-8.'
    if _depth(text) > MAX_JSON_DEPTH:
        return ('The request body nests deeper than %d levels.'
                % MAX_JSON_DEPTH)
    try:
        document = json.loads(text)
    except ValueError:
        # Cinder answers malformed JSON itself, with a 400.
        return None
    if _has_nul(document):
        return 'The request body contains a NUL character.'
    if isinstance(document, dict) and 'type' in document:
        # Cinder's schemas list 'type': 'object' among their properties:
        # jsonschema then reads 'object' as the schema of such a key and
        # fails. No request of Cinder's has this key at the top.
        return ('The request body has a top-level key "type", which no '
                'request of this API takes.')
    return None


def _depth(text):
    """How deep arrays and objects nest in JSON ``text``, strings skipped."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == '\\':
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in '[{':
            depth += 1
            deepest = max(deepest, depth)
        elif char in ']}':
            depth -= 1
    return deepest


def _has_nul(value):
    if isinstance(value, str):
        return '\x00' in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
