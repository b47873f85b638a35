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

"""Protection on the real stack: protect, restore, retention, hooks.

cinder-snapext-protect runs as cron would run it, with the stack's openrc;
data is written and checked through librbd. The calendar retention works
on is simulated in the one place no API can: the created_at of the
protection snapshots' rows in the stack's database, which Cinder then
answers and retention reads.
"""

import os

import fixtures

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import protect_cli

SIZE_GB = 1
BEFORE = [(0, 16, 'protect-before'), (700, 8, 'protect-tail')]
AFTER = [(0, 16, 'protect-after')]
# Nights at 23:30 UTC across the new year; ISO week 53 of 2026 runs from
# Monday 28 December to Sunday 3 January.
NIGHTS = ['2026-12-30', '2026-12-31', '2027-01-03', '2027-01-05']
POLICY = ('--keep-daily', '1', '--keep-monthly', '2', '--keep-weekly', '2')


class CephProtectionTest(protect_cli.ProtectCommandMixin,
                         base.ScenarioTestCase):
    """cinder-snapext-protect against the real Cinder and Ceph."""

    def backdate(self, snapshot_id, when):
        database = cinder_db.CinderDb(self.stack.dir)
        try:
            changed = database.update(
                'UPDATE snapshots SET created_at = :when '
                'WHERE id = :id AND NOT deleted',
                {'id': snapshot_id, 'when': when})
        finally:
            database.close()
        self.assertEqual(1, changed)

    def image(self, volume_id):
        return 'volume-%s' % volume_id

    @step
    def test_01_volume_with_data(self):
        out = self.cinder('create', '--volume-type', 'ceph',
                          '--name', self.name('protected'), str(SIZE_GB))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.ctx['volume'] = volume_id
        self.wait_status('volume', volume_id, 'available')
        for off, length, seed in BEFORE:
            self.rbd('write', 'volumes', self.image(volume_id), str(off),
                     str(length), seed)
        self.ctx['sha_before'] = data.expected_sha256(SIZE_GB * data.GiB,
                                                      BEFORE)
        self.assertEqual(self.ctx['sha_before'],
                         self.image_sha256(self.image(volume_id)))

    @step
    def test_02_protect(self):
        result = self.protect_cli('protect', self.ctx['volume'], '--name',
                                  self.name('protection'), '--keep', '2')
        self.made['snapshot'].append(result['id'])
        self.ctx['protection'] = result['id']
        self.assertEqual(('available', self.ctx['volume']),
                         (result['status'], result['volume_id']))

    @step
    def test_03_overwrite(self):
        image = self.image(self.ctx['volume'])
        for off, length, seed in AFTER:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        self.assertNotEqual(self.ctx['sha_before'], self.image_sha256(image))

    @step
    def test_04_restore_has_the_protected_data(self):
        result = self.protect_cli('restore', '--latest', self.ctx['volume'],
                                  '--name', self.name('restored'))
        self.made['volume'].append(result['id'])
        self.ctx['restored'] = result['id']
        self.assertEqual(('available', self.ctx['protection']),
                         (result['status'], result['snapshot_id']))
        self.assertEqual(self.ctx['sha_before'],
                         self.image_sha256(self.image(result['id'])),
                         'restored data differs from the protected data')

    @step
    def test_05_delete_protection(self):
        # The restored volume is an RBD clone of the snapshot: it goes
        # first, as it would for any snapshot with clones.
        self.cinder('delete', self.ctx['restored'])
        self.wait_gone('volume', self.ctx['restored'])
        self.made['volume'].remove(self.ctx['restored'])
        self.assertEqual(
            [{'id': self.ctx['protection'], 'result': 'deleted'}],
            self.protect_cli('delete', self.ctx['protection']))
        self.made['snapshot'].remove(self.ctx['protection'])
        self.assertIsNone(self.show('snapshot', self.ctx['protection']))

    @step
    def test_06_protect_nightly_with_hooks(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        marks = os.path.join(tmp, 'marks')
        self.ctx['nights'] = {}
        for night in NIGHTS:
            result = self.protect_cli(
                'protect', self.ctx['volume'], '--name',
                self.name('night-%s' % night),
                '--pre', 'echo "pre $SNAPEXT_VOLUME_ID" >> %s; echo synced'
                % marks, '--post', 'echo "post $SNAPEXT_PROTECT_STATUS '
                '$SNAPEXT_SNAPSHOT_ID" >> %s' % marks)
            self.made['snapshot'].append(result['id'])
            self.ctx['nights'][night] = result['id']
            self.assertEqual('available', result['status'])
            self.backdate(result['id'], night + ' 23:30:00')
        with open(marks) as f:
            lines = f.read().splitlines()
        self.assertEqual(
            [line for night in NIGHTS for line in (
                'pre %s' % self.ctx['volume'],
                'post available %s' % self.ctx['nights'][night])], lines)
        status, body = self.api(
            'GET', '/snapshots/%s' % self.ctx['nights'][NIGHTS[0]])
        self.assertEqual(200, status)
        metadata = body['snapshot']['metadata']
        self.assertRegex(metadata['snapext-hook-pre'],
                         r'^exited 0 after \d+\.\ds: synced$')
        self.assertRegex(metadata['snapext-hook-post'],
                         r'^exited 0 after \d+\.\ds$')

    @step
    def test_07_prune_dry_run_says_why(self):
        nights = self.ctx['nights']
        rows = {row['id']: (row['action'], row['reasons']) for row in
                self.protect_cli('prune', self.ctx['volume'], *POLICY,
                                 '--dry-run')}
        self.assertEqual(
            {nights['2027-01-05']: ('keep', [
                'daily 2027-01-05', 'weekly 2027-W01', 'monthly 2027-01']),
             nights['2027-01-03']: ('keep', ['weekly 2026-W53']),
             nights['2026-12-31']: ('keep', ['monthly 2026-12']),
             nights['2026-12-30']: ('delete', ['kept by no rule'])}, rows)
        self.assertIsNotNone(self.show('snapshot', nights['2026-12-30']))

    @step
    def test_08_prune(self):
        nights = self.ctx['nights']
        rows = self.protect_cli('prune', self.ctx['volume'], *POLICY)
        self.assertEqual(['deleted'], [row['action'] for row in rows
                                       if row['id'] == nights['2026-12-30']])
        self.assertIsNone(self.show('snapshot', nights['2026-12-30']))
        self.made['snapshot'].remove(nights['2026-12-30'])
        for night in NIGHTS[1:]:
            self.assertEqual('available',
                             self.show('snapshot', nights[night])['status'])

    @step(always=True)
    def test_09_clean_up(self):
        self.sweep_made()
