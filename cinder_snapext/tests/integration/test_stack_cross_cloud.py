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

"""Two clouds on one Ceph pool: move a volume and its snapshots A -> B.

Cloud A is the stack's main Cinder, cloud B the second deployment of
``tools/stack/lib/part-peer.sh`` (its own database, RabbitMQ vhost and
services, same ``volumes`` pool). Each is driven with the stock ``cinder``
CLI and its own openrc: export the snapshots and then the volume on A,
import the volume and then the snapshots on B, and compare the data of
volumes made from each imported snapshot with what was written. Then a
snapshot made with ``rbd snap create``, outside OpenStack, is found in
B's manageable list and imported.

Over 300 lines on purpose: one scenario, whose steps build on each
other in order (one volume, its chain, its exports); split, each part
would repeat the set-up it needs.
"""

import contextlib
import json
import os
import urllib.request

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import stack

SIZE_GB = 1
SIZE = SIZE_GB * data.GiB
# (offset MiB, length MiB, seed): the data of snapshot 1, then what is
# written before snapshot 2, then before the foreign snapshot.
FIRST = [(0, 16, 'xc-first'), (700, 8, 'xc-first-b')]
SECOND = [(8, 16, 'xc-second')]
THIRD = [(300, 8, 'xc-third')]
HOST_A = 'ci@ceph'
HOST_B = 'peer@ceph'


class CrossCloudMoveTest(base.ScenarioTestCase):
    """export on A, import on B, checksums equal; a foreign snapshot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        peer_dir = os.path.join(cls.stack.dir, 'peer')
        try:
            with open(os.path.join(peer_dir, 'enabled')) as f:
                enabled = f.read().strip()
        except OSError:
            enabled = None
        if enabled == '0':
            raise cls.skipException(
                'the stack was brought up with PEER=0: no second Cinder')
        peer = stack.Stack(cls.stack.dir)
        peer.openrc = os.path.join(peer_dir, 'openrc')
        if not os.path.exists(peer.openrc):
            raise RuntimeError('no Cinder B at %s: run tools/stack.sh up '
                               '(part-peer.sh)' % peer.openrc)
        cls.env_a = cls.env
        cls.env_b = peer.cli_env()
        cls.made_b = {'clone': [], 'snapshot': [], 'volume': []}

    @contextlib.contextmanager
    def on_b(self):
        """Run the enclosed cinder CLI calls against cloud B."""
        type(self).env = self.env_b
        try:
            yield
        finally:
            type(self).env = self.env_a

    # -- helpers ---------------------------------------------------------

    def image(self, volume_id):
        return 'volume-%s' % volume_id

    def rbd_cli(self, *args, check=True):
        """The rbd CLI as the stack's Ceph user, outside OpenStack."""
        rc, out, err = cli.run(
            ['rbd', '-c', self.stack.ceph_conf, '--id',
             self.env_a['SNAPEXT_CEPH_ID']] + list(args),
            env=self.env_a, check=check)
        return out if check else (rc, out, err)

    def api_a(self, method, path, body):
        """A REST call to cloud A's Cinder (noauth, as the CLI sends)."""
        request = urllib.request.Request(
            self.env_a['CINDER_ENDPOINT'] + path, method=method,
            data=json.dumps(body).encode(),
            headers={'Content-Type': 'application/json',
                     'X-Auth-Token': '%s:%s' % (self.env_a['OS_USER_ID'],
                                                self.env_a['OS_PROJECT_ID']),
                     'OpenStack-API-Version': 'volume 3.71'})
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b'null')

    def manageable(self, kind, host):
        """(manageable-list or snapshot-manageable-list) rows by reference."""
        cmd = {'volume': 'manageable-list',
               'snapshot': 'snapshot-manageable-list'}[kind]
        rows = cli.parse_table(self.cinder(cmd, '--detailed', 'True', host))
        return {json.loads(r['reference'].replace("'", '"'))['source-name']:
                r for r in rows}

    def write(self, image, writes):
        for off, length, seed in writes:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)

    def snapshot_on_a(self, what, expected):
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          self.ctx['vol_a'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.wait_status('snapshot', snap_id, 'available')
        self.assertEqual(expected, self.image_sha256(
            self.image(self.ctx['vol_a']), 'snapshot-%s' % snap_id))
        return snap_id

    def volume_from_snapshot_on_b(self, what, snap_id):
        with self.on_b():
            out = self.cinder('create', '--snapshot-id', snap_id,
                              '--name', self.name(what), str(SIZE_GB))
            vol_id = cli.parse_properties(out)['id']
            self.made_b['clone'].append(vol_id)
            self.wait_status('volume', vol_id, 'available')
        return self.image_sha256(self.image(vol_id))

    # -- steps -------------------------------------------------------------

    @step
    def test_01_two_clouds(self):
        self.ctx['pool_before'] = self.rbd('ls', 'volumes')
        for env, host, other in ((self.env_a, HOST_A, HOST_B),
                                 (self.env_b, HOST_B, HOST_A)):
            type(self).env = env
            try:
                rows = cli.parse_table(self.cinder('service-list'))
            finally:
                type(self).env = self.env_a
            up = {(r['Binary'], r['Host']) for r in rows
                  if r['State'] == 'up'}
            self.assertIn(('cinder-volume', host), up, rows)
            # Its own database: none of the other deployment's services.
            self.assertNotIn(other.split('@')[0],
                             {h.split('@')[0] for _b, h in up}, rows)

    @step
    def test_02_volume_and_snapshots_on_a(self):
        out = self.cinder('create', '--volume-type', 'ceph',
                          '--name', self.name('vol'), str(SIZE_GB))
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.ctx['vol_a'] = vol_id
        self.wait_status('volume', vol_id, 'available')
        image = self.image(vol_id)
        self.write(image, FIRST)
        self.ctx['sha1'] = data.expected_sha256(SIZE, FIRST)
        self.ctx['snap1'] = self.snapshot_on_a('snap1', self.ctx['sha1'])
        self.write(image, SECOND)
        self.ctx['sha2'] = data.expected_sha256(SIZE, FIRST + SECOND)
        self.assertNotEqual(self.ctx['sha1'], self.ctx['sha2'])
        self.ctx['snap2'] = self.snapshot_on_a('snap2', self.ctx['sha2'])

    @step
    def test_03_export_snapshots_on_a(self):
        # One through the spec's route, which answers the reference...
        status, body = self.api_a(
            'POST', '/os-snapshot-manage/%s/action' % self.ctx['snap1'],
            {'os-unmanage': {}})
        self.assertEqual(202, status)
        self.assertEqual({'source-name': 'snapshot-%s' % self.ctx['snap1']},
                         body['snapshot']['reference'])
        # ... one through Cinder's, as 'cinder snapshot-unmanage' sends it.
        self.cinder('snapshot-unmanage', self.ctx['snap2'])
        for key in ('snap1', 'snap2'):
            self.wait_gone('snapshot', self.ctx[key])
            self.made['snapshot'].remove(self.ctx[key])
            self.ctx['ref_' + key] = 'snapshot-%s' % self.ctx[key]
        self.assertEqual(
            sorted([self.ctx['ref_snap1'], self.ctx['ref_snap2']]),
            self.rbd_snaps(self.image(self.ctx['vol_a'])))

    @step
    def test_04_export_volume_on_a(self):
        vol_id = self.ctx['vol_a']
        self.cinder('unmanage', vol_id)
        self.wait_gone('volume', vol_id)
        self.made['volume'].remove(vol_id)
        self.ctx['orphan_image'] = self.image(vol_id)
        self.assertIn(self.ctx['orphan_image'],
                      self.rbd('ls', 'volumes')['images'])

    @step
    def test_05_b_sees_the_exported_volume(self):
        with self.on_b():
            volumes = self.manageable('volume', HOST_B)
            snapshots = self.manageable('snapshot', HOST_B)
        self.assertEqual('True',
                         volumes[self.ctx['orphan_image']]['safe_to_manage'])
        # Its snapshots are listed, but cannot be imported before it is.
        row = snapshots[self.ctx['ref_snap1']]
        self.assertEqual('False', row['safe_to_manage'])
        self.assertIn(self.ctx['orphan_image'], row['reason_not_safe'])

    @step
    def test_06_import_volume_on_b(self):
        with self.on_b():
            out = self.cinder('manage', '--id-type', 'source-name',
                              '--name', self.name('vol-b'),
                              '--volume-type', 'ceph', HOST_B + '#ceph',
                              self.ctx['orphan_image'])
            vol_id = cli.parse_properties(out)['id']
            self.made_b['volume'].append(vol_id)
            vol = self.wait_status('volume', vol_id, 'available')
        self.ctx['vol_b'] = vol_id
        self.assertEqual(HOST_B + '#ceph', vol['os-vol-host-attr:host'])
        self.assertEqual(str(SIZE_GB), vol['size'])
        # The driver renamed the image after B's id, snapshots included.
        listing = self.rbd('ls', 'volumes')['images']
        self.assertNotIn(self.ctx.pop('orphan_image'), listing)
        self.assertEqual(
            sorted([self.ctx['ref_snap1'], self.ctx['ref_snap2']]),
            self.rbd_snaps(self.image(vol_id)))
        self.assertEqual(self.ctx['sha2'],
                         self.image_sha256(self.image(vol_id)))

    @step
    def test_07_import_snapshots_on_b(self):
        with self.on_b():
            listed = self.manageable('snapshot', HOST_B)
            for key in ('snap1', 'snap2'):
                row = listed[self.ctx['ref_' + key]]
                self.assertEqual(('True', '1'),
                                 (row['safe_to_manage'], row['size']), row)
                self.assertIn(self.ctx['vol_b'], row['extra_info'])
                out = self.cinder(
                    'snapshot-manage', '--id-type', 'source-name',
                    '--name', self.name(key + '-b'), self.ctx['vol_b'],
                    self.ctx['ref_' + key])
                snap_id = cli.parse_properties(out)['id']
                self.made_b['snapshot'].append(snap_id)
                snap = self.wait_status('snapshot', snap_id, 'available')
                self.assertEqual(self.ctx['vol_b'], snap['volume_id'])
                self.ctx[key + '_b'] = snap_id
        self.assertEqual(
            sorted('snapshot-%s' % self.ctx[k] for k in ('snap1_b',
                                                         'snap2_b')),
            self.rbd_snaps(self.image(self.ctx['vol_b'])))

    @step
    def test_08_data_of_imported_snapshots(self):
        for key, sha in (('snap1_b', 'sha1'), ('snap2_b', 'sha2')):
            self.assertEqual(
                self.ctx[sha],
                self.volume_from_snapshot_on_b('from-' + key, self.ctx[key]),
                'volume from %s differs from the data at snapshot time'
                % key)

    @step
    def test_09_foreign_snapshot_is_listed(self):
        image = self.image(self.ctx['vol_b'])
        self.write(image, THIRD)
        self.ctx['sha3'] = data.expected_sha256(SIZE, FIRST + SECOND + THIRD)
        foreign = self.name('foreign')
        self.rbd_cli('snap', 'create', 'volumes/%s@%s' % (image, foreign))
        self.ctx['foreign'] = foreign
        with self.on_b():
            row = self.manageable('snapshot', HOST_B)[foreign]
        self.assertEqual(('True', '1', '-'),
                         (row['safe_to_manage'], row['size'],
                          row['cinder_id']), row)
        self.assertIn(self.ctx['vol_b'], row['extra_info'])
        self.assertIn(image, row['source_reference'])
        # Cloud A manages no volume on that image: not importable there.
        self.assertEqual('False', self.manageable(
            'snapshot', HOST_A)[foreign]['safe_to_manage'])

    @step
    def test_10_import_foreign_snapshot(self):
        with self.on_b():
            out = self.cinder('snapshot-manage', '--id-type', 'source-name',
                              '--name', self.name('foreign-b'),
                              self.ctx['vol_b'], self.ctx['foreign'])
            snap_id = cli.parse_properties(out)['id']
            self.made_b['snapshot'].append(snap_id)
            self.wait_status('snapshot', snap_id, 'available')
            self.assertEqual('already managed', self.manageable(
                'snapshot', HOST_B)['snapshot-%s' % snap_id][
                    'reason_not_safe'])
        self.ctx.pop('foreign')
        self.assertEqual(self.ctx['sha3'], self.volume_from_snapshot_on_b(
            'from-foreign', snap_id))

    @step(always=True)
    def test_11_clean_up(self):
        if self.ctx.get('foreign'):
            # Not imported: B would refuse to delete its volume.
            self.rbd_cli('snap', 'rm', 'volumes/%s@%s' % (
                self.image(self.ctx['vol_b']), self.ctx.pop('foreign')))
        with self.on_b():
            # Volumes made from snapshots first: RBD keeps a snapshot with
            # clones busy.
            for vol_id in self.made_b['clone']:
                if self.cinder('delete', vol_id, check=False)[0] == 0:
                    self.wait_gone('volume', vol_id)
            self.sweep(self.name(''))
        # A failed step may leave A's volume managed with exported
        # snapshots (its delete is refused): export it too, then remove
        # the orphaned image on Ceph.
        for snap_id in list(self.made['snapshot']):
            self.cinder('snapshot-unmanage', snap_id, check=False)
            self.wait_gone('snapshot', snap_id)
            self.made['snapshot'].remove(snap_id)
        for vol_id in list(self.made['volume']):
            self.cinder('unmanage', vol_id)
            self.wait_gone('volume', vol_id)
            self.made['volume'].remove(vol_id)
            self.ctx['orphan_image'] = self.image(vol_id)
        orphan = self.ctx.pop('orphan_image', None)
        if orphan and orphan in self.rbd('ls', 'volumes')['images']:
            for snap in self.rbd_snaps(orphan):
                self.rbd_cli('snap', 'unprotect', 'volumes/%s@%s' % (
                    orphan, snap), check=False)
            self.rbd_cli('snap', 'purge', 'volumes/' + orphan)
            self.rbd_cli('rm', 'volumes/' + orphan)

    @step(always=True)
    def test_12_pool_as_before(self):
        before = self.ctx.get('pool_before')
        if before is None:
            self.skipTest('the first step did not record the pool')
        self.assertEqual(before, self.rbd('ls', 'volumes'))
