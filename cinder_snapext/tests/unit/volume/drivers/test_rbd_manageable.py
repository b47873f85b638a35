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

"""SnapextRBDDriver.get_manageable_snapshots over an in-memory pool."""

from cinder import context as cinder_context
from cinder.tests.unit import utils as test_utils
from cinder.volume import configuration

from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.fake_ceph import librados
from cinder_snapext.tests.unit.fake_ceph import librbd
from cinder_snapext.volume.drivers import rbd
from cinder_snapext.volume.drivers import rbd_manageable
from cinder_snapext.volume import manageable

GiB = 1 << 30
HOST = 'peer@ceph'


class SizedImage(librbd.Image):
    """An image whose snapshots have the sizes of ``sizes`` (bytes)."""

    sizes = {}

    def list_snaps(self):
        for snap in super().list_snaps():
            yield dict(snap, size=self.sizes.get(snap['name'], snap['size']))


class ListingRBD(librbd.RBD):
    """Lists the pool, plus ``vanished``: images deleted while listing."""

    vanished = []

    def list(self, ioctx):
        return sorted(list(ioctx.images) + self.vanished)


class RbdModule:
    """librbd, with the two classes above."""

    def __getattr__(self, name):
        return getattr(librbd, name)

    Image = SizedImage
    RBD = ListingRBD


class ManageableSnapshotsTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.ctxt = cinder_context.get_admin_context()
        config = configuration.Configuration(None)
        config.rbd_pool = 'volumes'
        config.rados_connect_timeout = -1
        config.rados_connection_retries = 1
        config.rados_connection_interval = 0
        self.pool = librados.Ioctx('volumes')
        self.driver = rbd.SnapextRBDDriver(
            configuration=config, host=HOST,
            rados=librados.Cluster({'volumes': self.pool}), rbd=RbdModule())
        SizedImage.sizes = {}
        ListingRBD.vanished = []
        self.volume = test_utils.create_volume(self.ctxt,
                                               host=HOST + '#ceph')

    def _list(self, cinder_snapshots=()):
        entries = self.driver.get_manageable_snapshots(
            list(cinder_snapshots), None, 1000, 0, ['reference'], ['asc'])
        return {e['reference']['source-name']: e for e in entries}

    def test_list_foreign_snapshot_of_our_volume_is_safe(self):
        # What 'rbd snap create volumes/volume-<id>@nightly' leaves.
        librbd.make_image(self.pool, self.volume.name, ['nightly'])
        SizedImage.sizes = {'nightly': GiB + GiB // 2}
        self.assertEqual(
            {'nightly': {
                'reference': {'source-name': 'nightly'},
                'size': 2,
                'safe_to_manage': True,
                'reason_not_safe': None,
                'cinder_id': None,
                'extra_info': {'volume_id': self.volume.id},
                'source_reference': {'source-name': self.volume.name}}},
            self._list())

    def test_list_managed_snapshot_is_not_safe(self):
        snapshot = test_utils.create_snapshot(self.ctxt, self.volume.id)
        librbd.make_image(self.pool, self.volume.name,
                          [snapshot.name, 'nightly'])
        entries = self._list([snapshot])
        self.assertEqual(
            (False, manageable.ALREADY_MANAGED, snapshot.id),
            (entries[snapshot.name]['safe_to_manage'],
             entries[snapshot.name]['reason_not_safe'],
             entries[snapshot.name]['cinder_id']))
        self.assertTrue(entries['nightly']['safe_to_manage'])

    def test_list_exported_snapshot_is_safe_again(self):
        # After an export, the snapshot keeps the name of its old id, which
        # Cinder no longer has on this backend.
        librbd.make_image(self.pool, self.volume.name, [
            'snapshot-7e9c1a54-5f0b-4c1e-8b7a-1d2f3e4a5b6c'])
        entry, = self._list().values()
        self.assertEqual((True, None),
                         (entry['safe_to_manage'], entry['cinder_id']))

    def test_list_cinder_internal_snapshots_are_not_safe(self):
        clone_snap = '%s.clone_snap' % self.volume.id
        backup_snap = 'backup.7.snap.1700000000.1'
        librbd.make_image(self.pool, self.volume.name,
                          [clone_snap, backup_snap])
        entries = self._list()
        for name in (clone_snap, backup_snap):
            self.assertEqual(
                (False, rbd_manageable.INTERNAL),
                (entries[name]['safe_to_manage'],
                 entries[name]['reason_not_safe']))

    def test_list_snapshot_of_image_without_our_volume_is_not_safe(self):
        # Another cloud's volume on the shared pool, or an exported one:
        # Cinder cannot import a snapshot without its volume.
        other = test_utils.create_volume(self.ctxt, host='ci@ceph#ceph')
        librbd.make_image(self.pool, other.name, ['snapshot-of-a'])
        librbd.make_image(self.pool, 'volume-exported', ['snapshot-exported'])
        entries = self._list()
        self.assertEqual(
            {'snapshot-of-a': (False, None, None, other.name),
             'snapshot-exported': (False, None, None, 'volume-exported')},
            {name: (e['safe_to_manage'], e['cinder_id'], e['extra_info'],
                    e['source_reference']['source-name'])
             for name, e in entries.items()})
        self.assertIn('volume-exported',
                      entries['snapshot-exported']['reason_not_safe'])

    def test_list_skips_image_deleted_while_listing(self):
        librbd.make_image(self.pool, self.volume.name, ['nightly'])
        ListingRBD.vanished = ['volume-being-deleted']
        self.assertEqual(['nightly'], list(self._list()))

    def test_list_pages_by_reference(self):
        librbd.make_image(self.pool, self.volume.name, ['c', 'a', 'b'])
        entries = self.driver.get_manageable_snapshots(
            [], None, 2, 0, ['reference'], ['asc'])
        self.assertEqual(['a', 'b'],
                         [e['reference']['source-name'] for e in entries])
