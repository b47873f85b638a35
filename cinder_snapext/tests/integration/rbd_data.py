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

"""Scenario steps that read data through librbd: checksums, restores."""

import json

from cinder_snapext.tests.integration import cli


class RbdDataMixin:
    """What ScenarioTestCase does with RBD images (needs its cinder, ctx)."""

    def rbd(self, *args, check=True):
        rc, out, err = cli.run([self.stack.python, self.stack.rbdtool,
                                '--conf', self.stack.ceph_conf] + list(args),
                               env=self.env, check=False)
        if check and rc != 0:
            raise cli.CommandFailed(['rbdtool.py'] + list(args), rc, out, err)
        return json.loads(out) if out.strip() else {}

    def image_sha256(self, image, snap=None, pool='volumes'):
        args = ['sum', pool, image] + ([snap] if snap else [])
        return self.rbd(*args)['sha256']

    def rbd_snaps(self, image, pool='volumes'):
        return self.rbd('snaps', pool, image)['snaps']

    def volume_image(self, volume_id):
        """The RBD image of a volume on the stack's 'ceph' backend."""
        return 'volume-%s' % volume_id

    def restore_backup(self, key):
        """Restore ctx[key]'s backup to a new volume; check its SHA-256.

        ``ctx[key]`` is ``(backup id, SHA-256 of the data backed up)``.
        """
        backup_id, expected = self.ctx[key]
        out = self.cinder('backup-restore', '--name',
                          self.name('restored-%s' % key), backup_id)
        vol_id = cli.parse_properties(out)['volume_id']
        self.made['volume'].append(vol_id)
        self.wait_status('volume', vol_id, 'available')
        self.wait_status('backup', backup_id, 'available')
        self.assertEqual(expected, self.image_sha256(self.volume_image(
            vol_id)), 'restored data differs from the data at backup time')
