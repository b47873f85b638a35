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

"""Cluster connections kept across backups: shared, aged, dropped, closed."""

from cinder_snapext.backup import rados_connections
from cinder_snapext import concurrency
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados

VOLUMES = {'rados_id': 'cinder', 'conf': {'mon_host': '10.0.0.1:6789'}}
BACKUPS = {'rados_id': 'backup', 'conffile': '/etc/ceph/ceph.conf'}


class ConnectionsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.cluster = librados.Cluster({'volumes': librados.Ioctx()})
        self.now = 0.0
        self.max_age = 300
        self.cache = rados_connections.Connections(
            lambda: self.max_age, clock=lambda: self.now)

    def _use(self, **kwargs):
        with self.cache.client(self.cluster, **kwargs) as client:
            client.open_ioctx('volumes')

    def test_one_connection_per_cluster_and_user_across_uses(self):
        for _ in range(3):
            self._use(**VOLUMES)
            self._use(**BACKUPS)
        self.assertEqual(2, len(self.cluster.connected))
        self.assertEqual(2, self.cluster.open())

    def test_an_old_connection_is_replaced_and_shut_down(self):
        self._use(**BACKUPS)
        self.now = 299
        self._use(**BACKUPS)
        self.assertEqual(1, len(self.cluster.connected))
        self.now = 300
        self._use(**BACKUPS)
        self.assertEqual((2, 1), (len(self.cluster.connected),
                                  self.cluster.open()))

    def test_an_old_connection_in_use_closes_when_its_user_is_done(self):
        with self.cache.client(self.cluster, **BACKUPS):
            self.now = 400
            self._use(**BACKUPS)
            # The long backup still holds the first one.
            self.assertEqual(2, self.cluster.open())
        self.assertEqual(1, self.cluster.open())

    def test_a_failure_drops_the_connection(self):
        def fail():
            with self.cache.client(self.cluster, **BACKUPS):
                raise librados.Error('session reset')

        self._use(**BACKUPS)
        self.assertRaises(librados.Error, fail)
        self.assertEqual(0, self.cluster.open())
        self._use(**BACKUPS)
        self.assertEqual((2, 1), (len(self.cluster.connected),
                                  self.cluster.open()))

    def test_a_failed_connect_is_not_kept(self):
        self.cluster.fail_connect = librados.Error('timed out')
        self.assertRaises(librados.Error, self._use, **BACKUPS)
        self.assertEqual((0, 0), (self.cluster.open(), len(self.cache)))
        self._use(**BACKUPS)
        self.assertEqual(1, len(self.cache))

    def test_max_age_zero_connects_for_every_use(self):
        self.max_age = 0
        for _ in range(3):
            self._use(**BACKUPS)
        self.assertEqual((3, 0), (len(self.cluster.connected),
                                  self.cluster.open()))

    def test_bounded_the_oldest_idle_connection_goes(self):
        for n in range(rados_connections.MAX_CLUSTERS + 2):
            self.now = n
            self._use(rados_id='user-%d' % n)
        self.assertEqual(rados_connections.MAX_CLUSTERS, len(self.cache))
        self.assertEqual(rados_connections.MAX_CLUSTERS, self.cluster.open())
        # The newest are kept: using them again connects nothing.
        self._use(rados_id='user-%d' % (rados_connections.MAX_CLUSTERS + 1))
        self.assertEqual(rados_connections.MAX_CLUSTERS + 2,
                         len(self.cluster.connected))

    def test_close_shuts_idle_ones_now_and_busy_ones_after(self):
        self._use(**VOLUMES)
        with self.cache.client(self.cluster, **BACKUPS):
            self.cache.close()
            self.assertEqual(1, self.cluster.open())
        self.assertEqual((0, 0), (self.cluster.open(), len(self.cache)))

    def test_concurrent_backups_share_and_leak_nothing(self):
        # As the driver uses it: from run_blocking, in tpool's native
        # threads under eventlet, in the caller's thread otherwise.
        workers = concurrency.Background(8)

        def backup():
            for _ in range(20):
                concurrency.run_blocking(self._use, **BACKUPS)

        futures = [workers.submit(backup) for _ in range(8)]
        for future in futures:
            self.assertTrue(concurrency.wait(future, 30))
            future.result()
        # Threads that missed at once may each have connected; every
        # handle but the cached one is shut down.
        self.assertEqual((1, 1), (self.cluster.open(), len(self.cache)))
