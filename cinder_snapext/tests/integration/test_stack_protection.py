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

"""Protection on the real stack: protect, overwrite, restore, compare.

cinder-snapext-protect runs as cron would run it, with the stack's openrc;
data is written and checked through librbd.
"""

import json
import os

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data

SIZE_GB = 1
BEFORE = [(0, 16, 'protect-before'), (700, 8, 'protect-tail')]
AFTER = [(0, 16, 'protect-after')]


class CephProtectionTest(base.ScenarioTestCase):
    """cinder-snapext-protect against the real Cinder and Ceph."""

    def protect_cli(self, *args):
        command = os.path.join(self.stack.venv, 'bin',
                               'cinder-snapext-protect')
        rc, out, err = cli.run(
            [command] + list(args) + ['--no-progress', '--format', 'json'],
            env=self.env, timeout=base.TIMEOUT, check=False)
        self.assertEqual(0, rc, err)
        return json.loads(out)

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

    @step(always=True)
    def test_06_clean_up(self):
        self.sweep_made()
