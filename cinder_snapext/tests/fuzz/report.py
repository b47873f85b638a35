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

"""The fuzz run's results page (doc/source/admin/reliability.rst).

Usage: python -m cinder_snapext.tests.fuzz.report RESULTS.json > PAGE.rst

RESULTS.json is what ``run --report`` wrote; tools/fuzz.sh report runs
both. The page holds only what the run measured.
"""

import collections
import json
import re
import sys
import textwrap

from cinder_snapext.tests.fuzz import routes

_ORDER = ('stock', 'ours', 'guarded')
_STDLIB = re.compile(r'^.*/lib/python3\.\d+/')
_TITLES = {'stock': 'Cinder 29 as shipped',
           'ours': 'with cinder-snapext',
           'guarded': 'with cinder-snapext and the request guard'}


def render(results):
    runs = [(name, results['apis'][name]) for name in _ORDER
            if name in results['apis']]
    out = _head(results)
    out += _table(['API', 'requests', '2xx', '4xx', '5xx', 'leaks',
                   'stuck'], [
        [_TITLES[name], len(run['statuses'])] +
        [sum(1 for s in run['statuses'] if s // 100 == k) for k in (2, 4)] +
        [len(run['errors']), len(run['leaks']), len(run['stuck'])]
        for name, run in runs])
    if 'added_5xx' in results:
        added = results['added_5xx']
        crash = sum(1 for e in added if not e.get('path_utf8', True))
        out += _wrap(
            'Requests answered 5xx with cinder-snapext that stock Cinder '
            'answered without one: **%d**, of which %d have a path that is '
            "not UTF-8 on a route only cinder-snapext has: Cinder's "
            '``wsgi.Resource`` fails on such a path before any controller '
            'runs, on every route (stock Cinder answers the same bytes on '
            'its own routes with an empty 500, see :doc:`request-guard`); '
            'stock answered 404 only because it has no such route. The '
            'guard answers them 400.' % (len(added), crash)) + ['']
    out += ['5xx by route', '-' * 12, '']
    out += _table(['route'] + [name for name, _ in runs], [
        [route['name']] + [collections.Counter(
            e['route'] for e in run['errors'])[route['name']]
            for _, run in runs]
        for route in routes.ROUTES])
    for name, run in runs:
        out += _logged(name, run)
    return '\n'.join(out) + '\n'


def _head(results):
    title = 'Reliability: generated requests'
    return ['=' * len(title), title, '=' * len(title), ''] + _wrap(
        'The fuzzer of ``cinder_snapext/tests/fuzz`` generated %d requests '
        '(seed %d) to every route cinder-snapext adds or changes, at '
        'microversions 3.0 to %s, with mutated bodies, ids, headers and '
        'content types, and sent the same requests to each cinder-api '
        'below, all on one real stack (``tools/stack.sh``: RBD on Ceph, '
        'PostgreSQL, RabbitMQ). After each batch of %d it checked the '
        'database: a row or quota change that no accepted request explains '
        'is a leak; a resource left in a transient status is stuck. The '
        'run took %.1f minutes. Produced by ``tools/fuzz.sh report``; CI '
        'runs the same (``tools/fuzz.sh --apis stock,ours,guarded``) and '
        'fails on a 5xx with the guard, a leak, a stuck resource, or a 5xx '
        'from cinder-snapext that stock Cinder does not give. The stack '
        'runs without Keystone: every caller is an admin of the project '
        'its token names, so ids of another project reach their resources '
        'as an admin\'s would, and the run checks that they break nothing '
        'rather than that they are refused. Stock Cinder has no export or '
        'admin metadata route: it answers those requests 404.'
        % (results['count'], results['seed'], results['max_version'],
           results.get('batch', 500), results['minutes'])) + ['']


def _logged(name, run):
    title = 'Tracebacks logged: %s' % _TITLES[name]
    lines = ['', title, '-' * len(title), '']
    if not run['tracebacks']:
        return lines + ['None.']
    lines += _wrap(
        'Grouped by the last frame of cinder-snapext (``-``: none), the '
        "last frame and the exception. Some are Cinder's own 400s that it "
        'logs with a traceback.') + ['']
    return lines + _table(['ours', 'last frame', 'exception', 'count'],
                          [['``%s``' % a if a != '-' else a,
                            '``%s``' % _STDLIB.sub('', b),
                            c.replace('*', r'\*').replace('`', "'"), n]
                           for a, b, c, n in run['tracebacks']])


def _wrap(text, first='', indent=''):
    # doc8 wants lines of 79 characters at most; a name stays whole.
    return textwrap.wrap(text, 79, initial_indent=first,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)


def _table(header, rows):
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for row in [header] + rows:
        for n, cell in enumerate(row):
            lines += _wrap(str(cell), '   * - ' if n == 0 else '     - ',
                           '       ')
    return lines + ['']


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(argv[0]) as f:
        sys.stdout.write(render(json.load(f)))


if __name__ == '__main__':
    main()
