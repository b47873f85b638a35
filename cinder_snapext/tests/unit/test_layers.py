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

"""Imports run one way: api -> volume/backup -> objects -> db.

``protection/`` stands alone: it runs in Karbor or in a cron job, and
imports nothing of Cinder's server nor of the rest of cinder-snapext.
``osc/``, the openstack CLI plugin, runs on client machines: the same,
but for ``protection/``, whose commands it also offers.
Only ``concurrency.py`` knows eventlet, tests included.
"""

import ast
import os
import re

import testtools

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Higher may import lower, never the reverse. The modules at 0 and below
# (our exceptions, options and policy rules; the adapters of Cinder's
# private names under them) serve every layer.
_RANK = {'cmd': 6, 'api': 5, 'backup': 4, 'volume': 3, 'objects': 2,
         'db': 1, 'exception': 0, 'opts': 0, 'policies': 0,
         'concurrency': 0, 'rpc_namespace': 0, 'internals': -1,
         '__init__': -1,
         # What the services record of their mode, through the seam.
         'mode_record': 1}
# The seam, and this check, which names what it looks for.
_KNOW_EVENTLET = (os.path.join(_PACKAGE, 'concurrency.py'),
                  os.path.abspath(__file__))
# A dotted name that reaches eventlet without an import statement, as
# mock.patch('eventlet.sleep') does; the mode's name 'eventlet' is not one.
_EVENTLET_NAME = re.compile(r'eventlet(\.\w+)+$')


def _layer(path):
    first = os.path.relpath(path, _PACKAGE).split(os.sep)[0]
    return first[:-3] if first.endswith('.py') else first


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield node.lineno, [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, [node.module + '.' + alias.name
                                for alias in node.names]


def _modules(skip=('tests',)):
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = [d for d in dirs if d not in skip + ('__pycache__',)]
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path) as f:
                    yield path, ast.parse(f.read(), path)


def _violations():
    for path, tree in _modules():
        layer = _layer(path)
        where = os.path.relpath(path, _PACKAGE)
        for lineno, modules in _imports(tree):
            for module in modules:
                problem = _check(layer, module)
                if problem:
                    yield '%s:%s imports %s (%s)' % (where, lineno, module,
                                                     problem)


def _eventlet_uses(tree):
    """(line, name) of each import of eventlet and dotted name of it."""
    for lineno, modules in _imports(tree):
        for module in modules:
            if module.split('.')[0] == 'eventlet':
                yield lineno, module
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and _EVENTLET_NAME.match(node.value)):
            yield node.lineno, node.value


def _eventlet_outside_the_seam():
    for path, tree in _modules(skip=()):
        if path not in _KNOW_EVENTLET:
            where = os.path.relpath(path, _PACKAGE)
            for lineno, name in _eventlet_uses(tree):
                yield '%s:%s uses %s' % (where, lineno, name)


# Packages that run outside Cinder's services and stand alone; what each
# of them may import of the others.
_STANDALONE = ('protection', 'osc')
_STANDALONE_USES = {'osc': ('protection',)}


def _check(layer, module):
    parts = module.split('.')
    if layer in _STANDALONE:
        if parts[0] == 'cinder':
            return '%s depends on no Cinder server module' % layer
        if parts[0] == 'cinder_snapext' and parts[1] not in (
                (layer,) + _STANDALONE_USES.get(layer, ())):
            return '%s stands alone' % layer
        return None
    if parts[0] != 'cinder_snapext' or len(parts) < 2:
        return None
    target = parts[1]
    if target == 'osc':
        return 'only the openstack CLI loads osc'
    if target == 'protection':
        return None if layer == 'cmd' else 'only commands run protection'
    if target == layer:
        return None
    if _RANK.get(target, 99) >= _RANK.get(layer, -1):
        return '%s may not import %s' % (layer, target)
    return None


class LayersTestCase(testtools.TestCase):

    def test_imports_run_one_way(self):
        self.assertEqual([], list(_violations()))

    def test_the_check_sees_an_upward_import(self):
        self.assertEqual('db may not import api',
                         _check('db', 'cinder_snapext.api.schemas'))
        self.assertEqual('protection depends on no Cinder server module',
                         _check('protection', 'cinder.exception'))
        self.assertIsNone(_check('api', 'cinder_snapext.volume.rpcapi'))

    def test_the_cli_plugin_stands_alone(self):
        self.assertEqual('osc depends on no Cinder server module',
                         _check('osc', 'cinder.objects'))
        self.assertEqual('osc stands alone',
                         _check('osc', 'cinder_snapext.api.ids'))
        self.assertEqual('only the openstack CLI loads osc',
                         _check('api', 'cinder_snapext.osc.client'))
        self.assertIsNone(_check('osc', 'cinder_snapext.osc.client'))
        # 'openstack volume protection' runs cinder-snapext-protect's code.
        self.assertIsNone(_check('osc', 'cinder_snapext.protection.cli'))
        self.assertEqual('protection stands alone',
                         _check('protection', 'cinder_snapext.osc.plugin'))

    def test_only_the_concurrency_seam_knows_eventlet(self):
        # With OS_CINDER_DISABLE_EVENTLET_PATCHING=true nothing patches
        # eventlet: a green spawn, sleep or Timeout elsewhere would not run
        # or fire. Tests are held to it too, since they run in both modes.
        self.assertEqual([], list(_eventlet_outside_the_seam()))

    def test_the_check_sees_each_way_to_reach_eventlet(self):
        code = ('import eventlet\n'
                'from eventlet import tpool\n'
                'import eventlet.event as ev\n'
                'mock.patch("eventlet.sleep")\n'
                'LOG.info("eventlet is not a dotted name here")\n'
                'mode = "eventlet"\n')
        self.assertEqual(
            [(1, 'eventlet'), (2, 'eventlet.tpool'), (3, 'eventlet.event'),
             (4, 'eventlet.sleep')],
            sorted(_eventlet_uses(ast.parse(code))))
