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

"""The stock clients, each driven as its users drive it, one interface.

python-openstackclient and openstacksdk reach the stack as cloud
``snapext`` of ``<state>/clouds.yaml``; python-cinderclient with the
settings of ``<state>/openrc`` at a given microversion. Each call returns
an :class:`Outcome`: what the client reported, refusals included.
"""

import collections
import json
import os
import re

from cinder_snapext.tests.integration import cli

SDK_CALL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'sdk_call.py')

#: ok: the client succeeded; value: the new object's id (or None);
#: text: everything it printed, where a refusal names its reason.
Outcome = collections.namedtuple('Outcome', 'ok value text')

_HTTP_STATUS = re.compile(r'(?:\bHTTP |Exception: )(\d{3})\b')


def http_status(outcome):
    """The HTTP status a refused call reported, or None."""
    found = _HTTP_STATUS.search(outcome.text)
    return int(found.group(1)) if found else None


class Client:
    """A stock client; subclasses map the operations onto its commands."""

    name = None

    def __init__(self, stack):
        self.stack = stack

    def run(self, argv):
        rc, out, err = cli.run(argv, env=self.env(), check=False)
        return rc, out, out + err

    def env(self):
        raise NotImplementedError

    def manage(self, volume_id, ref, name):
        raise NotImplementedError

    def unmanage(self, snapshot_id):
        raise NotImplementedError

    def delete_volume(self, volume_id, how):
        """how: 'plain', 'cascade' or 'force' (each client's own way)."""
        raise NotImplementedError


class OpenStackClient(Client):
    """python-openstackclient (``openstack``), its default microversions."""

    name = 'openstack CLI'
    DELETE = {'plain': [], 'cascade': ['--purge'], 'force': ['--force']}

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'CINDER_'))}
        env.update(OS_CLIENT_CONFIG_FILE=self.stack.clouds_yaml,
                   OS_CLOUD='snapext')
        return env

    def openstack(self, *args):
        return self.run([os.path.join(self.stack.venv, 'bin', 'openstack')]
                        + list(args))

    def _created(self, rc, out, text):
        if rc != 0:
            return Outcome(False, None, text)
        return Outcome(True, json.loads(out)['id'], text)

    def manage(self, volume_id, ref, name):
        return self._created(*self.openstack(
            'volume', 'snapshot', 'create', '--volume', volume_id,
            '--remote-source', 'source-name=%s' % ref, '-f', 'json', name))

    def unmanage(self, snapshot_id):
        rc, _, text = self.openstack('volume', 'snapshot', 'delete',
                                     '--remote', snapshot_id)
        return Outcome(rc == 0, None, text)

    def delete_volume(self, volume_id, how):
        rc, _, text = self.openstack('volume', 'delete', *(
            self.DELETE[how] + [volume_id]))
        return Outcome(rc == 0, None, text)

    def backup_snapshot(self, volume_id, snapshot_id, name):
        return self._created(*self.openstack(
            'volume', 'backup', 'create', '--snapshot', snapshot_id,
            '--name', name, '-f', 'json', volume_id))


class SdkClient(OpenStackClient):
    """openstacksdk used as a library (``sdk_call.py`` in the venv)."""

    name = 'openstacksdk'

    def call(self, *args):
        rc, out, text = self.run([self.stack.python, SDK_CALL] + list(args))
        if rc != 0:
            raise cli.CommandFailed(['sdk_call.py'] + list(args), rc, out,
                                     text)
        answer = json.loads(out)
        if answer['ok']:
            return Outcome(True, answer['result'].get('id'), out)
        return Outcome(False, None, answer['message'])

    def manage(self, volume_id, ref, name):
        return self.call('manage', volume_id, ref, name)

    def manage_raw(self, route, microversion, volume_id, ref, name,
                   host=None):
        return self.call('manage-raw', route, microversion, volume_id, ref,
                         name, *([host] if host else []))

    def unmanage(self, snapshot_id):
        return self.call('unmanage', snapshot_id)

    def delete_volume(self, volume_id, how):
        return self.call('delete-volume', volume_id,
                         *{'plain': [], 'cascade': ['cascade'],
                           'force': ['force']}[how])

    def backup_snapshot(self, volume_id, snapshot_id, name):
        return self.call('backup', volume_id, snapshot_id, name)

    def restore(self, backup_id, name):
        outcome = self.call('restore', backup_id, name)
        return json.loads(outcome.text)['result']['volume_id']


class CinderClient(Client):
    """python-cinderclient (``cinder``) at one microversion."""

    def __init__(self, stack, microversion):
        super().__init__(stack)
        self.microversion = microversion
        self.name = 'cinder CLI %s' % microversion

    def env(self):
        return dict(self.stack.cli_env(),
                    OS_VOLUME_API_VERSION=self.microversion)

    def cinder(self, *args):
        return self.run([self.stack.cinder_bin] + list(args))

    def manage(self, volume_id, ref, name):
        rc, out, text = self.cinder('snapshot-manage', '--id-type',
                                    'source-name', '--name', name,
                                    volume_id, ref)
        if rc != 0:
            return Outcome(False, None, text)
        return Outcome(True, cli.parse_properties(out)['id'], text)

    def unmanage(self, snapshot_id):
        rc, _, text = self.cinder('snapshot-unmanage', snapshot_id)
        return Outcome(rc == 0, None, text)

    def delete_volume(self, volume_id, how):
        argv = {'plain': ['delete'], 'cascade': ['delete', '--cascade'],
                'force': ['force-delete']}[how]
        rc, _, text = self.cinder(*(argv + [volume_id]))
        return Outcome(rc == 0, None, text)


def every_client(stack):
    """The clients of the issue, in the order the scenarios use them."""
    return [OpenStackClient(stack), SdkClient(stack),
            CinderClient(stack, '3.0'), CinderClient(stack, '3.71')]
