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

"""A Block Storage API with volumes and snapshots, run as its own process.

Usage: python fake_cinder_api.py LOG. Prints its port, then keeps volumes
and snapshots in memory (one volume, ``data``, exists; what is created is
available at once) and answers in Cinder's JSON shapes, faults included.
Each request is appended to LOG as a JSON line [method, path,
OpenStack-API-Version, X-Auth-Token].

A process, as fake_cinder_http is: a server thread in the test process
was never scheduled under Cinder's native-threads mode.
"""

import http.server
import json
import sys
import urllib.parse
import uuid

ITEMS = {'volumes': {}, 'snapshots': {}}
ITEM_KEYS = {'volumes': 'volume', 'snapshots': 'snapshot'}


def _stamp():
    return '2026-12-07T02:00:%02d.000000' % len(ITEMS['snapshots'])


class _Cinder(http.server.BaseHTTPRequestHandler):

    def _log(self):
        with open(sys.argv[1], 'a') as log:
            log.write(json.dumps([self.command, self.path,
                                  self.headers.get('OpenStack-API-Version'),
                                  self.headers.get('X-Auth-Token')]) + '\n')

    def _answer(self, status, body=None):
        data = json.dumps(body).encode() if body is not None else b''
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _fault(self, status, message):
        name = {400: 'badRequest', 404: 'itemNotFound'}[status]
        self._answer(status, {name: {'code': status, 'message': message}})

    def _route(self):
        url = urllib.parse.urlparse(self.path)
        # /v3/<project>/<kind>/...: the project is whatever the client
        # put there (the log shows it).
        parts = [p for p in url.path.split('/') if p][2:]
        query = dict(urllib.parse.parse_qsl(url.query))
        return parts, query

    def do_GET(self):
        self._log()
        if self.path == '/':
            return self._answer(300, {'versions': [{
                'id': 'v3.0', 'status': 'CURRENT', 'version': '3.71',
                'min_version': '3.0', 'links': []}]})
        parts, query = self._route()
        if parts == ['messages']:
            return self._answer(200, {'messages': []})
        if len(parts) != 2 or parts[0] not in ITEMS:
            return self._fault(404, 'No such route.')
        kind, ref = parts
        if ref == 'detail':
            found = [item for item in ITEMS[kind].values()
                     if all(item.get(key) == value
                            for key, value in query.items())]
            return self._answer(200, {kind: found})
        if ref not in ITEMS[kind]:
            return self._fault(404, '%s %s could not be found.' % (
                ITEM_KEYS[kind].capitalize(), ref))
        return self._answer(200, {ITEM_KEYS[kind]: ITEMS[kind][ref]})

    def do_POST(self):
        self._log()
        parts, _ = self._route()
        length = int(self.headers.get('Content-Length', 0))
        body = json.loads(self.rfile.read(length))
        if parts == ['snapshots']:
            fields = body['snapshot']
            volume = ITEMS['volumes'].get(fields['volume_id'])
            if volume is None:
                return self._fault(404, 'Volume could not be found.')
            if 'force' in fields and fields['force'] is not True:
                # As Cinder from 3.66 on.
                return self._fault(400, 'force must be true.')
            item = dict(fields, id=str(uuid.uuid4()), status='available',
                        size=volume['size'], created_at=_stamp(),
                        metadata=fields.get('metadata') or {})
            ITEMS['snapshots'][item['id']] = item
            return self._answer(202, {'snapshot': item})
        if parts == ['volumes']:
            fields = body['volume']
            item = dict(fields, id=str(uuid.uuid4()), status='available')
            ITEMS['volumes'][item['id']] = item
            return self._answer(202, {'volume': item})
        return self._fault(404, 'No such route.')

    def log_message(self, *args):
        """Quiet: the test reads what was asked from LOG."""


if __name__ == '__main__':
    ITEMS['volumes']['vol-1'] = {'id': 'vol-1', 'name': 'data', 'size': 1,
                                 'status': 'available'}
    server = http.server.HTTPServer(('127.0.0.1', 0), _Cinder)
    print(server.server_address[1], flush=True)
    server.serve_forever()
