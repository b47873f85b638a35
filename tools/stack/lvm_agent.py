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

"""Run a command in the LVM node through its qemu guest agent.

The guest (tools/stack/lib/part-lvm.sh) has no network the host can
reach: qemu-ga on a virtio-serial port, a unix socket on the host, is the
only way in. Its guest-exec runs a program; guest-exec-status returns its
exit code and output once it has ended.

  lvm_agent.py SOCKET ping
  lvm_agent.py SOCKET [--timeout S] exec COMMAND   (bash -c COMMAND)

exec prints the command's stdout and stderr and exits with its status
(124 when it outlives the deadline, 125 when the agent does not answer).
"""

import argparse
import base64
import json
import secrets
import socket
import sys
import time


class Agent:
    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(deadline)
        self.sock.connect(path)
        self.buf = b''
        self._sync()

    def _line(self):
        while b'\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError('the agent closed the connection')
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line

    def _sync(self):
        # A reply left over from an earlier client that gave up would
        # answer the wrong question: sync on a fresh id, skip the rest.
        token = secrets.randbelow(2 ** 31) + 1
        self.sock.sendall(b'\xff' + json.dumps(
            {'execute': 'guest-sync-delimited',
             'arguments': {'id': token}}).encode())
        while True:
            line = self._line().lstrip(b'\xff')
            try:
                if json.loads(line).get('return') == token:
                    return
            except ValueError:
                continue

    def call(self, command, **arguments):
        self.sock.sendall(json.dumps(
            {'execute': command, 'arguments': arguments}).encode())
        reply = json.loads(self._line())
        if 'error' in reply:
            raise OSError('%s: %s' % (command, reply['error']))
        return reply['return']


def run(agent, command, timeout):
    pid = agent.call('guest-exec', path='/bin/bash', arg=['-c', command],
                     **{'capture-output': True})['pid']
    end = time.monotonic() + timeout
    while True:
        status = agent.call('guest-exec-status', pid=pid)
        if status['exited']:
            break
        if time.monotonic() > end:
            sys.stderr.write('lvm_agent: %r still runs after %ss\n'
                             % (command, timeout))
            return 124
        time.sleep(0.2)
    for key, stream in (('out-data', sys.stdout), ('err-data', sys.stderr)):
        if key in status:
            stream.buffer.write(base64.b64decode(status[key]))
            stream.flush()
    return status.get('exitcode', 128 + status.get('signal', 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('socket')
    parser.add_argument('--timeout', type=float, default=120)
    sub = parser.add_subparsers(dest='cmd', required=True)
    sub.add_parser('ping')
    ex = sub.add_parser('exec')
    ex.add_argument('command')
    args = parser.parse_args()
    try:
        # An emulated guest on a loaded host answers slowly: the whole
        # deadline applies to every exchange.
        agent = Agent(args.socket, args.timeout)
        if args.cmd == 'ping':
            agent.call('guest-ping')
            return 0
        return run(agent, args.command, args.timeout)
    except (OSError, ValueError) as e:
        sys.stderr.write('lvm_agent: %s\n' % e)
        return 125


if __name__ == '__main__':
    sys.exit(main())
