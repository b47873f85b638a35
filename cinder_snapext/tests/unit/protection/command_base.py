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

"""The base of unit tests that run cinder-snapext-protect's commands."""

import io
import json

import fixtures
import testtools

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.tests.unit.protection import fakes


class CommandTestCase(testtools.TestCase):
    """cinder-snapext-protect's commands against a FakeCinder.

    The environment is a noauth one, as cron would set it; ``volume`` is
    an available volume named ``data``.
    """

    def setUp(self):
        super().setUp()
        for name, value in (('OS_AUTH_TYPE', 'noauth'),
                            ('OS_ENDPOINT', 'http://cinder:8776/v3')):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        self.cinder = fakes.FakeCinder()
        self.volume = self.cinder.volumes.add('available', size=1,
                                              name='data')

    def run_cli(self, *argv, expect=0):
        """A command as main runs it, in JSON; (result, stderr)."""
        args = arguments.parse_args(
            list(argv) + ['--poll-interval', '0', '--no-progress',
                          '--format', 'json'])
        stdout, stderr = io.StringIO(), io.StringIO()
        self.assertEqual(expect, cli.run(args, self.cinder, stdout, stderr),
                         stderr.getvalue())
        return json.loads(stdout.getvalue()), stderr.getvalue()
