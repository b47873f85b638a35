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


"""Faults in the stack's servers: kill -9, freeze, restart; each bounded.

A server of tools/stack.sh is a session of its own (``setsid``), its
leader's pid recorded in ``<state>/run/NAME.pid``: a fault signals every
process of the server (the leader, its descendants, their sessions), as a
crash or a hung host would reach them all, and the stack tool brings back
what is missing, as an operator would.
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import time

from cinder_snapext.tests.integration import stack

#: A killed server's processes are gone within this.
GONE_DEADLINE = 30
#: 'tools/stack.sh up' or 'start' brings a server back within this.
RESTART_DEADLINE = 420


class FaultError(Exception):
    """A fault could not be injected or undone within its deadline."""


def _stat(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return fields[0], int(fields[1]), int(fields[3])  # state, ppid, sid


def members(leader):
    """Every live process of a server (zombies have ended).

    The leader, its descendants and every process of their sessions, as
    tools/stack.sh's records see it: RabbitMQ's start script makes a
    session of its own under the leader, so the leader's session alone
    missed the broker, which outlived its 'kill -9'.
    """
    table = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                table[int(entry)] = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found = {leader} if leader in table else set()
    sessions = {leader}
    changed = True
    while changed:
        changed = False
        for pid, (_, ppid, sid) in table.items():
            if pid not in found and (ppid in found or sid in sessions):
                found.add(pid)
                sessions.add(sid)
                changed = True
    return sorted(p for p in found if table[p][0] != 'Z')


def alive(pids):
    """Those of pids that still run (a zombie has ended)."""
    left = []
    for pid in pids:
        try:
            if _stat(pid)[0] != 'Z':
                left.append(pid)
        except (OSError, IndexError, ValueError):
            continue
    return left


@contextlib.contextmanager
def _holding_redis_lock(url, name):
    """Hold Cinder's lock ``name`` in the DLM (tooz's Redis driver).

    tooz keeps a lock as the key ``_tooz_<name>_lock`` set with NX and an
    expiry; holding it is setting it first. The expiry bounds the hold if
    the test itself dies.
    """
    import redis  # the stack's venv has it with CLUSTER=1 (part-cluster)
    client = redis.Redis.from_url(url)
    key = '_tooz_cinder-%s_lock' % name
    if not client.set(key, b'snapext-fault', nx=True, px=RESTART_DEADLINE
                      * 1000):
        raise FaultError('lock %s is held already' % key)
    try:
        yield
    finally:
        client.delete(key)
        client.close()


class Servers:
    """The servers of one stack, by their records."""

    def __init__(self, state_dir, env):
        self.dir = state_dir
        self.env = env
        self.logs = os.path.join(state_dir, 'logs')
        #: (fault, seconds) of every fault and its repair, for the report.
        self.timings = []

    def leader(self, name):
        with open(os.path.join(self.dir, 'run', '%s.pid' % name)) as f:
            pid = int(f.read().split()[0])
        if not members(pid):
            raise FaultError('%s (pid %d) does not run' % (name, pid))
        return pid

    def signal(self, name, sig):
        pids = members(self.leader(name))
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        return pids

    def kill9(self, name):
        """SIGKILL every process of the server; wait until they are gone."""
        pids = self.signal(name, signal.SIGKILL)
        end = time.monotonic() + GONE_DEADLINE
        while alive(pids):
            if time.monotonic() > end:
                raise FaultError('%s outlived SIGKILL by %ss'
                                 % (name, GONE_DEADLINE))
            time.sleep(0.2)

    def freeze(self, name):
        """SIGSTOP: the server holds its sockets and answers nothing."""
        self.signal(name, signal.SIGSTOP)

    def thaw(self, name):
        self.signal(name, signal.SIGCONT)

    def stack_tool(self, *args):
        """Run tools/stack.sh for this stack; return the seconds it took."""
        env = dict(self.env, SNAPEXT_STACK_DIR=self.dir)
        port = int(env['CINDER_ENDPOINT'].rsplit(':', 1)[1].split('/')[0])
        env['SNAPEXT_STACK_SLOT'] = str((port - 8776) // 10)
        start = time.monotonic()
        proc = subprocess.run(
            [os.path.join(stack.REPO, 'tools', 'stack.sh')] + list(args),
            env=env, capture_output=True, text=True,
            timeout=RESTART_DEADLINE, check=False)
        if proc.returncode != 0:
            raise FaultError('stack.sh %s failed (%d): %s' % (
                ' '.join(args), proc.returncode, proc.stdout[-2000:]
                + proc.stderr[-2000:]))
        return time.monotonic() - start

    @contextlib.contextmanager
    def holding_lock(self, name):
        """Hold one of Cinder's coordination locks, as a busy service would.

        The stack's tooz backend is a folder of lock files taken with
        fcntl, or Redis with CLUSTER=1; a service that wants the lock
        meanwhile waits for it, after it has taken its RPC message: the
        moment a crash loses the work.
        """
        url = None
        with open(os.path.join(self.dir, 'cinder.conf')) as f:
            for line in f:
                if line.startswith('backend_url = '):
                    url = line.split('=', 1)[1].strip()
        if (url or '').startswith('redis://'):
            with _holding_redis_lock(url, name):
                yield
            return
        if not (url or '').startswith('file://'):
            raise FaultError('coordination is %s, not a folder of lock '
                             'files nor Redis' % url)
        path = os.path.join(url[len('file://'):], 'cinder-' + name)
        with open(path, 'a') as lock_file:
            fcntl.lockf(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                yield
            finally:
                fcntl.lockf(lock_file, fcntl.LOCK_UN)

    def log_offset(self, service):
        return os.path.getsize(os.path.join(self.logs, '%s.log' % service))

    def wait_log(self, service, text, offset, deadline):
        """Wait until the service logs text after offset; False if not."""
        path = os.path.join(self.logs, '%s.log' % service)
        end = time.monotonic() + deadline
        while True:  # one look at least: deadline 0 asks "logged yet?"
            with open(path, 'rb') as f:
                f.seek(offset)
                if text.encode() in f.read():
                    return True
            if time.monotonic() >= end:
                return False
            time.sleep(0.05)
