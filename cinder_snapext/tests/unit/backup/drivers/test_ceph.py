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

"""Tests of which backups the Ceph driver takes off Cinder's full-copy path."""

import contextlib
import datetime
import threading
import types
from unittest import mock

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import context as cinder_context
from cinder import exception
from cinder import objects
from cinder.tests.unit import fake_constants as fake
from cinder.tests.unit import utils as test_utils

from cinder_snapext.backup.drivers import ceph
from cinder_snapext.backup import rados_connections
from cinder_snapext.backup import rbd_backup
from cinder_snapext.backup import rbd_chain
from cinder_snapext.backup import rbd_source
from cinder_snapext.backup import restore_points
from cinder_snapext import concurrency
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.tests.unit.fake_ceph import librbd_aio


class TakesOurPathTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()

    def _backup(self, snapshot_id=None, parent=None):
        return objects.Backup(self.ctxt, snapshot_id=snapshot_id,
                              parent_id=parent.id if parent else None,
                              parent=parent)

    def test_backup_of_snapshot_is_ours(self):
        self.assertTrue(ceph.takes_our_path(self._backup(snapshot_id=fake.SNAPSHOT_ID)))

    def test_full_backup_of_volume_is_cinders(self):
        self.assertFalse(ceph.takes_our_path(self._backup()))

    def test_volume_incremental_on_volume_backup_is_cinders(self):
        parent = objects.Backup(self.ctxt, id=fake.BACKUP_ID, snapshot_id=None)
        self.assertFalse(ceph.takes_our_path(self._backup(parent=parent)))

    def test_volume_incremental_on_snapshot_backup_is_ours(self):
        # Cinder finds no backup.<parent> snapshot and copies it all.
        parent = objects.Backup(self.ctxt, id=fake.BACKUP_ID,
                                snapshot_id=fake.SNAPSHOT_ID)
        self.assertTrue(ceph.takes_our_path(self._backup(parent=parent)))

    def test_snapshot_rbd_name_follows_cinder_template(self):
        self.assertEqual('snapshot-abc', ceph.snapshot_rbd_name('abc'))


class DriverFixture(base.TestCase):
    """A driver on two fake pools: volume-v with points, image b3."""

    def setUp(self):
        super().setUp()
        self.volumes = librados.Ioctx('volumes')
        self.backups = librados.Ioctx('backups')
        self.driver = ceph.SnapextCephBackupDriver(
            cinder_context.get_admin_context())
        self.driver.rbd = librbd
        self.driver.rados = librados.Cluster({'volumes': self.volumes,
                                              'backups': self.backups})
        self.connections = rados_connections.Connections(lambda: 300)
        self.driver._snapext_connections = self.connections
        radosclient = mock.patch.object(
            ceph.rbd_driver, 'RADOSClient',
            lambda driver, pool: contextlib.nullcontext(
                types.SimpleNamespace(ioctx=self.backups)))
        radosclient.start()
        self.addCleanup(radosclient.stop)
        librbd.RBD().create(self.volumes, 'volume-v', librbd.BLOCK)
        librbd.RBD().create(self.backups, 'volume-v.backup.b3',
                              librbd.BLOCK)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            for n in (1, 2, 3):
                vol.create_snap('backup.b%d.snap.%d.0' % (n, n))
            vol.create_snap('snapshot-user')

    def _job(self, create_end_snap):
        return rbd_backup.Job(
            src_image='volume-v', end_snap='backup.b3.snap.3.0',
            create_end_snap=create_end_snap, dest_image='volume-v.backup.b3',
            dest_snap='backup.b3.snap.3.0', length=librbd.BLOCK,
            parent_id=None, parent_snapshot=None, parent_image=None,
            create_kwargs={})

    def _snaps(self, ioctx, image):
        with librbd.Image(ioctx, image) as img:
            return [s['name'] for s in img.list_snaps()]


class FinishTestCase(DriverFixture):
    """What the driver does once a backup of ours is done."""

    def test_restore_point_taken_and_volume_points_pruned(self):
        self.flags(backup_ceph_max_snapshots=2)
        self.driver._snapext_finish(self._job(True), 'volumes', {}, 'backups')
        self.assertEqual(['backup.b3.snap.3.0'],
                         self._snaps(self.backups, 'volume-v.backup.b3'))
        # Cinder's rule: the newest two backup points stay, user
        # snapshots are never touched.
        self.assertEqual(['backup.b2.snap.2.0', 'backup.b3.snap.3.0',
                          'snapshot-user'],
                         self._snaps(self.volumes, 'volume-v'))

    def test_nothing_pruned_by_default_or_for_snapshot_backups(self):
        self.driver._snapext_finish(self._job(True), 'volumes', {}, 'backups')
        self.flags(backup_ceph_max_snapshots=1)
        self.driver._snapext_finish(self._job(False), 'volumes', {},
                                    'backups')
        self.assertEqual(4, len(self._snaps(self.volumes, 'volume-v')))
        self.assertEqual(['backup.b3.snap.3.0'],
                         self._snaps(self.backups, 'volume-v.backup.b3'))

    def test_parent_restore_point_taken_before_an_incremental(self):
        # The parent's service stopped before it took its point.
        parent = types.SimpleNamespace(
            id='b3', container='backups', volume_id='v',
            created_at=datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC),
            service_metadata=rbd_chain.service_metadata(
                'volume-v.backup.b3', rbd_chain.FULL, 0))
        self.driver._snapext_point(parent)
        self.assertEqual([restore_points.point_name(parent)],
                         self._snaps(self.backups, 'volume-v.backup.b3'))


class CopyTestCase(FinishTestCase):
    """The driver's job: the copy's window comes from [snapext]."""

    def test_job_takes_the_copy_options(self):
        self.flags(backup_copy_ops_in_flight=3, group='snapext')
        self.flags(backup_diff_whole_object=True, group='snapext')
        volume = test_utils.create_volume(self.driver.context, size=1)
        backup = objects.Backup(
            self.driver.context, id=fake.BACKUP_ID, volume_id=volume.id,
            snapshot_id=fake.SNAPSHOT_ID, parent_id=None,
            created_at=datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC))
        source = rbd_source.RBDSnapshotSource({
            'pool': 'volumes', 'user': 'cinder', 'image': 'volume-v',
            'snapshot': 'snapshot-user', 'cluster_name': None,
            'hosts': ['127.0.0.1'], 'ports': ['6789']})
        with mock.patch.object(self.driver, '_get_rbd_support',
                               return_value=(False, 1)):
            job, pool = self.driver._snapext_job(backup, source)
        self.assertEqual((3, True, 'volumes', 'snapshot-user'),
                         (job.in_flight, job.whole_object, pool,
                          job.end_snap))

    def test_run_copies_the_snapshot_in_parallel(self):
        aio = mock.patch.object(librbd, 'AIO', librbd_aio.AioQueue())
        aio.start()
        self.addCleanup(aio.stop)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.resize(64 * librbd.BLOCK)
            vol.write(b'7' * 40 * librbd.BLOCK, 0)
            vol.create_snap('snapshot-s')
        job = self._job(False)._replace(
            end_snap='snapshot-s', dest_image='volume-v.backup.b5',
            length=64 * librbd.BLOCK, in_flight=4)
        result = self.driver._snapext_run(job, 'volumes', {}, 'backups')
        self.assertEqual(40 * librbd.BLOCK, result.moved)
        with librbd.Image(self.backups, 'volume-v.backup.b5') as img, \
                librbd.Image(self.volumes, 'volume-v',
                               snapshot='snapshot-s') as snap:
            self.assertEqual(snap.read(0, snap.size()),
                             img.read(0, img.size()))


class MetadataTestCase(DriverFixture):
    """Cinder's metadata object, written on the copy's own connection."""

    def setUp(self):
        super().setUp()
        # Cinder's VolumeMetadataBackup reaches librados through its module.
        rados = mock.patch.object(cinder_ceph, 'rados', librados.Cluster({}))
        rados.start()
        self.addCleanup(rados.stop)
        with librbd.Image(self.volumes, 'volume-v') as vol:
            vol.write(b'8' * librbd.BLOCK, 0)
            vol.create_snap('snapshot-m')
        self.job = self._job(False)._replace(
            end_snap='snapshot-m', dest_image='volume-v.backup.b6')
        self.client = types.SimpleNamespace(ioctx=self.backups)

    def _run(self, metadata):
        backup_id, json_meta = metadata or (None, None)
        return self.driver._snapext_run(
            self.job, 'volumes', {}, 'backups', backup_id,
            (lambda timeout: json_meta) if metadata else None)

    def test_metadata_is_stored_as_cinders_restore_reads_it(self):
        self._run(('b6', '{"version": 2, "volume-base-metadata": {}}'))
        self.assertEqual(
            '{"version": 2, "volume-base-metadata": {}}',
            cinder_ceph.VolumeMetadataBackup(self.client, 'b6').get())
        self.assertIn('volume-v.backup.b6', librbd.RBD().list(self.backups))

    def test_no_metadata_no_object(self):
        # get_metadata finds nothing to keep, or backup_metadata=False.
        self._run(('b6', None))
        self.job = self.job._replace(dest_image='volume-v.backup.b7')
        self._run(None)
        self.assertEqual({}, self.backups.objects)
        self.assertEqual(
            ['volume-v.backup.b3', 'volume-v.backup.b6',
             'volume-v.backup.b7'],
            sorted(librbd.RBD().list(self.backups)))

    def test_metadata_already_there_fails_the_backup_and_its_image(self):
        cinder_ceph.VolumeMetadataBackup(self.client, 'b6').set('{"old": 1}')
        e = self.assertRaises(exception.BackupOperationError, self._run,
                              ('b6', '{"version": 2}'))
        self.assertIn('backup b6', str(e))
        self.assertNotIn('volume-v.backup.b6',
                         librbd.RBD().list(self.backups))

    def test_remove_takes_the_metadata_object_too(self):
        self._run(('b6', '{"version": 2}'))
        self.driver._snapext_remove('backups', 'volume-v.backup.b6', 'b6')
        self.assertEqual({}, self.backups.objects)
        self.assertNotIn('volume-v.backup.b6',
                         librbd.RBD().list(self.backups))


class PendingPointTestCase(base.TestCase):
    """Cinder makes a driver per backup, restore and delete."""

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        self.backup = types.SimpleNamespace(
            id='b4', parent_id=None, volume_id='v', container='backups',
            service_metadata=rbd_chain.service_metadata(
                'volume-v.backup.b4', rbd_chain.FULL, 0))
        self.seen = []
        # An empty backup pool: no clone of the image to look at.
        self.cluster = librados.Cluster({'backups': librados.Ioctx('backups')})

    def _driver(self):
        driver = ceph.SnapextCephBackupDriver(self.ctxt)
        driver.rbd = librbd
        driver.rados = self.cluster
        driver._snapext_connections = rados_connections.Connections(
            lambda: 300)
        return driver

    def test_delete_waits_for_the_point_another_driver_started(self):
        release = concurrency.Handoff()  # a native thread waits on it

        def take_point():
            release.get(10)
            self.seen.append('point taken')

        restore_points.PENDING.start(self.backup.id, take_point)
        threading.Timer(0.1, release.put).start()
        with mock.patch.object(cinder_ceph.CephBackupDriver, 'delete_backup',
                               lambda driver, b: self.seen.append('delete')):
            self._driver().delete_backup(self.backup)
        self.assertEqual(['point taken', 'delete'], self.seen)

    def _delete_meeting_a_new_point(self, backup):
        def delete(driver, b):
            self.seen.append('delete')
            if len(self.seen) == 1:
                raise librbd.ImageHasSnapshots('volume-v.backup.b4')

        with mock.patch.object(cinder_ceph.CephBackupDriver, 'delete_backup',
                               delete):
            self._driver().delete_backup(backup)

    def test_delete_meeting_our_new_restore_point_goes_again(self):
        self._delete_meeting_a_new_point(self.backup)
        self.assertEqual(['delete', 'delete'], self.seen)

    def test_delete_of_cinders_backup_with_snapshots_fails_as_cinder(self):
        self.backup.service_metadata = '{"base": "volume-v.backup.base"}'
        self.assertRaises(librbd.ImageHasSnapshots,
                          self._delete_meeting_a_new_point, self.backup)
        self.assertEqual(['delete'], self.seen)
