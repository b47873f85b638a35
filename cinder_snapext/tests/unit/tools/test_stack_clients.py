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

"""How tools/stack.sh lets the stock clients in, run in bash without a stack.

clouds.yaml and cloudrc, the client list of the venv, the api-paste.ini
with the token filter, the filter itself and the stop/start arguments.
"""

import importlib.util
import os
import stat
import subprocess

import fixtures
import testtools
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
LIB = os.path.join(REPO, 'tools', 'stack', 'lib')
NOAUTH_LINE = ('noauth = request_id cors http_proxy_to_wsgi faultwrap '
               'sizelimit osprofiler noauth apiv3')
KEYSTONE_AUTH = (
    'OS_AUTH_TYPE=password OS_AUTH_URL=http://127.0.0.1:5000/v3 '
    'OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne OS_USERNAME=admin '
    'OS_PASSWORD=s3cret OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default '
    'OS_PROJECT_DOMAIN_NAME=Default')


def load_filter():
    path = os.path.join(REPO, 'tools', 'stack', 'noauth_discovery.py')
    spec = importlib.util.spec_from_file_location('noauth_discovery', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StackClientsTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        for sub in ('run', 'logs', 'cinder', 'venv/bin', 'venv/etc/cinder',
                    'site'):
            os.makedirs(os.path.join(self.state, sub))
        # The venv's python only says where its site-packages are.
        self.script('python', 'echo %s/site' % self.state)

    def script(self, name, body):
        path = os.path.join(self.state, 'venv', 'bin', name)
        with open(path, 'w') as f:
            f.write('#!/bin/bash\n%s\n' % body)
        os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)

    def bash(self, script):
        prelude = '''
set -eu -o pipefail
REPO=%(repo)s STATE=%(state)s
SLOT=0 OFFSET=0 API_PORT=8776 HOST_NAME=ci DEADLINE=2
VENV=$STATE/venv RUN=$STATE/run LOGS=$STATE/logs
CINDER_CONF=$STATE/cinder.conf
. %(lib)s/common.sh
. %(lib)s/install.sh
. %(lib)s/cinder_conf.sh
. %(lib)s/cinder.sh
''' % {'repo': REPO, 'state': self.state, 'lib': LIB}
        return subprocess.run(
            ['bash', '-c', prelude + script], capture_output=True, text=True,
            env={'PATH': os.environ.get('PATH', '/usr/bin:/bin')},
            timeout=60)

    def read(self, *parts):
        with open(os.path.join(self.state, *parts)) as f:
            return f.read()

    def test_clouds_yaml_noauth_sends_the_token_noauth_reads(self):
        proc = self.bash('write_clouds_yaml')
        self.assertEqual(0, proc.returncode, proc.stderr)
        cloud = yaml.safe_load(self.read('clouds.yaml'))['clouds']['snapext']
        self.assertEqual(
            {'auth_type': 'admin_token',
             'auth': {'endpoint': 'http://127.0.0.1:8776/v3',
                      'token': 'admin:admin'},
             'block_storage_api_version': '3',
             'block_storage_endpoint_override': 'http://127.0.0.1:8776/v3'},
            cloud)
        rc = self.read('cloudrc')
        self.assertIn('export OS_CLOUD=snapext\n', rc)
        self.assertIn('export OS_CLIENT_CONFIG_FILE=%s/clouds.yaml\n'
                      % self.state, rc)
        # openrc's settings would override clouds.yaml: cleared.
        self.assertIn('unset OS_AUTH_TYPE OS_AUTH_URL OS_USER_ID', rc)

    def test_clouds_yaml_keystone_authenticates_with_a_password(self):
        proc = self.bash('CINDER_CLI_AUTH="%s"; write_clouds_yaml'
                         % KEYSTONE_AUTH)
        self.assertEqual(0, proc.returncode, proc.stderr)
        cloud = yaml.safe_load(self.read('clouds.yaml'))['clouds']['snapext']
        self.assertEqual(
            {'auth_type': 'password',
             'auth': {'auth_url': 'http://127.0.0.1:5000/v3',
                      'username': 'admin', 'password': 's3cret',
                      'project_name': 'admin',
                      'user_domain_name': 'Default',
                      'project_domain_name': 'Default'},
             'identity_api_version': '3', 'region_name': 'RegionOne',
             'block_storage_api_version': '3'},
            cloud)

    def test_clients_installed_into_an_existing_venv_once(self):
        calls = os.path.join(self.state, 'pip-calls')
        self.script('pip', 'echo "$*" >>%s' % calls)
        proc = self.bash('install_clients; install_clients')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(
            ['install --disable-pip-version-check python-cinderclient '
             'python-openstackclient openstacksdk'],
            self.read('pip-calls').splitlines())
        # Another list: installed again.
        proc = self.bash('STACK_CLIENTS=python-openstackclient; '
                         'install_clients')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(2, len(self.read('pip-calls').splitlines()))
        self.assertEqual('python-openstackclient\n',
                         self.read('venv.clients'))

    def test_api_paste_puts_the_filter_before_noauth(self):
        with open(os.path.join(self.state, 'venv', 'etc', 'cinder',
                               'api-paste.ini'), 'w') as f:
            f.write('[composite:openstack_volume_api_v3]\n%s\n'
                    'keystone = request_id authtoken apiv3\n' % NOAUTH_LINE)
        proc = self.bash('write_api_paste')
        self.assertEqual(0, proc.returncode, proc.stderr)
        paste = self.read('cinder', 'api-paste.ini')
        self.assertIn(NOAUTH_LINE.replace(' noauth apiv3',
                                          ' tokenrequired noauth apiv3'),
                      paste)
        self.assertIn('keystone = request_id authtoken apiv3\n', paste)
        self.assertIn('[filter:tokenrequired]\npaste.filter_factory = '
                      'noauth_discovery:TokenRequired.factory\n', paste)
        self.assertEqual('%s/pystack\n' % self.state,
                         self.read('site', 'zz-snapext-stack.pth'))
        self.assertEqual(
            os.path.join(REPO, 'tools', 'stack', 'noauth_discovery.py'),
            os.readlink(os.path.join(self.state, 'pystack',
                                     'noauth_discovery.py')))

    def test_api_paste_without_noauth_pipeline_refused(self):
        with open(os.path.join(self.state, 'venv', 'etc', 'cinder',
                               'api-paste.ini'), 'w') as f:
            f.write('keystone = request_id authtoken apiv3\n')
        proc = self.bash('write_api_paste')
        self.assertEqual(1, proc.returncode)
        self.assertIn('no noauth pipeline', proc.stderr)

    def test_token_filter(self):
        module = load_filter()
        seen = []

        def app(environ, start_response):
            seen.append(environ['HTTP_X_AUTH_TOKEN'])
            start_response('200 OK', [])
            return [b'ok']

        middleware = module.TokenRequired.factory({})(app)
        answers = []

        def start_response(status, headers):
            answers.append((status, dict(headers)))

        body = middleware({'PATH_INFO': '/v3/'}, start_response)
        self.assertEqual('401 Unauthorized', answers[0][0])
        self.assertEqual('Token', answers[0][1]['WWW-Authenticate'])
        self.assertIn(b'token required', b''.join(body))
        self.assertEqual([], seen)
        body = middleware({'PATH_INFO': '/v3/', 'HTTP_X_AUTH_TOKEN': 'a:b'},
                          start_response)
        self.assertEqual((['a:b'], [b'ok']), (seen, body))

    def test_stop_and_start_take_only_cinder_services(self):
        for cmd in ('stop', 'start'):
            proc = subprocess.run(
                [os.path.join(REPO, 'tools', 'stack.sh'), cmd, 'ceph-osd'],
                capture_output=True, text=True, timeout=60,
                env={'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                     'SNAPEXT_STACK_DIR': self.state})
            self.assertEqual(1, proc.returncode, proc.stderr)
            self.assertIn('usage: ', proc.stderr)
            self.assertIn('stop|start api|scheduler|volume|backup',
                          proc.stderr)
