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

"""Where the RBD driver tells a backup service to read a snapshot."""

import contextlib
import json
import types

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder.tests.unit import fake_snapshot
from cinder.tests.unit import fake_volume
from cinder.volume import configuration

from cinder_snapext import opts
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.volume.drivers import rbd
from cinder_snapext.volume.drivers import rbd_backup_source

# 'ceph mon dump --format=json' of a Ceph 16 cluster (trimmed): 'addr' is
# the legacy address with its nonce.
MONMAP = {'epoch': 2, 'fsid': '929dee60-fac9-4dd3-a743-ff8fc1524639',
          'mons': [{'rank': 0, 'name': 'a', 'addr': '10.0.0.1:6789/0',
                    'public_addrs': {'addrvec': [
                        {'type': 'v2', 'addr': '10.0.0.1:3300', 'nonce': 0},
                        {'type': 'v1', 'addr': '10.0.0.1:6789',
                         'nonce': 0}]}},
                   {'rank': 1, 'name': 'b', 'addr': '[fd00::2]:6789/0'}]}


class _Cluster(librados.Cluster):
    """A connected cluster whose monitors answer 'mon dump'."""

    answer = (0, json.dumps(MONMAP).encode(), '')

    def mon_command(self, cmd, inbuf, timeout=0):
        self.asked = json.loads(cmd)
        return self.answer


class MonitorsTestCase(base.TestCase):

    def test_monitors_come_from_the_monmap(self):
        cluster = _Cluster({})
        self.assertEqual([('10.0.0.1', '6789'), ('fd00::2', '6789')],
                         rbd_backup_source.monitors(cluster))
        self.assertEqual({'prefix': 'mon dump', 'format': 'json'},
                         cluster.asked)

    def test_monitors_refused_is_a_backend_error(self):
        cluster = _Cluster({})
        cluster.answer = (-13, b'', 'access denied')
        self.assertRaises(cinder_exception.VolumeBackendAPIException,
                          rbd_backup_source.monitors, cluster)


class MonitorCacheTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.now = 1000.0
        self.cache = rbd_backup_source.MonitorCache(clock=lambda: self.now)
        self.cluster = _Cluster({})
        self.connections = 0

    def _connect(self):
        self.connections += 1
        return contextlib.nullcontext(
            types.SimpleNamespace(cluster=self.cluster))

    def test_monitors_asked_once_within_their_age(self):
        for _ in range(3):
            self.assertEqual([('10.0.0.1', '6789'), ('fd00::2', '6789')],
                             self.cache.get(self._connect))
            self.now += rbd_backup_source.MONITORS_MAX_AGE / 3
        self.assertEqual(1, self.connections)

    def test_monitors_asked_again_once_old(self):
        self.cache.get(self._connect)
        self.cluster.answer = (0, json.dumps(
            {'mons': [{'addr': '10.0.0.9:6789/0'}]}).encode(), '')
        self.now += rbd_backup_source.MONITORS_MAX_AGE
        self.assertEqual([('10.0.0.9', '6789')],
                         self.cache.get(self._connect))
        self.assertEqual(2, self.connections)

    def test_refused_answer_is_not_kept(self):
        self.cluster.answer = (-13, b'', 'access denied')
        self.assertRaises(cinder_exception.VolumeBackendAPIException,
                          self.cache.get, self._connect)
        self.cluster.answer = _Cluster.answer
        self.assertEqual([('10.0.0.1', '6789'), ('fd00::2', '6789')],
                         self.cache.get(self._connect))
        self.assertEqual(2, self.connections)


class SnapshotSourceTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        config = configuration.Configuration(None)
        config.rbd_pool = 'volumes'
        config.rbd_user = 'cinder'
        config.rbd_cluster_name = 'ceph'
        config.rados_connect_timeout = -1
        config.rados_connection_retries = 1
        config.rados_connection_interval = 0
        self.driver = rbd.SnapextRBDDriver(
            configuration=config,
            rados=_Cluster({'volumes': librados.Ioctx('volumes')}),
            rbd=librbd)
        self.driver._active_config = {'name': 'ceph', 'conf': None,
                                      'user': 'cinder', 'secret_uuid': None}
        volume = fake_volume.fake_volume_obj(self.ctxt)
        # A migrated volume keeps its data under its name_id.
        volume.name_id = '6d5e1d5e-0000-4000-8000-00000000beef'
        self.snapshot = fake_snapshot.fake_snapshot_obj(self.ctxt)
        self.snapshot.volume = volume

    def test_source_names_pool_image_snapshot_and_monitors(self):
        self.assertEqual(
            {'pool': 'volumes',
             'image': 'volume-6d5e1d5e-0000-4000-8000-00000000beef',
             'snapshot': self.snapshot.name, 'cluster_name': 'ceph',
             'user': 'cinder', 'hosts': ['10.0.0.1', 'fd00::2'],
             'ports': ['6789', '6789']},
            self.driver.snapext_backup_source(self.snapshot))

    def test_source_disabled_keeps_cinders_temporary_volume(self):
        self.override_config('backup_snapshot_in_place', False,
                             group=opts.GROUP)
        self.assertIsNone(self.driver.snapext_backup_source(self.snapshot))

    def test_source_with_keyring_in_connections_keeps_cinders_path(self):
        # cinderlib hands the keyring out with each connection; the direct
        # read has no way to carry it.
        self.driver.keyring_data = '[client.cinder]\nkey = x\n'
        self.assertIsNone(self.driver.snapext_backup_source(self.snapshot))

    def test_second_backup_reuses_the_monitors(self):
        first = self.driver.snapext_backup_source(self.snapshot)
        self.assertEqual(first,
                         self.driver.snapext_backup_source(self.snapshot))
        self.assertEqual(1, len(self.driver.rados.connected))
