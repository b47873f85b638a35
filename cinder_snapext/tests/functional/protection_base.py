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


"""Shared parts of the protection tests: a holding backend, the base."""

import datetime
import json
import os
import subprocess
import sys
import time

from cinder import context as cinder_context
from cinder.db import api as cinder_db
from cinder import exception as cinder_exception
from cinder.tests.unit import fake_constants as fake
from oslo_config import cfg
from testtools import content

from cinder_snapext.protection import connection
from cinder_snapext.protection import interface
from cinder_snapext.protection import noauth
from cinder_snapext.protection import opts
from cinder_snapext.protection import plugin
from cinder_snapext.protection import records
from cinder_snapext.tests.functional import base
from cinder_snapext.tests.functional import fake_backend

HELD_DRIVER = __name__ + '.HoldingSnapshotDriver'
FAILING_RESTORE = 'fail-restores-from-me'
FAILING_SNAPSHOT = 'fail-to-make-me'
PROVIDER_FILE = os.path.join(
    os.path.dirname(__file__), '..', '..', '..', 'etc', 'providers.d',
    'cinder-snapext-volume-snapshot.conf')

try:
    import karbor  # noqa: F401
    KARBOR_MISSING = None
except ImportError as e:
    KARBOR_MISSING = (
        'karbor is not importable (%s); install the optional extra '
        '(pip install "karbor>=1.6.0") to load the plugin through '
        'Karbor\'s provider and flows' % e)
# tox -e functional-karbor installs karbor and sets it: there the karbor
# tests fail, rather than skip, when karbor does not import.
KARBOR_REQUIRED = os.environ.get('SNAPEXT_REQUIRE_KARBOR') == '1'
# Seconds a held snapshot waits to be let go at most.
HOLD_TIMEOUT = 60


class HoldingSnapshotDriver(fake_backend.InMemorySnapshotDriver):
    """The in-memory backend, able to hold snapshots and fail restores.

    A test double of the storage system only: ``hold`` keeps every new
    snapshot in creating until sent, and a snapshot named
    ``FAILING_RESTORE`` cannot be turned into a volume; one named
    ``FAILING_SNAPSHOT`` fails to be made.
    """

    hold = None

    def create_snapshot(self, snapshot):
        if HoldingSnapshotDriver.hold is not None:
            HoldingSnapshotDriver.hold.wait(HOLD_TIMEOUT)
        if snapshot.display_name == FAILING_SNAPSHOT:
            raise cinder_exception.VolumeBackendAPIException(
                data='backend out of space')
        super().create_snapshot(snapshot)

    def create_volume_from_snapshot(self, volume, snapshot):
        if snapshot.display_name == FAILING_RESTORE:
            raise cinder_exception.VolumeBackendAPIException(
                data='backend copy failed')
        return super().create_volume_from_snapshot(volume, snapshot)


class ProtectionTestCase(base.FunctionalTestCase):
    """Real API, scheduler and volume service; our client with noauth.

    The client is the command's: an openstacksdk Connection on a noauth
    session, its block-storage proxy negotiated against this Cinder.
    """

    def setUp(self):
        super().setUp()
        self.cinder = connection.cinder(connection.session_connection(
            noauth.session_for(self.auth_url, fake.PROJECT_ID,
                               fake.USER_ID),
            endpoint='%s/%s' % (self.auth_url, fake.PROJECT_ID)))
        self.conf = cfg.ConfigOpts()
        opts.register(self.conf)
        self.conf.set_override('poll_interval', 0.05, opts.GROUP)
        self.plugin = plugin.SnapextProtectionPlugin(
            self.conf, client_factory=lambda context: self.cinder)

    def _get_flags(self):
        flags = super()._get_flags()
        flags['volume_driver'] = {'v': HELD_DRIVER, 'g': 'backend_defaults'}
        return flags

    def create_volume(self, size=1, name='data'):
        volume = self.api.post_volume({'volume': {'size': size,
                                                  'name': name}})
        return self.wait_for(lambda: self.api.get_volume(volume['id']),
                             lambda v: v['status'] == 'available')

    def reset_status(self, kind, resource_id, status, **extra):
        self.api.api_post('/%s/%s/action' % (kind, resource_id),
                          {'os-reset_status': dict(status=status, **extra)})

    def attach(self, volume_id):
        """Attach as Nova's legacy calls do: reserve, then attach."""
        action = '/volumes/%s/action' % volume_id
        self.api.api_post(action, {'os-reserve': {}})
        self.api.api_post(action, {'os-attach': {
            'instance_uuid': fake.INSTANCE_ID, 'mountpoint': '/dev/vdb'}})
        self.wait_for(lambda: self.api.get_volume(volume_id),
                      lambda v: v['status'] == 'in-use')

    def run_hooks(self, operation, checkpoint, volume_id, parameters=None,
                  **kwargs):
        resource = records.volume_resource(volume_id)
        getter = getattr(self.plugin, 'get_%s_operation' % operation)
        hooks = getter(resource)
        for hook in interface.HOOKS:
            getattr(hooks, hook)(checkpoint, resource, None,
                                 parameters or {}, **kwargs)

    def protect(self, volume_id, **parameters):
        checkpoint = records.Checkpoint()
        self.run_hooks('protect', checkpoint, volume_id, parameters)
        return checkpoint

    def section(self, checkpoint, volume_id):
        return checkpoint.get_resource_bank_section(volume_id).objects

    def backdate(self, kind, resource_id, when):
        """Move a snapshot's or backup's created_at, which retention reads.

        How the calendar tests simulate nights gone by.
        """
        update = {'snapshot': cinder_db.snapshot_update,
                  'backup': cinder_db.backup_update}[kind]
        update(cinder_context.get_admin_context(), resource_id,
               {'created_at': datetime.datetime.fromisoformat(when)})

    def protect_on(self, volume_id, when):
        """A protection snapshot dated ``when``; its id.

        The plugin in-process: the same tagged snapshot as the command
        makes, without a process start per night.
        """
        checkpoint = self.protect(volume_id)
        snapshot_id = self.section(
            checkpoint, volume_id)['metadata']['snapshot_id']
        self.backdate('snapshot', snapshot_id, when)
        return snapshot_id


class CommandLineTestCase(ProtectionTestCase):
    """cinder-snapext-protect run as a separate process, as cron runs it."""

    def cli(self, *args, expect=0):
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(('OS_', 'CINDER_'))}
        env.update(OS_AUTH_TYPE='noauth', OS_ENDPOINT=self.auth_url,
                   OS_PROJECT_ID=fake.PROJECT_ID, OS_USER_ID=fake.USER_ID)
        start = time.monotonic()
        # eventlet's subprocess waits cooperatively, so the in-process API
        # keeps serving the child.
        result = subprocess.run(
            [sys.executable, '-m', 'cinder_snapext.cmd.protect'] +
            list(args) + ['--poll-interval', '0.1'],
            capture_output=True, text=True, env=env, timeout=120)
        self.seconds.append('%s %.2f' % (args[0], time.monotonic() - start))
        self.assertEqual(expect, result.returncode, result.stderr)
        return result

    def cli_json(self, *args, expect=0):
        return json.loads(self.cli(*args + ('--format', 'json'),
                                   expect=expect).stdout)

    def setUp(self):
        super().setUp()
        self.seconds = []
        self.addCleanup(lambda: self.addDetail(
            'cli-seconds', content.text_content(', '.join(self.seconds))))
