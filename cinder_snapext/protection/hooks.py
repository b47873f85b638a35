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

"""Pre and post commands around a protection, each with a deadline."""

import dataclasses
import os
import select
import signal
import subprocess
import time

# What a hook's result keeps of its output (stdout and stderr merged): the
# tail, where a failing command says why. More goes unread into the void.
OUTPUT_LIMIT = 4096
# After the deadline: SIGTERM to the hook's process group, then SIGKILL if
# anything of it is still there this many seconds later.
KILL_GRACE = 5.0
_CHUNK = 65536


@dataclasses.dataclass
class HookResult:
    """How a hook ended: exit status (None if killed), output, time."""

    name: str
    command: str
    exit_status: int | None
    timed_out: bool
    output: str
    output_truncated: bool
    seconds: float

    @property
    def ok(self):
        return self.exit_status == 0 and not self.timed_out

    def summary(self):
        """One line: ``exited 0 after 0.2s``, or killed at the deadline."""
        if self.timed_out:
            return 'killed at its deadline after %.1fs' % self.seconds
        return 'exited %s after %.1fs' % (self.exit_status, self.seconds)

    def as_dict(self):
        return dict(dataclasses.asdict(self), summary=self.summary())


def before(args, env, skipped):
    """Run ``--pre``; returns ({'pre': result}, error or None).

    The error (a failed hook under ``--on-hook-failure abort``) ends in
    ``skipped``, saying what the run then leaves out.
    """
    ran = {}
    if args.pre:
        ran['pre'] = run('pre', args.pre, args.hook_timeout,
                         dict(env, SNAPEXT_HOOK='pre'))
        if not ran['pre'].ok and args.on_hook_failure == 'abort':
            return ran, 'pre hook %s; %s' % (ran['pre'].summary(), skipped)
    return ran, None


def after(args, env, ran, error):
    """Run ``--post`` into ``ran``; returns the run's error.

    That is ``error``, or, when there was none, a failed post hook's
    under ``--on-hook-failure abort``.
    """
    if not args.post:
        return error
    ran['post'] = run('post', args.post, args.hook_timeout,
                      dict(env, SNAPEXT_HOOK='post'))
    if not ran['post'].ok and args.on_hook_failure == 'abort' and (
            error is None):
        return 'post hook %s; nothing expired' % ran['post'].summary()
    return error


def run(name, command, timeout, env=None, clock=time.monotonic,
        output_limit=OUTPUT_LIMIT, kill_grace=KILL_GRACE):
    """Run ``command`` with ``sh -c`` until it exits or ``timeout`` passes.

    The command gets a session (so a process group) of its own: at the
    deadline the whole group is killed, not only the shell, so a ``sleep``
    or a ``mysqldump`` it started does not outlive it. ``env`` is added to
    our own environment.
    """
    start = clock()
    deadline = start + timeout
    # Running the operator's own command line is the point of a hook.
    process = subprocess.Popen(  # noqa: S603
        ['/bin/sh', '-c', command], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=dict(os.environ, **(env or {})), start_new_session=True)
    tail, truncated = bytearray(), False
    timed_out = False
    pipe = process.stdout
    assert pipe is not None  # stdout=PIPE above  # noqa: S101
    fd = pipe.fileno()
    try:
        while True:
            remaining = deadline - clock()
            if remaining <= 0:
                timed_out = process.poll() is None
                break
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if not ready:
                if process.poll() is not None:
                    # The shell is gone but something it left in the
                    # background holds the pipe: do not wait for it.
                    break
                continue
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            tail += chunk
            if len(tail) > output_limit:
                del tail[:len(tail) - output_limit]
                truncated = True
        if timed_out:
            _kill_group(process, kill_grace)
        exit_status = None if timed_out else _wait(process, deadline, clock)
    finally:
        pipe.close()
    if exit_status is None and not timed_out:
        timed_out = True
        _kill_group(process, kill_grace)
    return HookResult(name=name, command=command, exit_status=exit_status,
                      timed_out=timed_out,
                      output=tail.decode('utf-8', 'replace'),
                      output_truncated=truncated,
                      seconds=round(clock() - start, 3))


def _wait(process, deadline, clock):
    """The exit status, if the shell exits before the deadline; else None."""
    try:
        return process.wait(timeout=max(0.0, deadline - clock()))
    except subprocess.TimeoutExpired:
        return None


def _kill_group(process, grace):
    """SIGTERM the hook's group; SIGKILL what is left after ``grace``."""
    _signal_group(process.pid, signal.SIGTERM)
    end = time.monotonic() + grace
    # poll() reaps the shell: a zombie would still count as alive.
    while process.poll() is None or _signal_group(process.pid, 0):
        if time.monotonic() >= end:
            _signal_group(process.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait()


def _signal_group(pgid, sig):
    """Whether the group still had a member to send ``sig`` to."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True
