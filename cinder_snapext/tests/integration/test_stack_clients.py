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

"""Import and export on RBD through every stock client and route.

python-openstackclient and openstacksdk (as a library) import through
``POST /v3/manageable_snapshots`` (they send microversion 3.65), the
cinder CLI through ``os-snapshot-manage`` at 3.0 and at the highest
microversion it speaks. For each client in turn: a snapshot exported
with it; deleting the volume with it refused in each of its ways (plain,
cascade, force) naming the export; a bad, a foreign and an already
managed reference refused with 400, leaving no snapshot row and the quota
as it was; the export imported back with it, data checked by checksum.
Then ``host`` in the body on both routes, and snapshot backups through
the openstack CLI and the SDK.
"""

from cinderclient import api_versions

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import clients
from cinder_snapext.tests.integration import data

SIZE_GB = 1
HOST = 'ci@ceph'
OTHER_HOST = 'ci@nfs'


class ClientsImportExportTest(base.ScenarioTestCase):
    """Every client, every route, on one RBD volume."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = cinder_db.CinderDb(cls.stack.dir)
        cls.osc, cls.sdk, cls.cinder30, _ = clients.every_client(cls.stack)
        cls.cinder_max = clients.CinderClient(cls.stack,
                                              api_versions.MAX_VERSION)
        cls.writes = []

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    # -- helpers --------------------------------------------------------

    def image(self, volume_id=None):
        return 'volume-%s' % (volume_id or self.ctx['volume'])

    def create_volume(self, what):
        out = self.cinder('create', '--volume-type', 'ceph', '--name',
                          self.name(what), str(SIZE_GB))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.wait_status('volume', volume_id, 'available')
        return volume_id

    def snapshot(self, what, volume_id):
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          volume_id)
        snapshot_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snapshot_id)
        self.wait_status('snapshot', snapshot_id, 'available')
        return snapshot_id

    def write(self, seed):
        """New data at a place of its own; returns the volume's checksum."""
        off = 16 * len(self.writes)
        self.rbd('write', 'volumes', self.image(), str(off), '8', seed)
        self.writes.append((off, 8, seed))
        return data.expected_sha256(SIZE_GB * data.GiB, self.writes)

    def accounting(self):
        """What a refused manage request must leave as it was."""
        return {'rows': self.db.snapshot_rows(self.ctx['volume']),
                'quota': self.db.quota(self.env['OS_PROJECT_ID']),
                'rbd': sorted(self.rbd_snaps(self.image()))}

    def assert_refused(self, outcome, status, *words):
        self.assertFalse(outcome.ok, outcome.text)
        self.assertEqual(status, clients.http_status(outcome), outcome.text)
        for word in words:
            self.assertIn(word, outcome.text)

    def assert_manage_refused(self, client, ref, why):
        before = self.accounting()
        outcome = client.manage(self.ctx['volume'], ref, self.name('bad'))
        self.assert_refused(outcome, 400, ref, why)
        self.assertEqual(before, self.accounting(), client.name)

    # -- a volume, its snapshots, a foreign export ----------------------

    @step
    def test_01_volume_with_a_snapshot_per_client(self):
        self.ctx['volume'] = self.create_volume('vol')
        for client in (self.osc, self.sdk, self.cinder30, self.cinder_max):
            sha = self.write(client.name)
            snap = self.snapshot(client.name.replace(' ', '-'),
                                 self.ctx['volume'])
            # Checked once imported back (each checksum reads 1 GiB).
            self.ctx[client.name] = {'snapshot': snap, 'sha': sha}
        # Managed by Cinder all along: the already-managed reference.
        self.ctx['kept'] = self.snapshot('kept', self.ctx['volume'])
        self.ctx['kept_sha'] = data.expected_sha256(SIZE_GB * data.GiB,
                                                    self.writes)

    @step
    def test_02_foreign_export(self):
        # A snapshot that exists on the backend, unmanaged, but of
        # another volume.
        other = self.create_volume('other')
        self.ctx['other'] = other
        snap = self.snapshot('other-snap', other)
        self.cinder('snapshot-unmanage', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        self.ctx['foreign'] = 'snapshot-%s' % snap
        self.assertIn(self.ctx['foreign'], self.rbd_snaps(self.image(other)))

    # -- each client: export, delete refused, bad refs, import -----------

    def export(self, client):
        mine = self.ctx[client.name]
        outcome = client.unmanage(mine['snapshot'])
        self.assertTrue(outcome.ok, outcome.text)
        self.wait_gone('snapshot', mine['snapshot'])
        self.made['snapshot'].remove(mine['snapshot'])
        mine['ref'] = 'snapshot-%s' % mine['snapshot']
        self.assertIn(mine['ref'], self.rbd_snaps(self.image()))

    def delete_refused(self, client):
        ref = self.ctx[client.name]['ref']
        for how in ('plain', 'cascade', 'force'):
            outcome = client.delete_volume(self.ctx['volume'], how)
            self.assert_refused(outcome, 400, ref)
            # Over REST: a cinder CLI call per check costs a second.
            status, body = self.api('GET', '/volumes/%s' % self.ctx['volume'])
            self.assertEqual((200, 'available'),
                             (status, body['volume']['status']), how)
        self.assertIn(ref, self.rbd_snaps(self.image()))

    def bad_references_refused(self, client):
        self.assert_manage_refused(client, 'no-such-snapshot-%s' % self.run_id,
                                   'no-such-snapshot')
        self.assert_manage_refused(client, self.ctx['foreign'],
                                   self.ctx['foreign'])
        self.assert_manage_refused(client, 'snapshot-%s' % self.ctx['kept'],
                                   self.ctx['kept'])

    def import_back(self, client):
        mine = self.ctx[client.name]
        quota = self.db.quota(self.env['OS_PROJECT_ID'])['snapshots']
        outcome = client.manage(self.ctx['volume'], mine['ref'],
                                self.name('imported'))
        self.assertTrue(outcome.ok, outcome.text)
        self.made['snapshot'].append(outcome.value)
        snap = self.wait_status('snapshot', outcome.value, 'available')
        self.assertEqual(self.ctx['volume'], snap['volume_id'])
        mine['imported'] = outcome.value
        self.assertEqual(mine['sha'], self.image_sha256(
            self.image(), 'snapshot-%s' % outcome.value))
        self.assertEqual(quota[0] + 1, self.db.quota(
            self.env['OS_PROJECT_ID'])['snapshots'][0])

    def round_trip(self, client):
        self.export(client)
        self.delete_refused(client)
        self.bad_references_refused(client)
        self.import_back(client)

    @step
    def test_03_openstack_cli(self):
        self.round_trip(self.osc)

    @step
    def test_04_openstacksdk(self):
        self.round_trip(self.sdk)

    @step
    def test_05_cinder_cli_3_0(self):
        self.round_trip(self.cinder30)

    @step
    def test_06_cinder_cli_max_microversion(self):
        self.round_trip(self.cinder_max)

    # -- host in the body, both routes ----------------------------------

    @step
    def test_07_host_checked_on_both_routes(self):
        kept = self.ctx['kept']
        self.assertTrue(self.sdk.unmanage(kept).ok)
        self.wait_gone('snapshot', kept)
        self.made['snapshot'].remove(kept)
        ref = 'snapshot-%s' % kept
        self.ctx['kept_ref'] = ref
        for route, version in (('manageable_snapshots', '3.8'),
                               ('manageable_snapshots', '3.71'),
                               ('os-snapshot-manage', '3.0')):
            before = self.accounting()
            outcome = self.sdk.manage_raw(route, version, self.ctx['volume'],
                                          ref, self.name('host'), OTHER_HOST)
            self.assert_refused(outcome, 400, OTHER_HOST)
            self.assertEqual(before, self.accounting(), route)
        outcome = self.sdk.manage_raw('manageable_snapshots', '3.8',
                                      self.ctx['volume'], ref,
                                      self.name('host'), HOST)
        self.assertTrue(outcome.ok, outcome.text)
        self.made['snapshot'].append(outcome.value)
        del self.ctx['kept_ref']
        self.wait_status('snapshot', outcome.value, 'available')
        self.assertEqual(self.ctx['kept_sha'], self.image_sha256(
            self.image(), 'snapshot-%s' % outcome.value))

    # -- snapshot backups through the openstack CLI and the SDK ----------

    @step
    def test_08_snapshot_backups(self):
        for client in (self.osc, self.sdk):
            mine = self.ctx[client.name]
            outcome = client.backup_snapshot(self.ctx['volume'],
                                             mine['imported'],
                                             self.name('bk'))
            self.assertTrue(outcome.ok, outcome.text)
            self.made['backup'].append(outcome.value)
            backup = self.wait_status('backup', outcome.value, 'available')
            self.assertEqual(mine['imported'], backup['snapshot_id'])
            mine['backup'] = outcome.value
            self.wait_status('volume', self.ctx['volume'], 'available')
        mine = self.ctx[self.sdk.name]
        restored = self.sdk.restore(mine['backup'], self.name('restored'))
        self.made['volume'].append(restored)
        self.wait_status('volume', restored, 'available')
        self.assertEqual(mine['sha'], self.image_sha256(self.image(restored)))

    # -- clean-up -------------------------------------------------------

    @step(always=True)
    def test_09_delete_everything(self):
        # Exports still out (a step failed) go back to Cinder first, so
        # that their volume can be deleted.
        pending = [(self.ctx.get('other'), self.ctx.get('foreign')),
                   (self.ctx.get('volume'), self.ctx.get('kept_ref'))]
        for client in (self.osc, self.sdk, self.cinder30, self.cinder_max):
            mine = self.ctx.get(client.name, {})
            if mine.get('ref') and not mine.get('imported'):
                pending.append((self.ctx['volume'], mine['ref']))
        for volume_id, ref in pending:
            if volume_id and ref:
                self.take_back(volume_id, ref)
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        for volume_id in (self.ctx.get('volume'), self.ctx.get('other')):
            if volume_id:
                listing = self.rbd('ls', 'volumes')
                self.assertNotIn(self.image(volume_id),
                                 listing['images'] + listing['trash'])
