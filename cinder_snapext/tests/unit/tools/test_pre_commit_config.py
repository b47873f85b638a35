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

"""The pre-commit hooks run what tox -e pep8 runs, at the same versions."""

import configparser
import os
import shlex

import testtools
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))


def _pep8_tools():
    """The linter each command of tox -e pep8 runs."""
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(os.path.join(REPO, 'tox.ini'))
    tools = set()
    for line in tox['testenv:pep8']['commands'].splitlines():
        words = shlex.split(line)
        if not words:
            continue
        if words[:2] == ['bash', '-c']:
            # The last statement of the script is the linter.
            words = words[2].split(';')[-1].split()
        tools.add(words[0])
    return tools


def _hooks():
    with open(os.path.join(REPO, '.pre-commit-config.yaml')) as f:
        config = yaml.safe_load(f)
    return [hook for repo in config['repos'] for hook in repo['hooks']]


class PreCommitConfigTestCase(testtools.TestCase):

    def test_hooks_run_the_linters_of_tox_pep8(self):
        self.assertEqual(_pep8_tools(),
                         {hook['entry'].split()[0] for hook in _hooks()})

    def test_hooks_install_from_pypi_what_test_requirements_allow(self):
        with open(os.path.join(REPO, 'test-requirements.txt')) as f:
            allowed = {line.strip() for line in f
                       if line.strip() and not line.startswith('#')}
        for hook in _hooks():
            self.assertEqual('python', hook['language'], hook['id'])
            self.assertLessEqual(set(hook['additional_dependencies']),
                                 allowed, hook['id'])
