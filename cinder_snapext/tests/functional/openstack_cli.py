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

"""The real ``openstack`` command, pointed at the in-process API."""

import collections
import json
import os
import re
import subprocess
import sys
import time

from cinder.tests.unit import fake_constants as fake
import fixtures
from testtools import content

from cinder_snapext.tests.functional import base

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
# The stack's paste filter that makes noauth Cinder answer a tokenless
# request with 401, as keystonemiddleware does: keystoneauth discovers
# the API without a token and Cinder's noauth answers that with 204.
_STACK_TOOLS = os.path.join(_REPO, 'tools', 'stack')
_NOAUTH_PIPELINE = re.compile(r'^(noauth = .*) (noauth apiv3)$', re.M)
_TOKEN_FILTER = """
[filter:tokenrequired]
paste.filter_factory = noauth_discovery:TokenRequired.factory
"""

#: rc: exit status; out, err: what it printed on stdout and stderr.
Result = collections.namedtuple('Result', 'rc out err')

# Cinder's noauth middleware reads "<user>:<project>" as the token;
# keystoneauth's admin_token plugin sends it, as on the noauth stack.
_CLOUDS_YAML = """\
clouds:
  inproc:
    auth_type: admin_token
    auth:
      endpoint: '%(url)s'
      token: '%(user)s:%(project)s'
    block_storage_endpoint_override: '%(url)s'
    block_storage_api_version: '3'
"""


class OpenStackCLITestCase(base.FunctionalTestCase):
    """Runs ``openstack`` as a user would, from this virtualenv's bin/."""

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        clouds = os.path.join(folder, 'clouds.yaml')
        with open(clouds, 'w') as f:
            f.write(_CLOUDS_YAML % {'url': self.auth_url,
                                    'user': fake.USER_ID,
                                    'project': fake.PROJECT_ID})
        self.cli_env = {key: value for key, value in os.environ.items()
                        if not key.startswith(('OS_', 'CINDER_'))}
        self.cli_env.update(OS_CLIENT_CONFIG_FILE=clouds, OS_CLOUD='inproc',
                            HOME=folder)
        self.cli_seconds = []
        self.addCleanup(lambda: self.addDetail(
            'cli-seconds', content.text_content(
                ', '.join(self.cli_seconds))))

    def paste_config(self):
        """Cinder's api-paste.ini with the stack's filter before noauth."""
        with open(super().paste_config()) as f:
            text, count = _NOAUTH_PIPELINE.subn(r'\1 tokenrequired \2',
                                                f.read())
        self.assertEqual(1, count, 'no noauth pipeline in api-paste.ini')
        self.useFixture(fixtures.PythonPathEntry(_STACK_TOOLS))
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'api-paste.ini')
        with open(path, 'w') as f:
            f.write(text + _TOKEN_FILTER)
        return path

    def openstack(self, *args, expect=0):
        """Run ``openstack ARGS``; fail unless it exits with ``expect``."""
        command = os.path.join(os.path.dirname(sys.executable), 'openstack')
        start = time.monotonic()
        # eventlet's subprocess waits cooperatively, so the in-process API
        # keeps serving the child.
        done = subprocess.run([command] + list(args), capture_output=True,
                              text=True, env=self.cli_env, timeout=120)
        self.cli_seconds.append('%s %.2f' % (' '.join(args[:4]),
                                             time.monotonic() - start))
        result = Result(done.returncode, done.stdout, done.stderr)
        self.assertEqual(expect, result.rc, result)
        return result

    def openstack_json(self, *args):
        return json.loads(self.openstack(*args + ('-f', 'json')).out)

    def refused(self, *args):
        """Run a command that must fail; returns what it said on stderr."""
        return self.openstack(*args, expect=1).err
