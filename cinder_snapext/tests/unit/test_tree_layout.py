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

"""The tree's shape: unit tests mirror the source; modules stay short.

A unit test module ``tests/unit/<path>/test_<name>[_<aspect>].py`` tests
``cinder_snapext/<path>/<name>.py`` (or the package ``<name>``; a
package's ``test_<package>.py`` tests its ``__init__``). ``tools/``,
``devstack/`` and ``benchmarks/`` tests mirror those folders of the
repository. A module (Python or shell) longer than 300 lines says why
in its docstring or header, in words that contain "over 300 lines".
"""

import os
import re

import testtools

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
_REPO = os.path.dirname(_PACKAGE)
_UNIT = os.path.join(_PACKAGE, 'tests', 'unit')
# Tests of the whole tree, and of files that are not modules.
_WHOLE_TREE = {
    'test_layers.py', 'test_cinder_internals.py', 'test_tree_layout.py',
    'tools/test_pre_commit_config.py', 'devstack/test_zuul_job.py',
}
_LIMIT = 300
_WHY = re.compile(r'over 300 lines', re.IGNORECASE)


def _source_root(rel_dir):
    top = rel_dir.split(os.sep)[0]
    if top in ('tools', 'devstack', 'benchmarks'):
        return os.path.join(_REPO, rel_dir)
    return os.path.join(_PACKAGE, rel_dir)


def _tested(root, name):
    """Whether test_<name>.py names a module or package under root."""
    if os.path.basename(root) == name:
        return True
    parts = name.split('_')
    for i in range(len(parts), 0, -1):
        stem = '_'.join(parts[:i])
        for candidate in (stem + '.py', stem + '.sh', stem):
            if os.path.exists(os.path.join(root, candidate)):
                return True
    return False


def _unmirrored():
    for folder, dirs, files in os.walk(_UNIT):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        rel_dir = os.path.relpath(folder, _UNIT)
        for name in sorted(files):
            if not (name.startswith('test_') and name.endswith('.py')):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if rel in _WHOLE_TREE:
                continue
            root = _source_root('' if rel_dir == '.' else rel_dir)
            if not _tested(root, name[len('test_'):-len('.py')]):
                yield rel


def _header(path, text):
    if path.endswith('.py'):
        match = re.search(r'^"""(.*?)"""', text, re.MULTILINE | re.DOTALL)
        return match.group(1) if match else ''
    return '\n'.join(line for line in text.splitlines()[:60]
                     if line.startswith('#'))


def _long_without_reason():
    roots = [_PACKAGE, os.path.join(_REPO, 'tools'),
             os.path.join(_REPO, 'benchmarks')]
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != '__pycache__']
            for name in files:
                if not name.endswith(('.py', '.sh')):
                    continue
                path = os.path.join(folder, name)
                with open(path) as f:
                    text = f.read()
                lines = text.count('\n')
                if lines > _LIMIT and not _WHY.search(_header(path, text)):
                    yield '%s (%d lines)' % (os.path.relpath(path, _REPO),
                                             lines)


class TreeLayoutTestCase(testtools.TestCase):

    def test_unit_tests_mirror_the_source(self):
        self.assertEqual([], list(_unmirrored()))

    def test_long_modules_say_why(self):
        self.assertEqual([], sorted(_long_without_reason()))

    def test_the_checks_can_fail(self):
        # Both checks see what they must refuse.
        self.assertFalse(_tested(os.path.join(_PACKAGE, 'volume'),
                                 'no_such_module'))
        self.assertTrue(_tested(os.path.join(_PACKAGE, 'volume'),
                                'rpcapi_backup_source'))
        self.assertEqual('', _header('x.py', '# no docstring\n'))
