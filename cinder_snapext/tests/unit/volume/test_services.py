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

"""require_up reads Cinder's service records, never a volume service."""

import datetime

from cinder import context as cinder_context
from cinder.tests.unit import utils as cinder_utils
from oslo_utils import timeutils

from cinder_snapext import exception
from cinder_snapext.tests.unit import base
from cinder_snapext.volume import services


class RequireUpTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.stale = timeutils.utcnow() - datetime.timedelta(hours=1)

    def _service(self, host='node1@rbd', **kwargs):
        values = {'host': host, 'binary': 'cinder-volume',
                  'topic': 'cinder-volume', 'updated_at': timeutils.utcnow()}
        values.update(kwargs)
        return cinder_utils.create_service(self.ctxt, values)

    def _volume(self, host='node1@rbd#pool', cluster_name=None):
        return cinder_utils.create_volume(self.ctxt, host=host,
                                          cluster_name=cluster_name)

    def assertDown(self, volume):
        error = self.assertRaises(exception.VolumeServiceDown,
                                  services.require_up, self.ctxt, volume)
        self.assertEqual(503, error.code)
        self.assertIn(volume.cluster_name or volume.host, str(error))

    def test_up_and_enabled_passes(self):
        self._service()
        self.assertIsNone(services.require_up(self.ctxt, self._volume()))

    def test_stale_heartbeat_is_down(self):
        self._service(updated_at=self.stale, created_at=self.stale)
        self.assertDown(self._volume())

    def test_disabled_is_down(self):
        self._service(disabled=True)
        self.assertDown(self._volume())

    def test_no_service_record_is_down(self):
        self._service(host='node2@rbd')
        self.assertDown(self._volume())

    def test_other_binary_on_the_host_does_not_count(self):
        self._service(host='node1', binary='cinder-backup',
                      topic='cinder-backup')
        self.assertDown(self._volume())

    def test_cluster_with_one_member_up_passes(self):
        cinder_utils.create_cluster(self.ctxt, name='ceph@rbd',
                                    binary='cinder-volume')
        self._service(host='node1@rbd', cluster_name='ceph@rbd',
                      updated_at=self.stale, created_at=self.stale)
        self._service(host='node2@rbd', cluster_name='ceph@rbd')
        services.require_up(self.ctxt, self._volume(
            host='node1@rbd#pool', cluster_name='ceph@rbd#pool'))

    def test_cluster_with_every_member_down_is_down(self):
        cinder_utils.create_cluster(self.ctxt, name='ceph@rbd',
                                    binary='cinder-volume')
        for host in ('node1@rbd', 'node2@rbd'):
            self._service(host=host, cluster_name='ceph@rbd',
                          updated_at=self.stale, created_at=self.stale)
        self.assertDown(self._volume(host='node1@rbd#pool',
                                     cluster_name='ceph@rbd#pool'))
