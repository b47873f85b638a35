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

"""The scheduler sends no new backup to a backup service that is down."""

import datetime
import random

from cinder import context as cinder_context
from cinder.db import api as db_api
from cinder.scheduler import host_manager as cinder_host_manager
from cinder.tests.unit import utils as test_utils
from oslo_utils import timeutils

from cinder_snapext.backup import host_manager
from cinder_snapext.tests.unit import base

LIVE, DEAD = 'node1', 'node2'
CAPABILITIES = {'backend_state': True, 'driver_name': 'ceph',
                'availability_zone': 'nova'}
TRIES = 40


class HostManagerTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.live = self._service(LIVE, up=True)
        self.dead = self._service(DEAD, up=False)
        # The choice among services is random.shuffle: the same sequence
        # every run.
        random.seed(15)

    def _service(self, host, up):
        heard = timeutils.utcnow() - datetime.timedelta(
            seconds=0 if up else 3600)
        return test_utils.create_service(self.ctxt, {
            'host': host, 'binary': 'cinder-backup', 'topic': 'cinder-backup',
            'availability_zone': 'nova', 'updated_at': heard,
            'created_at': heard})

    def _reported(self, manager):
        # Both reported while they ran, as the scheduler remembers them.
        for host in (LIVE, DEAD):
            manager.update_service_capabilities('backup', host,
                                                dict(CAPABILITIES), None,
                                                None)
        return manager

    def _choices(self, manager):
        return {manager.get_backup_host(None, 'nova')
                for _ in range(TRIES)}

    def test_cinders_scheduler_keeps_choosing_a_dead_service(self):
        # What the class is for: stock Cinder 29 chooses the dead one too.
        stock = self._reported(cinder_host_manager.HostManager())
        self.assertEqual({LIVE, DEAD}, self._choices(stock))

    def test_only_live_services_are_chosen(self):
        ours = self._reported(host_manager.SnapextHostManager())
        self.assertEqual({LIVE}, self._choices(ours))
        self.assertEqual([LIVE], sorted(ours.backup_service_states))

    def test_a_service_back_up_is_chosen_again(self):
        ours = self._reported(host_manager.SnapextHostManager())
        self.assertEqual({LIVE}, self._choices(ours))
        db_api.service_update(self.ctxt, self.dead.id,
                              {'updated_at': timeutils.utcnow()})
        ours.update_service_capabilities('backup', DEAD, dict(CAPABILITIES),
                                         None, None)
        self.assertEqual({LIVE, DEAD}, self._choices(ours))

    def test_disabled_service_is_not_chosen(self):
        db_api.service_update(self.ctxt, self.dead.id,
                              {'updated_at': timeutils.utcnow(),
                               'disabled': True})
        ours = self._reported(host_manager.SnapextHostManager())
        self.assertEqual({LIVE}, self._choices(ours))
