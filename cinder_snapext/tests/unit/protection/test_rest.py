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

"""Protect and restore over HTTP, as the command sends them.

Cinder is fake_cinder_api, a process of its own; the command connects
through a clouds.yaml cloud chosen by OS_CLOUD, so every request goes
through the openstacksdk Connection that cloud makes.
"""

import io
import json
import os
import types

import fixtures
from oslo_config import cfg
import testtools

from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.protection import connection
from cinder_snapext.protection import opts
from cinder_snapext.protection import rest
from cinder_snapext.tests.unit.protection import test_cli_cloud

CLOUDS = '''clouds:
  nightly:
    auth_type: admin_token
    auth:
      endpoint: '%(url)s/v3'
      token: 'cloud-token'
    block_storage_endpoint_override: '%(url)s/v3/project-1'
'''
HEADER = 'volume %s' % rest.MAX_MICROVERSION


class FakeApiTestCase(testtools.TestCase):
    """fake_cinder_api started for the test; what it was asked."""

    def setUp(self):
        super().setUp()
        folder = self.useFixture(fixtures.TempDir()).path
        self.log = os.path.join(folder, 'requests.log')
        port = test_cli_cloud.start_fake_cinder(
            self, self.log, script='fake_cinder_api.py')
        self.url = 'http://127.0.0.1:%d' % port
        self.folder = folder
        for name in list(os.environ):
            if name.startswith(('OS_', 'CINDER_')):
                self.useFixture(fixtures.EnvironmentVariable(name))

    def seen(self):
        """[method, path, microversion header, token] of each request."""
        with open(self.log) as f:
            return [json.loads(line) for line in f]


class ProtectRestoreOverHttpTestCase(FakeApiTestCase):

    def setUp(self):
        super().setUp()
        clouds = os.path.join(self.folder, 'clouds.yaml')
        with open(clouds, 'w') as f:
            f.write(CLOUDS % {'url': self.url})
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_CLIENT_CONFIG_FILE', clouds))
        self.useFixture(fixtures.EnvironmentVariable('OS_CLOUD', 'nightly'))

    def command(self, *argv):
        stdout, stderr = io.StringIO(), io.StringIO()
        self.patch(cli.sys, 'stdout', stdout)
        self.patch(cli.sys, 'stderr', stderr)
        code = cli.main(list(argv) + ['--format', 'json', '--no-progress',
                                      '--poll-interval', '0.01'])
        self.assertEqual(0, code, stderr.getvalue())
        return json.loads(stdout.getvalue())

    def test_every_call_carries_the_negotiated_microversion(self):
        protected = self.command('protect', 'data', '--name', 'nightly')
        restored = self.command('restore', protected['id'],
                                '--name', 'back')
        self.assertEqual('vol-1', restored['source_volume_id'])
        self.assertEqual(protected['id'], restored['snapshot_id'])
        self.assertEqual('available', restored['status'])
        seen = self.seen()
        # Each command reads the version document once, without a
        # microversion, at the root above the cloud's endpoint...
        documents = [request for request in seen if request[1] == '/']
        self.assertEqual([['GET', '/', None, 'cloud-token']] * 2,
                         documents)
        # ...and sends every API call at the version negotiated there, to
        # the cloud's endpoint, with the cloud's token.
        calls = [request for request in seen if request[1] != '/']
        self.assertEqual([], [request for request in calls
                              if request[2:] != [HEADER, 'cloud-token']])
        self.assertEqual([], [request for request in calls
                              if not request[1].startswith('/v3/project-1/')])
        methods = [(method, path.split('?')[0].split('/')[3])
                   for method, path, _, _ in calls]
        self.assertIn(('POST', 'snapshots'), methods)
        self.assertIn(('POST', 'volumes'), methods)


class KarborContextTestCase(FakeApiTestCase):
    """The plugin's default client: the request's token and endpoint."""

    def test_context_token_reaches_cinder_at_the_negotiated_version(self):
        config = cfg.ConfigOpts()
        settings = opts.register(config)
        config.set_override('cinder_endpoint',
                            self.url + '/v3/%(project_id)s', opts.GROUP)
        context = types.SimpleNamespace(auth_token='karbor-token',
                                        project_id='project-2',
                                        service_catalog=[])
        cinder = connection.cinder(connection.from_context(context,
                                                           settings))
        self.assertEqual(rest.MAX_MICROVERSION, cinder.microversion)
        self.assertEqual('vol-1', client.find_volume(cinder, 'data').id)
        self.assertEqual(
            [['GET', '/', None, 'karbor-token'],
             ['GET', '/v3/project-2/volumes/data', HEADER, 'karbor-token'],
             ['GET', '/v3/project-2/volumes/detail?name=data', HEADER,
              'karbor-token']],
            self.seen())


class VersionDocumentTestCase(testtools.TestCase):

    def test_root_above_the_versioned_endpoint(self):
        for endpoint, root in (
                ('http://c:8776/v3/p-1', 'http://c:8776/'),
                ('http://c:8776/v3', 'http://c:8776/'),
                ('https://c/volume/v3/', 'https://c/volume/'),
                ('https://volume.example.com/', 'https://volume.example.com/')):
            self.assertEqual(root, rest.version_document_url(endpoint))
