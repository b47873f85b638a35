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

"""Backups verified against their snapshots; corruptions put by ``rados``.

Stock ``cinder`` CLI for the backups, ``cinder-snapext-manage backup
verify`` as an operator runs it, and Ceph's own ``rados`` to damage the
backups pool the way bit rot or a bad disk would: an object of a restore
point rewritten with one byte flipped, and an object removed. Every
injected corruption must be found; a found one puts the backup in error
with a user message, and a repaired backup verifies again.
"""

import json
import os
import random
import time

from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data

# (offset MiB, length MiB, seed), in the order they are written.
FIRST = [(0, 8, 'verify-a'), (100, 4, 'verify-b')]
SECOND = [(40, 4, 'verify-c')]
OBJECT = 4 * data.MiB
THIRD = [(200, 4, 'verify-d')]
MATCH, MISMATCH = 0, 3
# One verify through the API reads the 1 GiB volume twice.
API_VERIFY_TIMEOUT = 180


class BackupVerifyTest(backup_base.RbdBackupScenario):
    """Snapshot backups, verified, corrupted with rados, verified again."""

    def backup_image(self, backup_id):
        return 'volume-%s.backup.%s' % (self.ctx['volume'], backup_id)

    def _ceph(self, tool, *args, check=True):
        return cli.run([tool, '--id', self.env['SNAPEXT_CEPH_ID'], '-c',
                         self.stack.ceph_conf] + list(args), env=self.env,
                        check=check)

    def _verify(self, backup_id, expect):
        rc, out, err = cli.run(
            [os.path.join(self.stack.venv, 'bin', 'cinder-snapext-manage'),
             '--config-file', os.path.join(self.stack.dir, 'cinder.conf'),
             'backup', 'verify', backup_id], env=self.env, check=False)
        self.assertEqual(expect, rc, 'stdout: %s\nstderr: %s' % (out, err))
        return out

    def _api_verify(self, backup_id, try_delete=False):
        """snapext-verify through Cinder's API; the metadata it leaves.

        try_delete: a delete right after the request, while the service
        reads the whole volume, must be refused (the verify holds it).
        """
        before = self._backup_json(backup_id)['metadata'].get(
            'snapext_verified_at')
        status, body = self.api('POST', '/backups/%s/action' % backup_id,
                                {'snapext-verify': {}})
        self.assertEqual(202, status, body)
        if try_delete:
            status, body = self.api('DELETE', '/backups/%s' % backup_id)
            self.assertEqual(400, status, body)
            self.assertIn('is being verified since', body)
        # Timestamps have whole seconds: a new answer may share one.
        time.sleep(1.1)
        return self.wait_for(
            'verify of %s' % backup_id,
            lambda: (lambda m: m if m.get('snapext_verified_at') not in (
                None, before) and 'snapext_verifying_since' not in m
                else None)(self._backup_json(backup_id)['metadata']),
            timeout=API_VERIFY_TIMEOUT)

    def _inject(self, backup_id, offset_mib, how, rng):
        """Damage the object holding offset_mib; how to undo it."""
        obj = self._object(backup_id, offset_mib)
        self.ctx['injected'] = self.ctx.get('injected', 0) + 1
        if how == 'flip':
            original = self._flip_byte(obj, at=rng.randrange(OBJECT))
        else:
            path = os.path.join(self.stack.dir, 'verify-%s' % self.run_id)
            self._ceph('rados', '-p', 'backups', 'get', obj, path)
            with open(path, 'rb') as f:
                original = f.read()
            os.unlink(path)
            self._ceph('rados', '-p', 'backups', 'rm', obj)
        return lambda: self._put(obj, original)

    def _found(self, out):
        self.ctx['found'] = self.ctx.get('found', 0) + 1
        return out

    def _object(self, backup_id, offset_mib):
        """The RADOS object of the backup image holding offset_mib."""
        rc, out, err = self._ceph('rbd', 'info', '--format', 'json',
                                  'backups/%s' % self.backup_image(backup_id))
        prefix = json.loads(out)['block_name_prefix']
        return '%s.%016x' % (prefix, offset_mib * data.MiB // OBJECT)

    def _flip_byte(self, obj, at=12345):
        """Rewrite obj with one byte flipped; returns the original data."""
        path = os.path.join(self.stack.dir, 'verify-%s' % self.run_id)
        self._ceph('rados', '-p', 'backups', 'get', obj, path)
        with open(path, 'rb') as f:
            original = f.read()
        damaged = bytearray(original)
        damaged[at] ^= 0x01
        self._put(obj, bytes(damaged))
        return original

    def _put(self, obj, data):
        path = os.path.join(self.stack.dir, 'verify-%s' % self.run_id)
        with open(path, 'wb') as f:
            f.write(data)
        try:
            # No snapshot context: the head object is overwritten in place,
            # and the restore point (taken after the last write) reads it.
            self._ceph('rados', '-p', 'backups', 'put', obj, path)
        finally:
            os.unlink(path)

    def _backup_json(self, backup_id):
        status, body = self.api('GET', '/backups/%s' % backup_id)
        self.assertEqual(200, status, body)
        return body['backup']

    def _assert_marked(self, backup_id):
        backup = self._backup_json(backup_id)
        self.assertEqual('error', backup['status'])
        self.assertTrue(backup['fail_reason'].startswith(
            'cinder-snapext verify: '), backup['fail_reason'])
        self.assertEqual('mismatch', backup['metadata']['snapext_verify'])
        messages = self._messages(backup_id)
        self.assertTrue(messages, 'no user message for %s' % backup_id)

    def _snapshot_backup(self, what, writes, *args):
        self._snapshot_between(what, writes, [])
        backup_id, _ = self._backup(what + '-backup', '--snapshot-id',
                                    self.ctx['snapshot'], *args)
        # Its restore point follows the backup (one monitor commit).
        self.wait_for('restore point of %s' % backup_id,
                      lambda: self.rbd_snaps(self.backup_image(backup_id),
                                             'backups'), timeout=60)
        return backup_id

    # -- steps -----------------------------------------------------------

    @step
    def test_01_volume_with_data(self):
        self._create_volume('verify-vol', [])

    @step
    def test_02_backup_of_a_snapshot_verifies(self):
        self.ctx['full'] = self._snapshot_backup('verify-s1', FIRST)
        out = self._verify(self.ctx['full'], MATCH)
        self.assertIn('%s match: SHA-256' % self.ctx['full'], out)
        backup = self._backup_json(self.ctx['full'])
        self.assertEqual(('available', 'match'),
                         (backup['status'],
                          backup['metadata']['snapext_verify']))

    @step
    def test_03_differential_backup_of_next_snapshot_verifies(self):
        self.ctx['diff'] = self._snapshot_backup('verify-s2', SECOND,
                                                 '--incremental')
        self.assertEqual('True', self.show(
            'backup', self.ctx['diff'])['is_incremental'])
        self._verify(self.ctx['diff'], MATCH)

    @step
    def test_04_flipped_byte_in_the_full_backup_is_found(self):
        obj = self._object(self.ctx['full'], 0)
        self.ctx['original'] = (obj, self._flip_byte(obj))
        self.ctx['injected'] = self.ctx.get('injected', 0) + 1
        out = self._verify(self.ctx['full'], MISMATCH)
        self.assertIn('mismatch: 1 of 256 chunks', out)
        self.assertIn('first at byte 0', out)
        self._assert_marked(self.ctx['full'])
        self._found(out)

    @step
    def test_05_repaired_backup_verifies_and_is_available_again(self):
        self._put(*self.ctx['original'])
        self._verify(self.ctx['full'], MATCH)
        self.assertEqual('available',
                         self._backup_json(self.ctx['full'])['status'])

    @step
    def test_06_parent_data_seen_through_the_differential_is_found(self):
        # The differential is a clone of the full backup's restore point:
        # what it did not rewrite (here 100 MiB on) is read from there.
        obj = self._object(self.ctx['full'], 100)
        self._flip_byte(obj, at=OBJECT - 1)
        self.ctx['injected'] = self.ctx.get('injected', 0) + 1
        out = self._verify(self.ctx['diff'], MISMATCH)
        self.assertIn('first at byte %d' % (100 * data.MiB), out)
        self._assert_marked(self.ctx['diff'])
        self._found(out)

    @step
    def test_07_removed_object_is_found(self):
        self._verify(self.ctx['full'], MISMATCH)  # the 100 MiB one
        obj = self._object(self.ctx['full'], 0)
        self._ceph('rados', '-p', 'backups', 'rm', obj)
        self.ctx['injected'] = self.ctx.get('injected', 0) + 1
        out = self._verify(self.ctx['full'], MISMATCH)
        self.assertIn('mismatch: 2 of 256 chunks', out)
        self._found(out)

    @step
    def test_08_api_verify_finds_corruptions_at_random_places(self):
        # A full backup of its own: the others are damaged by now.
        backup_id = self._snapshot_backup('verify-s3', THIRD)
        self.assertEqual('match', self._api_verify(
            backup_id, try_delete=True)['snapext_verify'])
        self.assertEqual('available', self._backup_json(backup_id)['status'])
        rng = random.Random(self.run_id)
        # Three of the objects written so far, each flipped at a random
        # byte or removed (as a lost placement group would).
        written = sorted({off // 4 * 4 + i for off, length, _ in
                          FIRST + SECOND + THIRD
                          for i in range(0, length, 4)})
        for offset_mib, how in zip(rng.sample(written, 3),
                                   ['flip', 'rm', rng.choice(['flip',
                                                              'rm'])]):
            undo = self._inject(backup_id, offset_mib, how, rng)
            metadata = self._api_verify(backup_id)
            self.assertEqual('mismatch', metadata['snapext_verify'],
                             metadata)
            self.assertIn('1 of 256 chunks',
                          metadata['snapext_verify_detail'])
            self.assertIn('first at byte %d ' % (offset_mib * data.MiB),
                          metadata['snapext_verify_detail'])
            self._assert_marked(backup_id)
            self._found(metadata)
            undo()
        metadata = self._api_verify(backup_id)
        self.assertEqual('match', metadata['snapext_verify'], metadata)
        self.assertEqual('available', self._backup_json(backup_id)['status'])

    @step
    def test_09_every_injected_corruption_was_found(self):
        print('verify found %d of %d injected corruptions' % (
            self.ctx.get('found', 0), self.ctx.get('injected', 0)))
        self.assertEqual(self.ctx['injected'], self.ctx['found'])
        self.assertGreaterEqual(self.ctx['injected'], 6)

    @step(always=True)
    def test_10_delete_everything(self):
        # Backups in error are deleted as any other (Cinder allows it).
        self.sweep_made()

    @step(always=True)
    def test_11_no_image_left_behind(self):
        self._assert_no_image_left()
