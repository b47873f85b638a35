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

"""The cinder-api servers a fuzz run compares, all on the stack's services.

``ours`` is the stack's own cinder-api (cinder-snapext loaded, no guard).
``stock`` and ``guarded`` are started here from the stack's cinder.conf on
free ports of 127.0.0.1, with the same database and RabbitMQ: ``stock``
without our extension and backup API (Cinder 29 as shipped), ``guarded``
with cinder-snapext and the request guard first in every pipeline. Both
are stopped by the pid of the session started here.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

OURS = ('osapi_volume_extension = '
        'cinder_snapext.api.extension.SnapextExtension')
GUARD = ('[filter:snapext_guard]\n'
         'paste.filter_factory = cinder_snapext.api.request_guard:factory\n')
_PIPELINES = ('noauth', 'noauth_include_project_id', 'keystone',
              'keystone_nolimit', 'pipeline')


def conf_lines(state):
    with open(os.path.join(state, 'cinder.conf')) as f:
        return f.read().splitlines()


def conf_value(lines, key):
    """The first value of ``key`` (the stack writes ``key = value``)."""
    found = [line.partition('=')[2].strip() for line in lines
             if line.partition('=')[0].strip() == key]
    return found[0] if found else None


def guarded_paste(source, folder):
    """A copy of the api-paste.ini ``source`` with the guard in front.

    The guard goes first in every pipeline; the copy is written into
    ``folder``, and its path returned.
    """
    with open(source) as f:
        out = []
        for line in f.read().splitlines():
            name, sep, value = line.partition('=')
            if sep and name.strip() in _PIPELINES:
                line = '%s= snapext_guard %s' % (name, value.strip())
            out.append(line)
    path = os.path.join(folder, 'api-paste.ini')
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n\n' + GUARD)
    return path


def max_version(port):
    """The highest microversion the API at ``port`` reports, as a minor."""
    try:
        urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=10)
    except urllib.error.HTTPError as e:
        versions = json.loads(e.read())['versions']
    return max(int(v['version'].split('.')[1]) for v in versions
               if v['id'] == 'v3.0')


class ApiServer:
    """One extra cinder-api of the stack, as a context manager."""

    def __init__(self, state, kind):
        self.state, self.kind = os.path.abspath(state), kind
        self.port = self.proc = None

    def __enter__(self):
        lines = conf_lines(self.state)
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            self.port = s.getsockname()[1]
        folder = os.path.join(self.state, 'fuzz')
        os.makedirs(folder, exist_ok=True)
        conf = os.path.join(folder, 'cinder-%s-api.conf' % self.kind)
        paste = self._paste(lines, folder)
        with open(conf, 'w') as f:
            for line in lines:
                if self.kind == 'stock' and (
                        line == OURS or line.startswith('backup_api_class')):
                    continue
                if line.startswith('osapi_volume_listen_port ='):
                    line = 'osapi_volume_listen_port = %d' % self.port
                if line.startswith('api_paste_config =') and paste:
                    line = 'api_paste_config = ' + paste
                f.write(line + '\n')
                if line == '[DEFAULT]':
                    f.write('log_file = %s\n' % self.log)
        self.proc = subprocess.Popen(  # noqa: S603 (the stack's cinder-api)
            [os.path.join(self.state, 'venv', 'bin', 'cinder-api'),
             '--config-file', conf], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()
        return self

    @property
    def log(self):
        return os.path.join(self.state, 'logs', 'fuzz-%s-cinder-api.log'
                            % self.kind)

    def _paste(self, lines, folder):
        if self.kind != 'guarded':
            return None
        return guarded_paste(conf_value(lines, 'api_paste_config'), folder)

    def _wait(self, deadline=120):
        end = time.monotonic() + deadline
        while True:
            try:
                max_version(self.port)
                return
            except (OSError, ValueError, KeyError):
                if self.proc.poll() is not None or time.monotonic() > end:
                    self.__exit__()
                    raise RuntimeError('%s cinder-api did not start: see %s'
                                       % (self.kind, self.log)) from None
                time.sleep(0.5)

    def __exit__(self, *exc):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
