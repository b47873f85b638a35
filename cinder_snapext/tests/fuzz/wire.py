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

"""Requests as bytes on the wire to a cinder-api on 127.0.0.1.

http.client refuses paths that are not ASCII or hold control characters,
which are exactly what the fuzzer sends: one socket per request.
"""

import http.client
import socket
import time

# Cinder's routes take hexadecimal project ids (project_id_regex).
OWN_PROJECT = '5eed0000000000000000000000000001'
OTHER_PROJECT = '5eed0000000000000000000000000002'
# Which project the URL names, and which the token (noauth: user:project).
_PROJECTS = {'own': (OWN_PROJECT, OWN_PROJECT),
             'foreign': (OTHER_PROJECT, OTHER_PROJECT),
             'mismatch': (OWN_PROJECT, OTHER_PROJECT)}


def fill(data, ids):
    """``data`` with each ``@@name@@`` replaced by ``ids[name]``."""
    if not data or b'@@' not in data:
        return data
    for name, value in ids.items():
        data = data.replace(b'@@%s@@' % name.encode(), value.encode())
    return data


def send(port, case, ids, timeout=120):
    """Send ``case``; (status, body, the path and body as sent, seconds)."""
    url_project, token_project = _PROJECTS[case['project']]
    path = b'/v3/%s%s' % (url_project.encode(), fill(case['path'], ids))
    body = fill(case['body'], ids)
    headers = dict(case['headers'])
    headers['X-Auth-Token'] = ('admin:%s' % token_project).encode()
    headers.update({'Host': b'127.0.0.1:%d' % port, 'Connection': b'close',
                    'Content-Length': b'%d' % len(body or b'')})
    request = b'%s %s HTTP/1.1\r\n' % (case['method'].encode(), path)
    request += b''.join(b'%s: %s\r\n' % (k.encode(), v)
                        for k, v in headers.items())
    start = time.monotonic()
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=timeout) as conn:
        conn.sendall(request + b'\r\n' + (body or b''))
        response = http.client.HTTPResponse(conn)
        try:
            response.begin()
            answer = response.read()
        except (http.client.HTTPException, ConnectionError) as e:
            # A server that drops the connection answered nothing: count
            # it with the server errors (0 is no HTTP status).
            return 0, repr(e).encode(), path, body, time.monotonic() - start
    return response.status, answer, path, body, time.monotonic() - start
