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

"""Functional base: Cinder's in-process services with cinder-snapext loaded."""

import os
import time
import types

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.scheduler import manager as scheduler_manager
from cinder import service
from cinder.tests.functional.api import client
from cinder.tests.functional import functional_helpers
from cinder.volume import volume_utils
import fixtures
from oslo_config import cfg
from oslo_service import wsgi as oslo_wsgi

from cinder_snapext import concurrency
from cinder_snapext.db import migration
from cinder_snapext import policies
from cinder_snapext.tests import file_database
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.functional import wsgi_server
from cinder_snapext.tests.unit import base as unit_base

CONF = cfg.CONF

STANDARD_EXTENSIONS = 'cinder.api.contrib.standard_extensions'
SNAPEXT_EXTENSION = 'cinder_snapext.api.extension.SnapextExtension'
SNAPEXT_MANAGER = 'cinder_snapext.volume.manager.SnapextVolumeManager'
IN_MEMORY_DRIVER = ('cinder_snapext.tests.functional.fake_backend.'
                    'InMemorySnapshotDriver')


class FunctionalTestCase(functional_helpers._FunctionalTestBase):
    """Real WSGI API, scheduler and volume service with cinder-snapext.

    Configured as a deployer would: standard extensions first, then ours,
    and our volume manager.
    """

    RESOURCE_FILTER_PATH = unit_base.TestCase.RESOURCE_FILTER_PATH

    def setUp(self):
        # Our tables must exist before the volume service starts: its
        # init_host already reads them.
        self._snapext_sync_pending = True
        fake_backend.SNAPSHOTS.clear()
        file_database.use_an_empty_file()
        super().setUp()

    def start_service(self, name, host=None, **kwargs):
        if self._snapext_sync_pending:
            migration.db_sync(engine=cinder_db_api.get_engine())
            policies.register()
            self._snapext_sync_pending = False
        if name != 'scheduler':
            return super().start_service(name, host=host, **kwargs)
        # Cinder 29's scheduler sleeps a whole second at start for the
        # volume services' first reports (upstream's base still mocks
        # eventlet.sleep, which it no longer calls): a second of every
        # functional test. The in-process volume service answers within
        # milliseconds; wait for its report instead of the clock.
        with fixtures.MonkeyPatch('%s.time' % scheduler_manager.__name__,
                                  types.SimpleNamespace(sleep=lambda s: None)):
            scheduler = super().start_service(name, host=host, **kwargs)
        states = scheduler.manager.driver.host_manager.service_states
        self.wait_for(lambda: dict(states), bool)
        return scheduler

    def wait_for(self, fetch, done, timeout=30):
        """Poll ``fetch()`` until ``done(result)``; fail after ``timeout``.

        ``fetch`` returning None (a 404) counts as a result too.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = fetch()
            except client.OpenStackApiException404:
                result = None
            if done(result):
                return result
            if time.monotonic() > deadline:
                self.fail('still %r after %ss' % (result, timeout))
            time.sleep(0.05)

    def start_backup_service(self, connector):
        """cinder-backup, with ``connector`` standing in for os-brick's.

        Waits until the scheduler has its first report: it places backups
        only on a backup service that has reported itself working, and the
        periodic report is a minute away.
        """
        self.connector_properties = self.mock_object(
            volume_utils, 'brick_get_connector_properties',
            return_value={'host': 'backup-node',
                          'initiator': 'iqn.test',
                          'ip': '127.0.0.1',
                          'multipath': False})
        self.mock_object(volume_utils, 'brick_get_connector',
                         return_value=connector)
        backup = self.start_service('backup', service_name='backup')
        backup.manager.publish_service_capabilities(
            cinder_context.get_admin_context())
        states = self.scheduler.manager.driver.host_manager.\
            backup_service_states
        self.wait_for(lambda: states.get(backup.host),
                      lambda caps: bool(caps and caps['backend_state']))
        return backup

    def create_volume_and_snapshot(self):
        """A 1 GiB volume and a snapshot of it, both available."""
        volume = self.api.post_volume({'volume': {'size': 1}})
        self.wait_for(lambda: self.api.get_volume(volume['id']),
                      lambda v: v['status'] == 'available')
        snapshot = self.api.post_snapshot(
            {'snapshot': {'volume_id': volume['id']}})
        return self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                             lambda s: s['status'] == 'available')

    def _get_flags(self):
        flags = super()._get_flags()
        flags['osapi_volume_extension'] = {
            'v': [STANDARD_EXTENSIONS, SNAPEXT_EXTENSION]}
        flags['volume_manager'] = {'v': SNAPEXT_MANAGER}
        flags['volume_driver'] = {'v': IN_MEMORY_DRIVER,
                                  'g': 'backend_defaults'}
        # Every service of one process heartbeats into the row of the one
        # started last (Cinder keeps the id in a class attribute): here the
        # scheduler, so the volume service's row ages from its start, and
        # a test slower than the default 60 s (a loaded machine, native
        # threads) found no valid host. A test that needs a service down
        # ages its row by more than this.
        flags['service_down_time'] = {'v': 600}
        return flags

    def paste_config(self):
        """The api-paste.ini the in-process API is built from."""
        return os.path.join(unit_base.CINDER_ETC, 'api-paste.ini')

    def _start_api_service(self):
        # Cinder's version looks for api-paste.ini beside site-packages;
        # a pip-installed Cinder has it under sys.prefix.
        oslo_wsgi.register_opts(CONF)
        self.override_config('api_paste_config', self.paste_config())
        if concurrency.native_threads():
            self.osapi = wsgi_server.ThreadedAPIServer(
                CONF, 'osapi_volume', CONF.osapi_volume_listen,
                CONF.osapi_volume_listen_port)
        else:
            # As cinder-api serves it on eventlet.
            self.osapi = service.WSGIService('osapi_volume')
        self.osapi.start()
        self.auth_url = 'http://%s:%s/v%s' % (
            self.osapi.host, self.osapi.port, self.osapi_version_major)
