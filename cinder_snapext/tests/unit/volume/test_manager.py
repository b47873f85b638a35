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

"""SnapextVolumeManager: composition, and admin metadata on every delete."""

import datetime
from unittest import mock

from cinder.backup import manager as backup_manager
from cinder import context as cinder_context
from cinder.db import api as cinder_db
from cinder import objects as cinder_objects
from cinder.objects import fields
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as cinder_utils
from cinder.volume import manager as cinder_manager
from oslo_db import exception as db_exc
from oslo_utils import timeutils

from cinder_snapext.db import api as db_api
from cinder_snapext.db import snapshot_exports as export_db
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.db import test_api
from cinder_snapext.tests.unit import fakes
from cinder_snapext.tests.unit.volume import test_rpcapi
from cinder_snapext.volume import endpoint
from cinder_snapext.volume import manager


class _ServiceKilled(BaseException):
    """Stands for kill -9: no Python code of the service runs after it."""


class SnapextVolumeManagerTestCase(base.TestCase):

    # Cinder's base fakes the workers table; these tests read its rows.
    MOCK_WORKER = False

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.service = self.start_service('volume', host='snapext',
                                          manager=test_rpcapi.MANAGER)
        self.manager = self.service.manager

    def _snapshot_with_metadata(self, status='deleting', **kwargs):
        snapshot = fakes.create_snapshot(self.ctxt, status=status,
                                         host=self.manager.host, **kwargs)
        db_api.snapshot_admin_metadata_update(self.ctxt, snapshot.id,
                                              {'phase': 'begin'})
        return snapshot

    def assertMetadataDeletedWithSnapshot(self, snapshot_id):
        snapshot = cinder_objects.Snapshot.get_by_id(
            self.ctxt.elevated(read_deleted='yes'), snapshot_id)
        self.assertTrue(snapshot.deleted)
        rows = test_api._all_rows(self.ctxt, snapshot_id)
        self.assertEqual(1, len(rows))
        self.assertTrue(rows[0].deleted)
        self.assertEqual(snapshot.deleted_at.replace(tzinfo=None),
                         rows[0].deleted_at)

    def test_manager_keeps_cinder_rpc_version_and_adds_endpoint(self):
        self.assertIsInstance(self.manager, cinder_manager.VolumeManager)
        self.assertEqual(cinder_manager.VolumeManager.RPC_API_VERSION,
                         manager.SnapextVolumeManager.RPC_API_VERSION)
        endpoints = [e for e in self.manager.additional_endpoints
                     if isinstance(e, endpoint.SnapextVolumeEndpoint)]
        self.assertEqual(['snapext'],
                         [e.target.namespace for e in endpoints])

    def test_delete_snapshot_soft_deletes_admin_metadata(self):
        snapshot = self._snapshot_with_metadata()
        self.manager.delete_snapshot(self.ctxt, snapshot)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def test_unmanage_snapshot_soft_deletes_admin_metadata(self):
        snapshot = self._snapshot_with_metadata()
        self.manager.delete_snapshot(self.ctxt, snapshot, unmanage_only=True)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def test_cascade_volume_delete_soft_deletes_admin_metadata(self):
        snapshot = self._snapshot_with_metadata()
        volume = snapshot.volume
        volume.status = 'deleting'
        volume.save()
        self.manager.delete_volume(self.ctxt, volume, cascade=True)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def test_backup_temp_snapshot_cleanup_soft_deletes_admin_metadata(self):
        snapshot = self._snapshot_with_metadata(status='available')
        backup = cinder_utils.create_backup(
            self.ctxt, snapshot.volume_id, temp_snapshot_id=snapshot.id)
        backup_manager.BackupManager()._delete_temp_snapshot(self.ctxt,
                                                             backup)

        def destroyed():
            return test_api._all_rows(self.ctxt, snapshot.id)[0].deleted
        test_rpcapi.wait_for(destroyed)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def test_group_snapshot_delete_soft_deletes_admin_metadata(self):
        group = cinder_utils.create_group(
            self.ctxt, host=self.manager.host,
            group_type_id=fake.GROUP_TYPE_ID,
            volume_type_ids=[fake.VOLUME_TYPE_ID])
        group_snapshot = cinder_utils.create_group_snapshot(
            self.ctxt, group.id, status=fields.GroupSnapshotStatus.DELETING)
        snapshot = self._snapshot_with_metadata(group_id=group.id)
        snapshot.group_snapshot_id = group_snapshot.id
        snapshot.save()
        group_snapshot.refresh()
        self.manager.delete_group_snapshot(self.ctxt, group_snapshot)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def test_init_host_sweeps_snapshots_destroyed_elsewhere(self):
        snapshot = self._snapshot_with_metadata(status='available')
        # Cinder's API rollbacks destroy snapshot rows without the manager.
        snapshot.destroy()
        self.assertFalse(test_api._all_rows(self.ctxt, snapshot.id)[0].deleted)
        self.manager.init_host(added_to_cluster=False,
                               service_id=self.service.service_id)
        self.assertMetadataDeletedWithSnapshot(snapshot.id)

    def _manage(self, outcome):
        volume_type = cinder_utils.create_volume_type(self.ctxt, name='t')
        volume = cinder_utils.create_volume(self.ctxt, host=self.manager.host,
                                            volume_type_id=volume_type.id)
        snapshot = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                status='creating')
        driver = self.manager.driver
        # The backend is the process boundary: it answers or never returns.
        self.patch_object(driver, 'manage_existing_snapshot_get_size',
                          return_value=1)
        self.patch_object(driver, 'manage_existing_snapshot',
                          side_effect=outcome)
        return snapshot

    def patch_object(self, target, name, **kwargs):
        patcher = mock.patch.object(target, name, **kwargs)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _workers(self, snapshot):
        return cinder_db.worker_get_all(self.ctxt, resource_type='Snapshot',
                                        resource_id=snapshot.id)

    def test_manage_killed_midway_is_cleaned_to_error_on_restart(self):
        snapshot = self._manage(_ServiceKilled())
        self.assertRaises(_ServiceKilled,
                          self.manager.manage_existing_snapshot,
                          self.ctxt, snapshot, ref={'source-name': 'x'})
        snapshot.refresh()
        self.assertEqual('creating', snapshot.status)
        self.assertEqual(1, len(self._workers(snapshot)))

        self.manager.init_host(added_to_cluster=False,
                               service_id=self.service.service_id)

        snapshot.refresh()
        self.assertEqual('error', snapshot.status)
        self.assertEqual([], self._workers(snapshot))

    def test_manage_that_ends_leaves_no_worker_row(self):
        snapshot = self._manage(lambda snapshot, existing_ref: None)
        self.manager.manage_existing_snapshot(self.ctxt, snapshot,
                                              ref={'source-name': 'x'})
        snapshot.refresh()
        self.assertEqual('available', snapshot.status)
        self.assertEqual([], self._workers(snapshot))

    def _unmanage_cut_by_the_database(self):
        volume = cinder_utils.create_volume(self.ctxt, host=self.manager.host)
        snapshot = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                status='unmanaging')
        # The database server is the process boundary: it goes away after
        # the driver's part, as PostgreSQL killed by the fault harness did.
        self.patch_object(self.manager.db,
                          'volume_glance_metadata_delete_by_snapshot',
                          side_effect=db_exc.DBConnectionError())
        self.assertRaises(db_exc.DBConnectionError,
                          self.manager.delete_snapshot, self.ctxt, snapshot,
                          unmanage_only=True)
        snapshot.refresh()
        self.assertEqual('unmanaging', snapshot.status)
        return snapshot

    def test_unmanage_cut_by_a_database_outage_is_released(self):
        snapshot = self._unmanage_cut_by_the_database()
        self.manager._release_interrupted_unmanages(self.ctxt)
        snapshot.refresh()
        # Too recent: a cast or thread may still be at it.
        self.assertEqual('unmanaging', snapshot.status)
        cinder_db.snapshot_update(self.ctxt, snapshot.id, {
            'updated_at': datetime.datetime(2000, 1, 1)})
        self.manager._release_interrupted_unmanages(self.ctxt)
        snapshot.refresh()
        self.assertEqual('available', snapshot.status)
        self.assertEqual([], export_db.snapshot_export_get_all(
            self.ctxt, volume_ids=[snapshot.volume_id]))
        # The user reads why the snapshot is back, in its own project,
        # as Cinder words a failed unmanage.
        self.assertEqual(
            [(snapshot.project_id, 'VOLUME_VOLUME_SNAPSHOT_010_016')],
            [(m['project_id'], m['event_id'])
             for m in cinder_db.message_get_all(self.ctxt)
             if m['resource_uuid'] == snapshot.id])

    def _left_unmanaging_by(self, host, cluster_name, age):
        volume = cinder_utils.create_volume(self.ctxt, host=host,
                                            cluster_name=cluster_name)
        snapshot = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                status='unmanaging')
        cinder_db.snapshot_update(self.ctxt, snapshot.id, {
            'updated_at': timeutils.utcnow() - datetime.timedelta(
                seconds=age)})
        return snapshot

    def test_a_cluster_member_releases_what_a_dead_member_left(self):
        self.manager.cluster = 'ci-cluster@ceph'
        dead = self._left_unmanaging_by('dead-member@ceph#ceph',
                                        'ci-cluster@ceph#ceph', age=600)
        elsewhere = self._left_unmanaging_by('other@ceph#ceph',
                                             'other-cluster@ceph#ceph',
                                             age=600)
        self.manager._release_interrupted_unmanages(self.ctxt)
        dead.refresh()
        elsewhere.refresh()
        self.assertEqual('available', dead.status)
        # Another cluster's volume: its own members answer for it.
        self.assertEqual('unmanaging', elsewhere.status)

    def test_a_starting_cluster_member_spares_a_running_unmanage(self):
        self.manager.cluster = 'ci-cluster@ceph'
        running = self._left_unmanaging_by('live-member@ceph#ceph',
                                           'ci-cluster@ceph#ceph', age=5)
        self.manager.init_host(added_to_cluster=False,
                               service_id=self.service.service_id)
        running.refresh()
        # Another member may be at it: only a stale one is interrupted.
        self.assertEqual('unmanaging', running.status)

    def test_unmanage_cut_by_a_restart_is_released_at_start(self):
        snapshot = self._unmanage_cut_by_the_database()
        self.manager.init_host(added_to_cluster=False,
                               service_id=self.service.service_id)
        snapshot.refresh()
        self.assertEqual('available', snapshot.status)
