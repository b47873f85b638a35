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

"""The in-process API behind a standard WSGI server, for native threads.

oslo.service's ``wsgi.Server`` (what ``cinder.service.WSGIService`` runs)
refuses the threading backend: there Cinder's API is to be served by a
standard WSGI server. For the tests that is the standard library's, one
thread per request, as the API would get from uWSGI or mod_wsgi threads.
"""

import socketserver
import threading
from wsgiref import simple_server

from oslo_service import wsgi as oslo_wsgi

# Seconds the server's thread gets to finish at stop.
STOP_TIMEOUT = 10


class _Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    # A stopped test leaves no request thread behind to keep it alive.
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        # Cinder's own middleware logs each request already.
        pass


class ThreadedAPIServer:
    """Serves the paste app ``name`` on host, port (0: any free port).

    Has the part of ``cinder.service.WSGIService`` the functional base
    uses: ``host``, ``port`` once started, ``start`` and ``stop``.
    """

    def __init__(self, conf, name, host, port):
        self.app = oslo_wsgi.Loader(conf).load_app(name)
        self.host = host
        self.port = port
        self._server = None
        self._thread = None

    def start(self):
        self._server = simple_server.make_server(
            self.host, self.port, self.app, server_class=_Server,
            handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
            name='snapext-test-api', daemon=True)
        self._thread.start()

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(STOP_TIMEOUT)
        self._server = None
