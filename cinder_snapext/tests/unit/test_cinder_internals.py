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

"""The private names of Cinder we use exist as we call them, and only there.

When this fails after a Cinder upgrade, the adapter module named in the
message is the one place to change (see cinder_snapext/internals/).
"""

import ast
import importlib
import inspect
import os
import pkgutil
import re

from cinder_snapext import internals
from cinder_snapext.tests.unit import base

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


# Commands register CLI options and alembic scripts need alembic's context
# on import; neither subclasses anything of Cinder's.
_NOT_IMPORTED = tuple(os.path.join('cinder_snapext', *parts) for parts in (
    ('cmd',), ('db', 'migrations')))


# Public despite the underscore: namedtuple's own API.
_PUBLIC = frozenset(['_asdict', '_fields', '_make', '_replace'])


def _adapters():
    for info in pkgutil.iter_modules(internals.__path__):
        yield importlib.import_module('cinder_snapext.internals.' + info.name)


def _used():
    return [(module.__name__, private) for module in _adapters()
            for private in module.USED]


def _resolve(owner):
    module_name, _, class_name = owner.partition(':')
    found = importlib.import_module(module_name)
    return getattr(found, class_name) if class_name else found


def _our_sources():
    """(path, parsed module) of our code outside tests and internals."""
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = [d for d in dirs if d not in ('tests', 'internals',
                                                '__pycache__')]
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path) as f:
                    yield path, ast.parse(f.read(), path)


def _our_names(trees):
    """Every name our code defines: functions, classes, attributes."""
    names = set()
    for _path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx,
                                                           ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(
                    node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


class CinderInternalsTestCase(base.TestCase):

    def test_every_listed_name_exists_as_we_call_it(self):
        problems = []
        for adapter, private in _used():
            where = '%s: %s.%s' % (adapter, private.owner, private.name)
            try:
                owner = _resolve(private.owner)
            except (ImportError, AttributeError) as e:
                problems.append('%s: owner gone (%s)' % (where, e))
                continue
            if private.set_in:
                source = inspect.getsource(getattr(owner, private.set_in))
                if not re.search(r'self\.%s\b[^=\n]*=' % private.name,
                                 source):
                    problems.append('%s: no longer set in %s'
                                    % (where, private.set_in))
                continue
            found = getattr(owner, private.name, None)
            if found is None:
                problems.append('%s: gone' % where)
            elif private.params is not None:
                params = tuple(inspect.signature(found).parameters)
                if params[:len(private.params)] != private.params:
                    problems.append('%s: takes %s, we call it with %s'
                                    % (where, params, private.params))
        self.assertEqual([], problems)

    def test_no_private_name_of_cinder_outside_internals(self):
        trees = list(_our_sources())
        ours = _our_names(trees)
        found = []
        for path, tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    name = node.attr
                elif isinstance(node, ast.ImportFrom):
                    name = next((a.name for a in node.names
                                 if a.name.startswith('_')), None)
                else:
                    continue
                if (name and name.startswith('_') and
                        not name.startswith('__') and
                        name not in ours | _PUBLIC):
                    found.append('%s:%s %s' % (
                        os.path.relpath(path, _PACKAGE), node.lineno, name))
        self.assertEqual([], found, 'call these through an adapter in '
                                    'cinder_snapext/internals/')

    def test_every_private_hook_we_override_is_listed(self):
        listed = {private.name for _adapter, private in _used()}
        found = []
        for path, _tree in _our_sources():
            relative = os.path.relpath(path, os.path.dirname(_PACKAGE))
            if relative.startswith(_NOT_IMPORTED):
                continue
            module = importlib.import_module(
                relative[:-3].replace(os.sep, '.').replace('.__init__', ''))
            for cls in vars(module).values():
                if not (inspect.isclass(cls) and
                        cls.__module__ == module.__name__):
                    continue
                for name, value in vars(cls).items():
                    # Methods only: classes also carry generated private
                    # data (abc's cache, oslo.service's task lists).
                    if (not name.startswith('_') or name.startswith('__')
                            or not callable(getattr(value, '__func__',
                                                    value))):
                        continue
                    theirs = [c for c in cls.__mro__[1:]
                              if not c.__module__.startswith(
                                  'cinder_snapext') and name in vars(c)]
                    if theirs and name not in listed:
                        found.append('%s.%s overrides %s.%s' % (
                            module.__name__, cls.__name__,
                            theirs[0].__module__, name))
        self.assertEqual([], found)
