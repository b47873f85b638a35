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

"""The RBD snapshot a backup driver reads in place, and how it connects."""

from unittest import mock

from cinder import context as cinder_context
from cinder import objects
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as test_utils
from cinder import utils
from oslo_utils import uuidutils

from cinder_snapext.backup import direct_read
from cinder_snapext.backup import rbd_source
from cinder_snapext.tests.unit import base
from cinder_snapext.volume import rpcapi as snapext_rpcapi

LOCATION = {'pool': 'volumes', 'image': 'volume-1', 'snapshot': 'snapshot-2',
            'cluster_name': 'ceph', 'user': 'cinder',
            'hosts': ['10.0.0.1', 'fd00::2'], 'ports': ['6789', '3300']}


class RBDSnapshotSourceTestCase(base.TestCase):

    def test_rados_args_reach_the_monitors_with_the_volume_user(self):
        self.assertEqual(
            {'rados_id': 'cinder', 'clustername': 'ceph',
             'conf': {'mon_host': '10.0.0.1:6789,[fd00::2]:3300',
                      'keyring': '/etc/ceph/ceph.client.cinder.keyring'}},
            rbd_source.RBDSnapshotSource(LOCATION).rados_args())

    def test_unnamed_cluster_is_ceph(self):
        source = rbd_source.RBDSnapshotSource(dict(LOCATION,
                                                   cluster_name=None))
        self.assertEqual('/etc/ceph/ceph.client.cinder.keyring',
                         source.rados_args()['conf']['keyring'])

    def test_source_is_recognised_behind_cinders_tpool_proxy(self):
        # continue_backup wraps the device in utils.tpool_wrap.
        source = rbd_source.RBDSnapshotSource(LOCATION)
        self.assertTrue(rbd_source.is_source(utils.tpool_wrap(source)))
        self.assertEqual('snapshot-2',
                         utils.tpool_wrap(source).snapext_snapshot)

    def test_attached_file_is_not_a_source(self):
        with open(__file__, 'rb') as attached:
            self.assertFalse(rbd_source.is_source(utils.tpool_wrap(attached)))


class _ReadsRBD:
    snapext_reads_rbd_snapshots = True


class WantsDirectReadTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.volume = objects.Volume(self.ctxt, id=fake.VOLUME_ID,
                                     encryption_key_id=None)

    def _backup(self, snapshot_id=fake.SNAPSHOT_ID):
        return objects.Backup(self.ctxt, id=fake.BACKUP_ID,
                              snapshot_id=snapshot_id)

    def test_snapshot_backup_with_rbd_reading_driver_reads_in_place(self):
        self.assertTrue(direct_read.wants_direct_read(
            _ReadsRBD, self._backup(), self.volume))

    def test_volume_backup_keeps_cinders_path(self):
        self.assertFalse(direct_read.wants_direct_read(
            _ReadsRBD, self._backup(snapshot_id=None), self.volume))

    def test_other_backup_drivers_keep_cinders_path(self):
        self.assertFalse(direct_read.wants_direct_read(
            object, self._backup(), self.volume))

    def test_encrypted_volume_keeps_cinders_path(self):
        # Cinder copies the volume's key for the backup on its own path.
        self.volume.encryption_key_id = uuidutils.generate_uuid()
        self.assertFalse(direct_read.wants_direct_read(
            _ReadsRBD, self._backup(), self.volume))


class SourceCallTestCase(base.TestCase):
    """The one call that asks the volume service where the snapshot is."""

    def test_call_is_routed_by_the_volume_the_manager_loaded(self):
        ctxt = cinder_context.get_admin_context()
        volume = test_utils.create_volume(ctxt, host='ci@ceph#ceph')
        snapshot = test_utils.create_snapshot(ctxt, volume.id)
        backup = objects.Backup(ctxt, id=fake.BACKUP_ID,
                                snapshot_id=snapshot.id)
        mixin = direct_read.DirectSnapshotReadMixin.__new__(
            direct_read.DirectSnapshotReadMixin)
        mixin.service = _ReadsRBD
        asked = []

        def answer(api, context, snap):
            asked.append((snap.volume, snap.service_topic_queue))
            return LOCATION

        with mock.patch.object(snapext_rpcapi.SnapextVolumeAPI,
                               'get_backup_source', answer), \
                mock.patch.object(objects.Volume, 'get_by_id') as reread:
            found, source = mixin._snapext_source(ctxt, backup, volume)
        self.assertEqual(snapshot.id, found.id)
        self.assertEqual('volume-1', source.snapext_image)
        self.assertEqual([(volume, volume.service_topic_queue)], asked)
        self.assertIs(volume, asked[0][0])
        reread.assert_not_called()
