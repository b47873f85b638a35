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

"""The stack's command-line clients, run as an operator runs them.

Every command runs with a deadline; the cinder CLI's tables are read back
into dicts.
"""

import subprocess

CLI_TIMEOUT = 120


class CommandFailed(AssertionError):
    """A command exited non-zero (or ran out of time)."""

    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err
        super().__init__('%s exited %s%s\nstdout: %s\nstderr: %s' % (
            ' '.join(argv), rc, ' (timed out)' if rc == 124 else '',
            out.strip(), err.strip()))


def run(argv, env=None, timeout=CLI_TIMEOUT, check=True):
    """Run a command with a deadline; returns (rc, stdout, stderr).

    The deadline is coreutils' ``timeout``, not subprocess's: the test
    process runs under eventlet (Cinder's test package patches it), whose
    subprocess timeout exception is not the standard library's.
    """
    full = ['timeout', '-k', '5', str(timeout)] + list(argv)
    proc = subprocess.run(full, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode, proc.stdout, proc.stderr)
    return proc.returncode, proc.stdout, proc.stderr


def parse_table(text):
    """Rows of the first prettytable in the cinder CLI's output."""
    rows, header = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith('|'):
            continue
        cells = [c.strip() for c in line.strip('|').split('|')]
        if header is None:
            header = cells
            continue
        if rows and not cells[0] and len(header) == 2:
            # A property table continues a long value on the next line.
            rows[-1][header[1]] += '\n' + cells[1]
            continue
        rows.append(dict(zip(header, cells)))
    return rows


def parse_properties(text):
    """A ``| Property | Value |`` table as a dict."""
    return {r['Property']: r['Value'] for r in parse_table(text)
            if 'Property' in r}
