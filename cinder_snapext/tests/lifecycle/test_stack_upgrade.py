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

"""Upgrade in place with work in flight, on the real stack.

``tools/stack.sh downgrade-plugin`` puts an earlier cinder-snapext (a
commit of this repository, before the exports table) into the stack;
with it, a snapshot backup chain with its restore point, an exported
snapshot, a protection point (its ``cinder-snapext-protect``) and an
assisted snapshot on NFS whose phase waits for (emulated) Nova are made.
``tools/stack.sh upgrade-plugin services`` then upgrades the package and
restarts cinder-volume and cinder-backup as the install guide orders it;
in that mixed window (the old API in front of the new services) reads
and RPCs must work. ``upgrade-plugin api`` finishes. The new release must
complete the assisted snapshot when Nova's callback arrives, restore the
old protection point and backups, know the old export (recorded by the
volume service at start, refused on volume delete), continue the chain
and import the export, all checked by checksums.
"""

import os

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import nfs_base
from cinder_snapext.tests.integration import protect_cli

# (offset MiB, length MiB, seed), in the order they are written.
FIRST = [(0, 16, 'up-first'), (600, 8, 'up-first-b')]
BEFORE_SNAP = [(100, 8, 'up-a')]
AFTER_SNAP = [(300, 8, 'up-b')]
BEFORE_EXPORT = [(50, 4, 'up-c')]
AFTER_UPGRADE = [(700, 4, 'up-d')]
WAITING = 'create_waiting_compute'
NFS_BYTE = 0x5a


class UpgradeTest(protect_cli.ProtectCommandMixin,
                  backup_base.RbdBackupScenario,
                  nfs_base.NfsScenarioTestCase):
    """State made by an earlier release, finished by this one."""

    # Runs alone: openrc's project, as the stack's (base.py).
    own_project = False

    def _manage(self, *args):
        argv = [os.path.join(self.stack.venv, 'bin', 'cinder-snapext-manage'),
                '--config-file', os.path.join(self.stack.dir, 'cinder.conf')]
        return cli.run(argv + list(args), env=self.env)[1]

    def phase(self, snapshot_id):
        return self.admin_metadata(snapshot_id).get('snapext:phase')

    def admin_metadata(self, snapshot_id):
        """A snapshot's admin metadata through cinder-snapext's API."""
        code, body = self.api('GET', '/snapshots/%s/snapext-admin-metadata'
                              % snapshot_id)
        self.assertEqual(200, code, body)
        return body['admin_metadata']

    @step
    def test_01_earlier_release_installed(self):
        self.ctx['upgrading'] = True
        self.stack_tool('downgrade-plugin', timeout=900)
        self.assertIn('0001', self._manage('db', 'version'))

    @step
    def test_02_backups_by_the_earlier_release(self):
        sha = self._create_volume('up-vol', FIRST)
        backup_id, backup = self._backup('up-full')
        self.ctx['bk_full'] = (backup_id, sha)
        self._snapshot_between('up-snap', BEFORE_SNAP, AFTER_SNAP)
        backup_id, backup = self._backup(
            'up-snap-incr', '--incremental', '--snapshot-id',
            self.ctx['snapshot'])
        self.assertEqual('True', backup['is_incremental'])
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')
        self.ctx['bk_snap'] = (backup_id, self.ctx['sha_snap'])
        # Its restore point, taken by the earlier release.
        image = 'volume-%s.backup.%s' % (self.ctx['volume'], backup_id)
        self.wait_for('restore point of %s' % backup_id,
                      lambda: self.rbd_snaps(image, 'backups'), timeout=60)

    @step
    def test_03_export_by_the_earlier_release(self):
        sha = self._write(BEFORE_EXPORT)
        ref = self.export(self.ctx['volume'], 'up-exp')
        self.ctx['export'] = (ref, sha)

    @step
    def test_04_protection_point_by_the_earlier_release(self):
        result = self.protect_cli('protect', self.ctx['volume'], '--name',
                                  self.name('up-protect'), '--keep', '2')
        self.made['snapshot'].append(result['id'])
        self.assertEqual('available', result['status'])
        self.ctx['protection'] = (result['id'], data.expected_sha256(
            self.SIZE_GB * data.GiB, self.written))

    @step
    def test_04b_assisted_phase_open_with_nova_waiting(self):
        volume_id = self.create_volume('up-nfs', volume_type=nfs_base.BACKEND)
        self.ctx['nfs'] = volume_id
        # What the instance wrote before the snapshot: the snapshot's data.
        name = 'volume-%s' % volume_id
        self.assertEqual('raw', self.image_info(name)['format'])
        with open(self.path(name), 'r+b') as f:
            f.write(bytes([NFS_BYTE]) * (4 * data.MiB))
        self.ctx['nfs_sha'] = data.fill_sha256(self.SIZE_GB * data.GiB,
                                               [(0, 4, NFS_BYTE)])
        out = self.cinder('attachment-create', *nfs_base.ATTACH_ARGS,
                          volume_id)
        self.ctx['attachment'] = cli.parse_properties(out)['id']
        self.cinder('attachment-complete', self.ctx['attachment'])
        self.wait_status('volume', volume_id, 'in-use')
        # Nova takes the request and says nothing until told to.
        self.nova('PUT', '/emulator/behaviour', {'failure': 'no_callback'})
        snapshot_id = self.snapshot('up-assisted', volume_id=volume_id,
                                    status='creating')
        self.ctx['assisted'] = snapshot_id
        self.wait_for('Nova asked', lambda: self.nova(
            'GET', '/emulator/events?snapshot_id=%s' % snapshot_id)['events'])
        self.wait_for('phase waiting for Nova', lambda: self.phase(
            snapshot_id) == WAITING)

    @step
    def test_04c_volume_and_backup_services_upgraded(self):
        self.ctx.pop('upgrading')
        self.ctx['half_upgraded'] = True
        self.stack_tool('upgrade-plugin', 'services', timeout=900)
        self.assertNotIn('0001', self._manage('db', 'version'))

    @step
    def test_04d_mixed_window_reads_and_rpc(self):
        # The old API, in front of the new volume service: the snapshot
        # still waits for Nova, and the RPCs of an export go through.
        self.assertEqual('creating',
                         self.show('snapshot', self.ctx['assisted'])['status'])
        self.assertEqual(WAITING, self.phase(self.ctx['assisted']))
        # An export: snapshot create and unmanage, each an RPC to the new
        # volume service, which records the export for the new API.
        sha = data.expected_sha256(self.SIZE_GB * data.GiB, self.written)
        self.ctx['export_mixed'] = (self.export(self.ctx['volume'],
                                                'up-mixed'), sha)

    @step
    def test_04e_api_upgraded(self):
        self.ctx.pop('half_upgraded')
        self.stack_tool('upgrade-plugin', 'api', timeout=900)

    @step
    def test_04f_nova_answers_after_the_upgrade(self):
        snapshot_id = self.ctx['assisted']
        self.nova('DELETE', '/emulator/behaviour')
        self.nova('POST', '/emulator/callback',
                  {'snapshot_id': snapshot_id, 'status': 'creating'})
        self.wait_status('snapshot', snapshot_id, 'available')
        self.assertEqual('create_done', self.phase(snapshot_id))
        overlay = self.info(self.ctx['nfs'])[snapshot_id]
        self.assertEqual(self.ctx['nfs_sha'], self.overlay_sha(overlay))

    @step
    def test_04g_earlier_protection_point_restores(self):
        protection, sha = self.ctx['protection']
        result = self.protect_cli('restore', '--latest', self.ctx['volume'],
                                  '--name', self.name('up-restored'))
        self.made['volume'].append(result['id'])
        self.assertEqual(('available', protection),
                         (result['status'], result['snapshot_id']))
        self.assertEqual(sha, self.image_sha256(
            self.volume_image(result['id'])))
        # A clone of the protection point: it goes first.
        self.cinder('delete', result['id'])
        self.wait_gone('volume', result['id'])
        self.made['volume'].remove(result['id'])
        self.assertEqual([{'id': protection, 'result': 'deleted'}],
                         self.protect_cli('delete', protection))
        self.made['snapshot'].remove(protection)

    @step
    def test_05_the_earlier_export_is_known_and_guards_delete(self):
        listed = self._manage('exports', 'list')
        for key in ('export', 'export_mixed'):
            self.assertIn(self.ctx[key][0][len('snapshot-'):], listed)
        ref = self.ctx['export'][0]
        rc, out, err = self.cinder('delete', self.ctx['volume'],
                                   check=False)
        self.assertIn(ref, out + err)
        self.assertNotEqual('deleting',
                            self.show('volume', self.ctx['volume'])['status'])

    @step
    def test_06_earlier_backups_restore(self):
        self.restore_backup('bk_full')
        self.restore_backup('bk_snap')

    @step
    def test_07_chain_continues_after_upgrade(self):
        sha = self._write(AFTER_UPGRADE)
        backup_id, backup = self._backup('up-after', '--incremental')
        self.assertEqual('True', backup['is_incremental'])
        self.ctx['bk_after'] = (backup_id, sha)
        self.restore_backup('bk_after')

    @step
    def test_08_earlier_exports_import(self):
        image = self.volume_image(self.ctx['volume'])
        for key in ('export', 'export_mixed'):
            ref, sha = self.ctx.pop(key)
            snap = self.take_back(self.ctx['volume'], ref)
            self.assertEqual(sha, self.image_sha256(image,
                                                    'snapshot-%s' % snap))

    @step(always=True)
    def test_09_delete_everything(self):
        if self.ctx.pop('upgrading', None):
            self.stack_tool('upgrade-plugin', timeout=900)
        if self.ctx.pop('half_upgraded', None):
            self.stack_tool('upgrade-plugin', 'api', timeout=900)
        self.nova('DELETE', '/emulator/behaviour')
        for key in ('export', 'export_mixed'):
            if self.ctx.get(key):
                self.take_back(self.ctx['volume'], self.ctx.pop(key)[0])
        if self.ctx.get('assisted') and self.show(
                'snapshot', self.ctx['assisted'])['status'] == 'creating':
            self.nova('POST', '/emulator/callback', {
                'snapshot_id': self.ctx['assisted'], 'status': 'creating'})
            self.wait_status('snapshot', self.ctx['assisted'], 'available')
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx.pop('attachment'))
            self.wait_status('volume', self.ctx['nfs'], 'available')
        self.sweep_made()

    @step(always=True)
    def test_10_no_image_left_behind(self):
        self._assert_no_image_left()
