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

"""A Block Storage endpoint stand-in, run as a process of its own.

Usage: python fake_cinder_http.py LOG [mute]. Prints its port, then answers
the version document and an empty snapshot list; each GET is appended to
LOG as a JSON line [path, X-Auth-Token]. With "mute" it listens and never
answers: the kernel completes every connection, nothing reads it.

A process, not a thread of the test: with Cinder's native-threads mode in
the test process, a server thread there was never scheduled and the
command under test waited forever.
"""

import http.server
import json
import socket
import sys
import time


class _Cinder(http.server.BaseHTTPRequestHandler):

    def do_GET(self):
        with open(sys.argv[1], 'a') as log:
            log.write(json.dumps([self.path,
                                  self.headers.get('X-Auth-Token')]) + '\n')
        if self.path == '/':
            body = {'versions': [{'id': 'v3.0', 'status': 'CURRENT',
                                  'version': '3.71', 'min_version': '3.0',
                                  'links': []}]}
        elif '/snapshots/detail' in self.path:
            body = {'snapshots': []}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        """Quiet: the test reads what was asked from LOG."""


def _mute():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    print(listener.getsockname()[1], flush=True)
    time.sleep(3600)


if __name__ == '__main__' and sys.argv[2:] == ['mute']:
    _mute()
elif __name__ == '__main__':
    server = http.server.HTTPServer(('127.0.0.1', 0), _Cinder)
    print(server.server_address[1], flush=True)
    server.serve_forever()
