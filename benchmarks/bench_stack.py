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

"""The stack of tools/stack.sh for a benchmark: its place, Python, mode."""

import os
import subprocess
import sys
import threading

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))


def state_dir():
    """The state directory, chosen as tools/stack.sh chooses it."""
    if os.environ.get('SNAPEXT_STACK_DIR'):
        return os.path.abspath(os.environ['SNAPEXT_STACK_DIR'])
    slot = os.environ.get('SNAPEXT_STACK_SLOT', '0')
    return os.path.join(REPO, '.stack' if slot == '0' else '.stack-' + slot)


def in_stack_venv():
    """Run again under the stack venv's Python unless this is it.

    That venv has SQLAlchemy with the stack's database driver.
    """
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        python = os.path.join(state_dir(), 'venv', 'bin', 'python')
        os.execv(python, [python] + sys.argv)  # noqa: S606


# The two ways Cinder runs its services (tools/stack.sh THREADING=0|1).
MODES = {'eventlet': '0', 'threading': '1'}


def parse_modes(text):
    """'eventlet,threading' -> a list of known modes, in that order."""
    modes = [m.strip() for m in text.split(',') if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError('--modes: use eventlet and/or threading, not %s'
                         % (', '.join(unknown) or 'nothing'))
    return modes


def stack_mode(state):
    """The mode the stack in state was last brought up in."""
    try:
        with open(os.path.join(state, 'threading')) as f:
            flag = f.read().strip()
    except OSError:
        flag = '0'
    return 'threading' if flag == '1' else 'eventlet'


def stack_env(state, mode=None, **extra):
    """Environment for tools/stack.sh on the stack in state."""
    env = dict(os.environ, SNAPEXT_STACK_DIR=os.path.abspath(state), **extra)
    name = os.path.basename(os.path.abspath(state))
    if name.startswith('.stack-') and name[len('.stack-'):].isdigit():
        env['SNAPEXT_STACK_SLOT'] = name[len('.stack-'):]
    if mode:
        env['THREADING'] = MODES[mode]
    return env


def switch_mode(state, mode, **extra):
    """tools/stack.sh up in mode: restarts Cinder when the mode changes."""
    print('stack in %s mode (THREADING=%s)' % (mode, MODES[mode]),
          flush=True)
    subprocess.run(  # noqa: S603 (this repository's own tool)
        [os.path.join(REPO, 'tools', 'stack.sh'), 'up'],
        env=stack_env(state, mode, **extra), check=True)


def service_env(mode):
    """What a Cinder service started by a benchmark needs in mode."""
    env = dict(os.environ)
    if mode == 'threading':
        env['OS_CINDER_DISABLE_EVENTLET_PATCHING'] = 'true'
    else:
        env.pop('OS_CINDER_DISABLE_EVENTLET_PATCHING', None)
    return env


def recorded_pid(state, name):
    """The pid tools/stack.sh recorded for service name (cinder-volume)."""
    with open(os.path.join(state, 'run', name + '.pid')) as f:
        return int(f.read().split()[0])


def process_tree(pid):
    """pid and every process below it."""
    parents = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(parents.get(p, ()))
    return found


def os_threads(pid):
    """Native threads of one process (/proc/PID/status), 0 once gone."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('Threads:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class ThreadPeak:
    """Samples the native threads of a process tree until stopped."""

    def __init__(self, pid, every=0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(
                os_threads(p) for p in process_tree(self.pid)))
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)
