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

"""What the backup scenarios share: an RBD volume, its writes, backups and
restores compared by checksum."""

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data


class RbdBackupScenario(base.ScenarioTestCase):
    """One RBD volume (``ctx['volume']``) written through librbd.

    ``written`` holds every write so far, so the checksum of the data at
    any point is known; ``ctx[key]`` holds ``(backup id, checksum)`` for
    each backup to restore.
    """

    SIZE_GB = 1
    #: The status the volume returns to after a backup.
    VOLUME_STATUS = 'available'
    written = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.written = []

    def backup_create_args(self):
        """Options every backup-create of the scenario adds."""
        return ()

    def check_after_backup(self, backup, volume):
        """Scenario checks once a backup is available."""

    def _create_volume(self, what, writes):
        out = self.cinder('create', '--volume-type', 'ceph', '--name',
                          self.name(what), str(self.SIZE_GB))
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.ctx['volume'] = vol_id
        self.wait_status('volume', vol_id, 'available')
        return self._write(writes)

    def _write(self, writes):
        """Write through librbd; the checksum of the volume afterwards."""
        image = self.volume_image(self.ctx['volume'])
        for off, length, seed in writes:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        self.written.extend(writes)
        expected = data.expected_sha256(self.SIZE_GB * data.GiB,
                                        self.written)
        self.assertEqual(expected, self.image_sha256(image))
        return expected

    def _snapshot_between(self, what, before, after):
        """Write ``before``, snapshot, write ``after``; ctx keeps both."""
        self.ctx['sha_snap'] = self._write(before)
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          self.ctx['volume'])
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.ctx['snapshot'] = snap_id
        self.wait_status('snapshot', snap_id, 'available')
        self.ctx['sha_after'] = self._write(after)
        return snap_id

    def _backup(self, what, *args):
        out = self.cinder('backup-create', '--name', self.name(what),
                          *(self.backup_create_args() + args +
                            (self.ctx['volume'],)))
        backup_id = cli.parse_properties(out)['id']
        self.made['backup'].append(backup_id)
        backup = self.wait_status('backup', backup_id, 'available')
        volume = self.wait_status('volume', self.ctx['volume'],
                                  self.VOLUME_STATUS)
        self.check_after_backup(backup, volume)
        return backup_id, backup

    def _assert_no_image_left(self):
        volume_id = self.ctx.get('volume')
        if not volume_id:
            self.skipTest('no volume was made')
        for pool in ('volumes', 'backups'):
            listing = self.rbd('ls', pool)
            left = [name for name in listing['images'] + listing['trash']
                    if volume_id in name]
            self.assertEqual([], left, 'left in pool %s' % pool)
