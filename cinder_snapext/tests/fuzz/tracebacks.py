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

"""The server errors a cinder-api logged, grouped by where they came from.

oslo.log writes a traceback one line per frame, each line prefixed with
the record's time, pid and logger: lines sharing that prefix are one
record. A record's class is the last frame in cinder-snapext's code (if
any), the last frame overall and the exception, so that one defect
reached by many requests counts as one class.
"""

import collections
import re

_LINE = re.compile(r'^(\S+ \S+ \d+) ERROR (\S+) (.*)$')
_FRAME = re.compile(r'File "([^"]+)", line \d+, in (\S+)')


def classes(path, offset=0):
    """Counter of (our frame, last frame, exception) from byte ``offset``."""
    records = collections.OrderedDict()
    with open(path, 'rb') as f:
        f.seek(offset)
        for raw in f:
            match = _LINE.match(raw.decode('utf-8', 'replace').rstrip('\n'))
            if match:
                records.setdefault(match.group(1, 2), []).append(
                    match.group(3))
    found = collections.Counter()
    for lines in records.values():
        if not any(line.startswith('Traceback') for line in lines):
            continue
        frames = [m.groups() for m in map(_FRAME.search, lines) if m]
        ours = [f for f in frames if '/cinder_snapext/' in f[0]]
        found[(_short(ours[-1]) if ours else '-',
               _short(frames[-1]) if frames else '-',
               [line for line in lines if line.strip()][-1].strip()[:160])
              ] += 1
    return found


def _short(frame):
    path, function = frame
    for root in ('/cinder_snapext/', '/site-packages/', '/lib/python3.'):
        if root in path:
            path = path.split(root, 1)[1]
            if root == '/cinder_snapext/':
                path = 'cinder_snapext/' + path
            elif root == '/lib/python3.':
                path = path.split('/', 1)[1]
            break
    return '%s:%s' % (path, function)
