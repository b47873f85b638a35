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

"""Spec 3 on real LVM: backups of snapshots, full and incremental.

Stock ``cinder`` CLI only. The LVM guest's cinder-backup (availability
zone ``lvm``, Cinder's posix driver) attaches through open-iscsi in the
guest; each backup of a snapshot is restored into a new volume whose
checksum, read in the guest, must equal the snapshot's. What the guest's
cinder-volume does for each backup depends on its
``[snapext] backup_snapshot_in_place`` (``LVM_IN_PLACE`` of the stack):
on, the snapshot's own LV is exported and read, and no volume row, no LV
and no copy comes and goes; off, Cinder's way, one temporary volume per
backup, made from the snapshot and deleted after.

Both snapshots are taken before either backup, and the volume changes
again after them: a backup that read the volume instead of its snapshot
restores to a different checksum. Only the restores are read back: in
the emulated guest every checksum of a GiB costs seconds, and a restore
equal to what was written proves the snapshot it came from too. The
two restores run at once; on thin LVM into volumes Cinder makes for
them (the stock CLI's ``backup-restore --volume-type``), into which a
restore writes only the backup's non-zero blocks, where into a volume
made beforehand it writes the whole GiB through iSCSI in the guest.
"""

import configparser
import os

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import lvm_base

SIZE_GB = 1
WRITES = [(0, 8, 0x5a), (700, 4, 0xc3)]
LATER = [(4, 8, 0x21), (1000, 4, 0x7e)]
# On the volume after both snapshots, over what each of them holds.
AFTER = [(2, 8, 0x99), (702, 4, 0x11), (1000, 2, 0x44)]
AZ = 'lvm'
# A backup or restore reads or writes the whole GiB through iSCSI in the
# emulated guest.
LONG = max(base.TIMEOUT, 600)
# What the guest cinder-volume logs (debug) when it attaches a snapshot
# for a backup (Cinder's volume manager), and when it makes an LV.
SNAPSHOT_ATTACHED = 'Initialize snapshot connection completed successfully'
LV_CREATED = 'lvcreate'


def load_tests(loader, standard_tests, pattern):
    return lvm_base.load_lvm_tests(loader, standard_tests, pattern)


def in_place(state_dir):
    """The guest cinder-volume's backup_snapshot_in_place (its file)."""
    conf = configparser.ConfigParser(interpolation=None, strict=False)
    conf.read(os.path.join(state_dir, 'lvm', 'cinder-volume.conf'))
    return conf.getboolean('snapext', 'backup_snapshot_in_place',
                           fallback=True)


class _SnapshotBackups:
    """The steps; a subclass names the backend."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.in_place = in_place(cls.stack.dir)
        cls.db = cinder_db.CinderDb(cls.stack.dir)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    @step
    def test_01_backup_service_up(self):
        rows = cli.parse_table(self.cinder('service-list',
                                           '--binary', 'cinder-backup'))
        up = [(r['Host'], r['Zone']) for r in rows
              if r['Status'] == 'enabled' and r['State'] == 'up']
        self.assertIn((lvm_base.HOST, AZ), up, rows)

    def _volume(self, what):
        out = self.cinder('create', '--volume-type', self.BACKEND,
                          '--name', self.name(what), str(SIZE_GB))
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.wait_status('volume', vol_id, 'available')
        return vol_id

    def _snapshot(self, key, writes):
        """Snapshot of the volume once WRITES are in: ctx[key] = (id, md5).

        The MD5 is what its restore must read: the snapshot itself is
        not read back (see the module's docstring).
        """
        vol = self.ctx['volume']
        self.ctx['written'] = self.ctx.get('written', []) + writes
        self.fill('volume-%s' % vol, writes)
        want = data.fill_md5(SIZE_GB * data.GiB, self.ctx['written'])
        out = self.cinder('snapshot-create', '--name', self.name(key), vol)
        snap_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap_id)
        self.wait_status('snapshot', snap_id, 'available')
        self.ctx[key] = (snap_id, want)

    def _backup(self, key, *args):
        """Back up ctx[key]'s snapshot; check what came and went."""
        snap_id, _ = self.ctx[key]
        # This class's project only (a temporary volume is made in it):
        # the other LVM classes run beside this one.
        project = self.stack.project_id
        rows = {k: self.db.all_rows(k, project)
                for k in ('volumes', 'snapshots')}
        lvs = self.lvs()
        since = self.volume_log()
        out = self.cinder('backup-create', '--name', self.name(key),
                          '--availability-zone', AZ, '--snapshot-id',
                          snap_id, *(args + (self.ctx['volume'],)))
        backup_id = cli.parse_properties(out)['id']
        self.made['backup'].append(backup_id)
        backup = self.wait_status('backup', backup_id, 'available',
                                  timeout=LONG)
        self.wait_status('snapshot', snap_id, 'available')
        self.assertEqual(AZ, backup['availability_zone'])
        self.assertEqual(snap_id, backup['snapshot_id'])
        new = {k: {i: v for i, v in self.db.all_rows(k, project).items()
                   if i not in rows[k]} for k in rows}
        self.assertEqual({}, new['snapshots'])
        if self.in_place:
            self.assertEqual({}, new['volumes'])
            log = self._own_log(since)
            self.assertIn(SNAPSHOT_ATTACHED, log)
            self.assertNotIn(LV_CREATED, log)
        else:
            # One temporary volume, deleted once the backup is made
            # (a cast: the backup may be available first).
            self.assertEqual(1, len(new['volumes']), new)
            temp_id, = new['volumes']
            self.wait_for('temporary volume %s deleted' % temp_id,
                          lambda: self.db.all_rows('volumes')[temp_id][1])
            log = self._own_log(since)
            self.assertNotIn(SNAPSHOT_ATTACHED, log)
            self.assertIn(LV_CREATED, log)
            self.assertIn(temp_id, log)
        # Whatever came for the backup is gone: its row says none is left.
        self.assertEqual((lvm_base.HOST, None, None),
                         self.db.backup_row(backup_id))
        self.assertEqual(self._own_lvs(lvs), self._own_lvs(self.lvs()))
        self.ctx['backup-' + key] = backup_id
        return backup

    def _own_log(self, since):
        """The guest cinder-volume's log after SINCE, this class's part.

        Each line of a request names its project: the other LVM classes'
        requests (their own lvcreate) are not this backup's.
        """
        log = self.volume_log(since)
        project = self.stack.project_id
        if not project:
            return log
        return '\n'.join(line for line in log.splitlines()
                         if project in line)

    def _own_lvs(self, lvs):
        """The LVs named after a volume or snapshot row of this project.

        A temporary volume or snapshot for a backup has a row in it, and
        its LV its id; the other classes' LVs come and go meanwhile.
        """
        project = self.stack.project_id
        if not project:
            return set(lvs)
        ids = set(self.db.all_rows('volumes', project))
        ids |= set(self.db.all_rows('snapshots', project))
        return {lv for lv in lvs if any(i in lv for i in ids)}

    def _start_restore(self, key):
        """Restore ctx[key]'s backup into a new volume; not waited for.

        Both restores run in the guest's cinder-backup at once. Where a
        new LV reads as zeros (NEW_LV_ZEROED), the volume is one Cinder
        makes for the restore (the CLI's --volume-type makes it from the
        backup): Cinder's restore then writes only the backup's non-zero
        blocks, where into a volume made beforehand it writes the whole
        GiB through iSCSI, most of a restore's time under emulation.
        """
        backup_id = self.ctx['backup-' + key]
        if self.NEW_LV_ZEROED:
            out = self.cinder('backup-restore', '--volume-type',
                              self.BACKEND, '--name',
                              self.name('restored-%s' % key), backup_id)
            vol_id = cli.parse_properties(out)['volume_id']
            self.made['volume'].append(vol_id)
        else:
            vol_id = self._volume('restored-%s' % key)
            self.cinder('backup-restore', '--volume', vol_id, backup_id)
        self.ctx['restore-' + key] = vol_id

    def _check_restore(self, key):
        """The restore of ctx[key]'s backup ended; its data is the snapshot's.

        The volume stays 'creating' (one Cinder made) or
        'restoring-backup' until the restore has written it.
        """
        vol_id = self.ctx['restore-' + key]
        self.wait_status('volume', vol_id, 'available', timeout=LONG)
        self.wait_status('backup', self.ctx['backup-' + key], 'available')
        self.assertEqual(self.ctx[key][1], self.digest('volume-%s' % vol_id),
                         'restored data differs from the snapshot')

    @step
    def test_02_volume_and_snapshots(self):
        self.ctx['volume'] = self._volume('vol')
        self._snapshot('snap1', WRITES)
        self._snapshot('snap2', LATER)
        # Neither snapshot holds this: a backup must not read it.
        self.fill('volume-%s' % self.ctx['volume'], AFTER)

    @step
    def test_03_full_backup_of_first_snapshot(self):
        backup = self._backup('snap1')
        self.assertEqual('False', backup['is_incremental'])

    @step
    def test_04_incremental_backup_of_second_snapshot(self):
        backup = self._backup('snap2', '--incremental')
        self.assertEqual('True', backup['is_incremental'])

    @step
    def test_05_start_restores(self):
        self._start_restore('snap1')
        self._start_restore('snap2')

    @step
    def test_06_restore_full(self):
        self._check_restore('snap1')

    @step
    def test_07_restore_incremental(self):
        self._check_restore('snap2')

    @step(always=True)
    def test_08_clean_up(self):
        # The incremental first: Cinder refuses to delete a parent.
        for backup_id in reversed(self.made['backup']):
            self.cinder('backup-delete', backup_id, check=False)
            self.wait_gone('backup', backup_id, timeout=LONG)
        self.made['backup'] = []
        ids = set(self.made['volume'] + self.made['snapshot'])
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        left = [lv for lv in self.lvs() if any(i in lv for i in ids)]
        self.assertEqual([], left)


class LvmThinSnapshotBackupTest(_SnapshotBackups,
                                lvm_base.LvmScenarioTestCase):
    """Spec 3 on the thin LVM backend."""

    BACKEND = 'lvm-thin'
    # What a thin LV has not written reads as zeros.
    NEW_LV_ZEROED = True


class LvmThickSnapshotBackupTest(_SnapshotBackups,
                                 lvm_base.LvmScenarioTestCase):
    """Spec 3 on the thick LVM backend."""

    BACKEND = 'lvm-thick'
    # A new thick LV holds what its extents held: the stack's volume_clear
    # is none (lvm/volume_conf.sh), so a restore must write every block.
    NEW_LV_ZEROED = False
