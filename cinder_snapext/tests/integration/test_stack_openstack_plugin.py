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

"""The openstack CLI plugin against the real stack, noauth or Keystone.

``openstack`` of the stack's venv, where the repo is installed, reaches
Cinder as cloud ``snapext`` of ``<state>/clouds.yaml``: an admin_token
for noauth Cinder, a password through Keystone when the stack runs with
``AUTH=keystone``. Export an RBD snapshot and read the reference it
prints; import it back with ``--host``, refused first for a host that
does not serve the volume; admin metadata set, listed and unset; the
phase listing answers; ``volume protection`` protects the volume's data,
lists and restores it (checked by checksum through librbd) and prunes.
"""

import json

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import clients
from cinder_snapext.tests.integration import data

HOST = 'ci@ceph'
OTHER_HOST = 'ci@nfs'
PROTECTED = [(0, 8, 'osc-protect-before')]
OVERWRITTEN = [(0, 8, 'osc-protect-after')]


class OpenStackPluginTest(base.ScenarioTestCase):
    """Every kind of command of the plugin on one RBD volume."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.osc = clients.OpenStackClient(cls.stack)

    def plugin(self, *args, expect=0):
        """Run ``openstack volume snapshot ARGS``; returns its output."""
        rc, out, text = self.osc.openstack('volume', 'snapshot', *args)
        self.assertEqual(expect, rc, text)
        return out if expect == 0 else text

    def plugin_json(self, *args):
        return json.loads(self.plugin(*args + ('-f', 'json')))

    def protection(self, *args):
        """``openstack volume protection ARGS -f json``, as cron would."""
        rc, out, text = self.osc.openstack(
            'volume', 'protection', *args + (
                '-f', 'json', '--no-progress', '--poll-interval', '1'))
        self.assertEqual(0, rc, text)
        return json.loads(out)

    @step
    def test_01_volume_and_snapshot(self):
        out = self.cinder('create', '--volume-type', 'ceph', '--name',
                          self.name('vol'), '1')
        self.ctx['volume'] = cli.parse_properties(out)['id']
        self.made['volume'].append(self.ctx['volume'])
        self.wait_status('volume', self.ctx['volume'], 'available')
        out = self.cinder('snapshot-create', '--name', self.name('snap'),
                          self.ctx['volume'])
        self.ctx['snapshot'] = cli.parse_properties(out)['id']
        self.made['snapshot'].append(self.ctx['snapshot'])
        self.wait_status('snapshot', self.ctx['snapshot'], 'available')

    @step
    def test_02_export_prints_the_reference(self):
        snapshot = self.ctx['snapshot']
        exported = self.plugin_json('export', self.name('snap'))
        name = 'snapshot-%s' % snapshot
        self.assertEqual(
            (snapshot, self.ctx['volume'], 'unmanaging',
             {'source-name': name}, 'source-name=%s' % name),
            (exported['id'], exported['volume_id'], exported['status'],
             exported['reference'], exported['remote_source']))
        self.wait_gone('snapshot', snapshot)
        self.made['snapshot'].remove(snapshot)
        self.ctx['remote_source'] = exported['remote_source']
        self.assertIn(name, self.rbd_snaps('volume-%s' % self.ctx['volume']))

    @step
    def test_03_import_with_host(self):
        args = ('import', '--volume', self.ctx['volume'],
                '--remote-source', self.ctx['remote_source'])
        text = self.plugin(*args + ('--host', OTHER_HOST), expect=1)
        self.assertIn('HTTP 400', text)
        self.assertIn(OTHER_HOST, text)
        imported = self.plugin_json(*args + ('--host', HOST,
                                             self.name('imported')))
        self.made['snapshot'].append(imported['id'])
        self.ctx['imported'] = imported['id']
        self.assertEqual((self.ctx['volume'], 'creating'),
                         (imported['volume_id'], imported['status']))
        self.wait_status('snapshot', imported['id'], 'available')
        # The driver renamed the backend snapshot after its new id.
        self.assertIn('snapshot-%s' % imported['id'],
                      self.rbd_snaps('volume-%s' % self.ctx['volume']))

    @step
    def test_04_admin_metadata_set_list_unset(self):
        snapshot = self.ctx['imported']
        self.plugin('admin', 'metadata', 'set', '--property', 'ticket=OPS-1',
                    '--property', 'owner=ops', snapshot)
        listed = self.plugin_json('admin', 'metadata', 'list', snapshot)
        self.assertEqual({'ticket': 'OPS-1', 'owner': 'ops'},
                         {row['Key']: row['Value'] for row in listed})
        self.plugin('admin', 'metadata', 'unset', '--property', 'ticket',
                    snapshot)
        text = self.plugin('admin', 'metadata', 'set', '--property',
                           'snapext:phase=create_done', snapshot, expect=1)
        self.assertIn('HTTP 400', text)
        listed = self.plugin_json('admin', 'metadata', 'list', snapshot)
        self.assertEqual([{'Key': 'owner', 'Value': 'ops'}], listed)

    @step
    def test_05_phases(self):
        listed = self.plugin_json('phase', 'list', '--long')
        self.assertIsInstance(listed, list)
        self.assertNotIn(self.ctx['imported'],
                         [row['Snapshot ID'] for row in listed])
        text = self.plugin('phase', 'show', self.ctx['imported'], expect=1)
        self.assertIn('HTTP 404', text)
        self.assertIn('has no assisted snapshot phase', text)

    @step
    def test_06_protection_protect_list(self):
        image = 'volume-%s' % self.ctx['volume']
        for off, length, seed in PROTECTED:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        self.ctx['sha'] = self.image_sha256(image)
        self.assertEqual(data.expected_sha256(data.GiB, PROTECTED),
                         self.ctx['sha'])
        record = self.protection('protect', self.name('vol'), '--name',
                                 self.name('protection'))
        self.made['snapshot'].append(record['id'])
        self.ctx['protection'] = record['id']
        self.assertEqual(('available', self.ctx['volume']),
                         (record['status'], record['volume_id']))
        rows = self.protection('list', self.ctx['volume'])
        self.assertEqual([record['id']], [row['id'] for row in rows])

    @step
    def test_07_protection_restore_has_the_protected_data(self):
        image = 'volume-%s' % self.ctx['volume']
        for off, length, seed in OVERWRITTEN:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        self.assertNotEqual(self.ctx['sha'], self.image_sha256(image))
        restored = self.protection('restore', self.ctx['protection'],
                                   '--name', self.name('restored'))
        self.made['volume'].append(restored['id'])
        self.assertEqual(('available', self.ctx['protection']),
                         (restored['status'], restored['snapshot_id']))
        self.assertEqual(self.ctx['sha'],
                         self.image_sha256('volume-%s' % restored['id']),
                         'restored data differs from the protected data')
        # An RBD clone of the protection: it goes before its snapshot can.
        self.cinder('delete', restored['id'])
        self.wait_gone('volume', restored['id'])
        self.made['volume'].remove(restored['id'])

    @step
    def test_08_protection_prune(self):
        newer = self.protection('protect', self.ctx['volume'], '--name',
                                self.name('newer'))
        self.made['snapshot'].append(newer['id'])
        rows = self.protection('prune', self.ctx['volume'], '--keep-last',
                               '1')
        # The imported snapshot is not a protection: its row says ignored.
        self.assertEqual(
            {self.ctx['protection']: 'deleted', newer['id']: 'kept',
             self.ctx['imported']: 'ignored'},
            {row['id']: row['action'] for row in rows})
        self.assertIsNone(self.show('snapshot', self.ctx['protection']))
        self.made['snapshot'].remove(self.ctx['protection'])

    @step(always=True)
    def test_99_delete_everything(self):
        if self.ctx.get('remote_source') and not self.ctx.get('imported'):
            self.take_back(self.ctx['volume'],
                           self.ctx['remote_source'].split('=', 1)[1])
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
