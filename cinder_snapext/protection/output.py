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

"""What cinder-snapext-protect prints: results, and progress while it waits."""

import json


def print_result(result, output_format, stream):
    """``result`` (a dict or a list of rows) as JSON or as a table."""
    if output_format == 'json':
        stream.write(json.dumps(result, indent=2, sort_keys=True) + '\n')
        return
    if isinstance(result, dict):
        rows = [{'field': key, 'value': _cell(value)}
                for key, value in sorted(result.items())]
    else:
        rows = [{key: _cell(value) for key, value in row.items()}
                for row in result]
    if not rows:
        return
    # prune mixes volume and group rows: every key of any row is a column.
    columns = list(dict.fromkeys(key for row in rows for key in row))
    rows = [{column: row.get(column, '-') for column in columns}
            for row in rows]
    widths = [max(len(column), *(len(row[column]) for row in rows))
              for column in columns]
    for line in [dict(zip(columns, columns))] + rows:
        stream.write('  '.join(line[column].ljust(width) for column, width
                               in zip(columns, widths)).rstrip() + '\n')


def _cell(value):
    if isinstance(value, dict):
        # A nested record (a hook's outcome): its one-line summary.
        return str(value.get('summary', json.dumps(value, sort_keys=True)))
    if isinstance(value, list):
        return ', '.join(str(item) for item in value) or '-'
    return '-' if value is None else str(value)


class ProgressDisplay:
    """One line per wait on stderr: rewritten on a terminal, else logged.

    On a terminal the line is redrawn at every poll; elsewhere (cron, CI
    logs) a line is written only when a status changes.
    """

    def __init__(self, stream, enabled=True):
        self._stream = stream
        self._enabled = enabled
        self._tty = enabled and stream.isatty()
        self._last = None

    def __call__(self, progress):
        if not self._enabled:
            return
        key = (progress.resource, progress.resource_id, progress.status)
        line = '%s %s: %s, waiting for %s (%ds of %ds)' % (
            progress.resource, progress.resource_id, progress.status,
            progress.goal, progress.elapsed, progress.timeout)
        if self._tty:
            if self._last and self._last[:2] != key[:2]:
                self._stream.write('\n')
            self._stream.write('\r\033[K' + line)
        elif key != self._last:
            self._stream.write(line + '\n')
        self._stream.flush()
        self._last = key

    def finish(self):
        if self._tty and self._last:
            self._stream.write('\n')
            self._stream.flush()
        self._last = None
