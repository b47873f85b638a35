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

"""cinder-snapext-protect run as cron runs it, with the stack's openrc."""

import json
import os

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration import cli


class ProtectCommandMixin:
    """For scenario tests: the command, its JSON answer, its exit code."""

    def protect_cli(self, *args, expect=0, env=None):
        """Run the command; ``env`` replaces the stack's openrc one."""
        command = os.path.join(self.stack.venv, 'bin',
                               'cinder-snapext-protect')
        rc, out, err = cli.run(
            # Polls every second, not every 5: the waits of a scenario
            # add up in CI.
            [command] + list(args) + ['--no-progress', '--format', 'json',
                                      '--poll-interval', '1'],
            env=env or self.env, timeout=base.TIMEOUT, check=False)
        self.assertEqual(expect, rc, err)
        return json.loads(out)
