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

"""Percentiles of volume_delete.py's samples and their RST table."""

import math


def percentile(values, p):
    """Nearest rank: no interpolation between samples."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100.0 * len(ordered))) - 1]


def summary(values):
    return {'n': len(values),
            **{'p%d' % p: percentile(values, p) * 1000 for p in (50, 95, 99)},
            'max': max(values) * 1000}


def table(results):
    rows = ['.. list-table::', '   :header-rows: 1', '',
            '   * - volume service', '     - cinder-api', '     - deletes',
            '     - p50 ms', '     - p95 ms', '     - p99 ms', '     - max ms']
    keys = ('p50', 'p95', 'p99', 'max')
    for phase, by_api in results.items():
        for name, s in by_api.items():
            rows += ['   * - %s' % phase, '     - %s' % name,
                     '     - %d' % s['n']]
            rows += ['     - %.1f' % s[k] for k in keys]
        ours, stock = by_api.values()
        # What cinder-snapext adds, percentile by percentile.
        rows += ['   * - %s' % phase, '     - added', '     -']
        rows += ['     - %+.1f' % (ours[k] - stock[k]) for k in keys]
    return '\n'.join(rows)
