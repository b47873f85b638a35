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

"""Snapshots on the stack's NFS backend, online ones through emulated Nova.

The volume is a file on the share (a bind-mounted folder): data is
written with ``qemu-io`` into whatever file is active, and read back with
``qemu-img convert`` of a file's whole chain. The volume is attached
through Cinder's attachments API without an instance, so Cinder takes
its online paths and calls tools/stack/nova_emulator.py, which changes
the chain as libvirt would and calls back ``os-update_snapshot_status``.
"""

import os

from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import nfs_base
from cinder_snapext.tests.integration.nfs_base import ATTACH_ARGS
from cinder_snapext.tests.integration.nfs_base import BACKEND
from cinder_snapext.tests.integration.nfs_base import SIZE_GB


class NfsAssistedSnapshotTest(nfs_base.NfsScenarioTestCase):
    """Offline and Nova-assisted snapshots on the real NFS driver."""

    # -- helpers --------------------------------------------------------

    def delete_snapshot(self, snapshot_id):
        self.cinder('snapshot-delete', snapshot_id)
        self.wait_gone('snapshot', snapshot_id)
        self.made['snapshot'].remove(snapshot_id)

    # -- offline ----------------------------------------------------------

    @step
    def test_01_create_volume_with_data(self):
        out = self.cinder('create', '--volume-type', BACKEND, '--name',
                          self.name('nfs'), str(SIZE_GB))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.ctx['volume'] = volume_id
        self.wait_status('volume', volume_id, 'available')
        self.assertEqual(['volume-%s' % volume_id],
                         self.files_of(volume_id))
        self.write(0, 8, 0x11)
        self.write(512, 4, 0x22)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_02_offline_snapshot_keeps_its_data(self):
        snapshot_id = self.snapshot('offline')
        self.ctx['offline'] = snapshot_id
        self.ctx['offline_sha'] = self.expected()
        self.assertEqual('volume-%s.%s' % (self.ctx['volume'], snapshot_id),
                         self.info()['active'])
        self.write(0, 4, 0x33)
        self.assertEqual(self.ctx['offline_sha'],
                         self.snapshot_sha(snapshot_id))
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_03_volume_from_snapshot_has_snapshot_data(self):
        out = self.cinder('create', '--volume-type', BACKEND,
                          '--snapshot-id', self.ctx['offline'],
                          '--name', self.name('from-snap'), str(SIZE_GB))
        clone = cli.parse_properties(out)['id']
        self.made['volume'].append(clone)
        self.wait_status('volume', clone, 'available')
        self.assertEqual(self.ctx['offline_sha'],
                         self.sha_of('volume-%s' % clone))
        self.cinder('delete', clone)
        self.wait_gone('volume', clone)
        self.made['volume'].remove(clone)
        self.assertEqual([], self.files_of(clone))

    @step
    def test_04_offline_delete_keeps_later_writes(self):
        self.delete_snapshot(self.ctx['offline'])
        self.assertEqual({'active': 'volume-%s' % self.ctx['volume']},
                         self.info())
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    # -- online, through the emulated Nova -----------------------------------

    @step
    def test_05_attach_without_instance(self):
        out = self.cinder('attachment-create', *ATTACH_ARGS,
                          self.ctx['volume'])
        attachment_id = cli.parse_properties(out)['id']
        self.ctx['attachment'] = attachment_id
        self.cinder('attachment-complete', attachment_id)
        volume = self.wait_status('volume', self.ctx['volume'], 'in-use')
        self.assertIn(attachment_id, volume['attachment_ids'])

    @step
    def test_06_online_create_legacy_callback(self):
        self.behave(delay=1.0)
        snapshot_id = self.snapshot('online-1')
        self.ctx['online1'] = snapshot_id
        self.ctx['online1_sha'] = self.expected()
        events = self.nova_events(snapshot_id)
        self.assertEqual(['create'], [e['op'] for e in events])
        self.assertEqual([({'status': 'creating', 'progress': '90%'}, 202)],
                         [(c['update'], c['code'])
                          for c in events[0]['callbacks']])
        self.assertIsNone(events[0]['error'])
        self.assertEqual('volume-%s.%s' % (self.ctx['volume'], snapshot_id),
                         self.active())
        self.assertEqual(self.ctx['online1_sha'],
                         self.snapshot_sha(snapshot_id))
        self.write(100, 4, 0x44)

    @step
    def test_07_online_create_compute_snapshot_status(self):
        self.behave(delay=0.5, compute_snapshot_status=True)
        snapshot_id = self.snapshot('online-2')
        self.ctx['online2'] = snapshot_id
        self.ctx['online2_sha'] = self.expected()
        callbacks = self.nova_events(snapshot_id)[0]['callbacks']
        self.assertEqual([('creating_compute_complete', 202)],
                         [(c['update']['compute_snapshot_status'],
                           c['code']) for c in callbacks])
        self.assertEqual(self.ctx['online2_sha'],
                         self.snapshot_sha(snapshot_id))
        self.write(200, 4, 0x55)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_08_online_delete_inner_snapshot_commits(self):
        self.behave(delay=0.5)
        self.delete_snapshot(self.ctx['online1'])
        event = self.nova_events(self.ctx['online1'])[-1]
        self.assertEqual(('delete', 'volume-%s' % self.ctx['volume']),
                         (event['op'], event['info']['merge_target_file']))
        self.assertIsNone(event['error'])
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.assertEqual(self.ctx['online2_sha'],
                         self.snapshot_sha(self.ctx['online2']))

    @step
    def test_09_online_delete_active_snapshot_pulls(self):
        self.behave(delay=0.5, compute_snapshot_status=True)
        self.delete_snapshot(self.ctx['online2'])
        event = self.nova_events(self.ctx['online2'])[-1]
        self.assertEqual(('delete', None),
                         (event['op'], event['info']['merge_target_file']))
        self.assertEqual('delete_compute_complete',
                         event['callbacks'][0]['update'][
                             'compute_snapshot_status'])
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.assertEqual(['active'], list(self.info()))

    # -- what Nova may get wrong --------------------------------------------

    @step
    def test_10_nova_error_fails_create(self):
        before = self.info()
        self.behave(delay=0.5, failure='error')
        snapshot_id = self.snapshot('nova-error', status='error')
        self.assertEqual('error', self.nova_events(snapshot_id)[0][
            'callbacks'][0]['update']['status'])
        self.behave(delay=0.5, failure='error', compute_snapshot_status=True)
        new_field = self.snapshot('nova-error-2', status='error')
        self.assertEqual('creating_compute_error', self.nova_events(
            new_field)[0]['callbacks'][0]['update'][
                'compute_snapshot_status'])
        self.behave(failure='http_error')
        refused = self.snapshot('nova-refuses', status='error')
        self.assertEqual([], self.nova_events(refused)[0]['callbacks'])
        # The instance never moved: the chain and the data are as before.
        self.assertEqual(before, self.info())
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.behave(delay=0.5)
        for failed in (snapshot_id, new_field, refused):
            self.delete_snapshot(failed)
        self.assertEqual(before, self.info())

    @step
    def test_11_nova_error_fails_delete(self):
        self.behave(delay=0.5)
        snapshot_id = self.snapshot('delete-error')
        sha = self.expected()
        self.behave(delay=0.5, failure='error', compute_snapshot_status=True)
        self.cinder('snapshot-delete', snapshot_id)
        self.wait_for('snapshot %s error_deleting' % snapshot_id,
                      lambda: self.lookup('snapshot', snapshot_id)[
                          'status'] == 'error_deleting')
        self.assertEqual(sha, self.snapshot_sha(snapshot_id))
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        # What an operator does once Nova is fixed.
        self.behave(delay=0.5)
        self.cinder('snapshot-reset-state', '--state', 'available',
                    snapshot_id)
        self.delete_snapshot(snapshot_id)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_12_late_and_duplicate_callbacks_are_harmless(self):
        self.behave(delay=0.5, duplicates=1, duplicate_delay=1.0)
        snapshot_id = self.snapshot('duplicate')
        info = self.info()
        callbacks = self.wait_for('the duplicate callback',
                                  lambda: self.callbacks(snapshot_id, 2))
        late = self.nova('POST', '/emulator/callback', {
            'snapshot_id': snapshot_id, 'status': 'creating',
            'compute_snapshot_status': 'creating_compute_complete'})
        for answer in callbacks[1:] + [late]:
            self.assertTrue(400 <= answer['code'] < 500, answer)
        self.assertEqual('available',
                         self.show('snapshot', snapshot_id)['status'])
        self.assertEqual(info, self.info())
        self.behave(delay=0.5)
        self.delete_snapshot(snapshot_id)
        self.assertEqual(self.expected(), self.sha_of(self.active()))

    @step
    def test_12b_silent_nova_times_out(self):
        before, data = self.info(), self.expected()
        self.behave(failure='no_callback')
        snapshot_id = self.snapshot('nova-silent', status='creating')
        self.wait_for('Nova asked', lambda: self.nova_events(snapshot_id))
        self.wait_for('phase waiting for Nova', lambda: self.admin_metadata(
            snapshot_id).get('snapext:phase') == 'create_waiting_compute')
        self.pass_deadline(snapshot_id)
        self.wait_status('snapshot', snapshot_id, 'error', timeout=60)
        metadata = self.admin_metadata(snapshot_id)
        self.assertEqual('create_failed', metadata['snapext:phase'])
        self.assertIn('did not answer', metadata['snapext:phase_error'])
        messages = [row for row in cli.parse_table(
            self.cinder('message-list'))
            if row.get('Resource UUID') == snapshot_id]
        self.assertEqual(1, len(messages), messages)
        # Nova may yet switch the instance to the new overlay: it stays,
        # named for the operator; Cinder's chain and data are as before.
        left = metadata['nfs:left_file']
        self.assertTrue(os.path.exists(self.path(left)))
        self.assertEqual(before, self.info())
        self.assertEqual(data, self.sha_of(self.active()))
        self.behave(delay=0.5)
        self.delete_snapshot(snapshot_id)
        # The operator, having checked that the instance never used it.
        os.unlink(self.path(left))
        self.assertEqual(before, self.info())

    @step
    def test_13_detach_delete_share_empty(self):
        self.cinder('attachment-delete', self.ctx['attachment'])
        self.wait_status('volume', self.ctx['volume'], 'available')
        self.ctx.pop('attachment')
        self.assertEqual(self.expected(), self.sha_of(self.active()))
        self.cinder('delete', self.ctx['volume'])
        self.wait_gone('volume', self.ctx['volume'])
        self.made['volume'].remove(self.ctx['volume'])
        self.assertEqual([], self.files_of(self.ctx['volume']))

    @step(always=True)
    def test_14_clean_up(self):
        self.nova('DELETE', '/emulator/behaviour')
        if self.ctx.get('attachment'):
            self.cinder('attachment-delete', self.ctx['attachment'],
                        check=False)
        for snapshot_id in list(self.made['snapshot']):
            snap = self.show('snapshot', snapshot_id)
            if snap and snap['status'] not in ('available', 'error'):
                self.cinder('snapshot-reset-state', '--state', 'error',
                            snapshot_id, check=False)
        for volume_id in self.made['volume']:
            vol = self.show('volume', volume_id)
            if vol and vol['status'] not in ('available', 'error'):
                self.cinder('reset-state', '--state', 'available',
                            '--attach-status', 'detached', volume_id,
                            check=False)
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        self.assertEqual([], [n for n in os.listdir(self.share_dir)
                              if n.startswith('volume-')])
