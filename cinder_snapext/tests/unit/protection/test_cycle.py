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

"""A protect run with pre and post hooks: order, policy, record."""

import io
import json
import os

import fixtures
import testtools

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.protection import cycle
from cinder_snapext.protection import hooks
from cinder_snapext.tests.unit.protection import fakes


class ProtectCycleTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        for name, value in (('OS_AUTH_TYPE', 'noauth'),
                            ('OS_ENDPOINT', 'http://cinder:8776/v3')):
            self.useFixture(fixtures.EnvironmentVariable(name, value))
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.log = os.path.join(self.tmp, 'log')
        self.cinder = fakes.FakeCinder()
        self.volume = self.cinder.volumes.add('available', size=1)

    def protect(self, *argv, expect=0):
        args = arguments.parse_args(
            ['protect', self.volume.id, '--poll-interval', '0',
             '--no-progress', '--format', 'json'] + list(argv))
        stdout, stderr = io.StringIO(), io.StringIO()
        self.assertEqual(expect, cli.run(args, self.cinder, stdout, stderr),
                         stderr.getvalue())
        return json.loads(stdout.getvalue()), stderr.getvalue()

    def logged(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def hook(self, name):
        return ('echo "%s $SNAPEXT_PROTECT_STATUS $SNAPEXT_SNAPSHOT_ID" '
                '>> %s' % (name, self.log))

    def test_protect_runs_pre_then_post_and_records_both(self):
        result, _ = self.protect('--pre', self.hook('pre') + '; echo frozen',
                                 '--post', self.hook('post'))
        snapshot = self.cinder.volume_snapshots.items[result['id']]
        self.assertEqual(['pre  ', 'post available %s' % snapshot.id],
                         self.logged())
        self.assertEqual(('frozen\n', 0), (result['pre_hook']['output'],
                                           result['pre_hook']['exit_status']))
        self.assertEqual(
            {client.PROTECTION_TAG, 'snapext-hook-pre', 'snapext-hook-post'},
            set(snapshot.metadata))
        self.assertRegex(snapshot.metadata['snapext-hook-pre'],
                         r'^exited 0 after \d+\.\ds: frozen$')

    def test_failed_pre_hook_aborts_and_post_hook_is_told(self):
        result, stderr = self.protect(
            '--pre', 'echo cannot freeze; exit 4', '--post',
            self.hook('post'), expect=1)
        self.assertEqual({}, self.cinder.volume_snapshots.items)
        self.assertEqual(['post skipped '], self.logged())
        self.assertEqual((None, 'skipped', 4),
                         (result['id'], result['status'],
                          result['pre_hook']['exit_status']))
        self.assertIn('ERROR: pre hook exited 4 after', stderr)
        self.assertIn('no snapshot taken', result['error'])

    def test_failed_pre_hook_with_continue_still_protects(self):
        result, _ = self.protect('--pre', 'exit 4', '--on-hook-failure',
                                 'continue', '--keep-last', '1')
        self.assertEqual('available', result['status'])
        self.assertEqual([], result['expired'])
        self.assertIn('exited 4', self.cinder.volume_snapshots.items[
            result['id']].metadata['snapext-hook-pre'])

    def test_post_hook_runs_when_the_snapshot_fails(self):
        self.cinder.volume_snapshots.created_statuses = ['creating', 'error']
        result, stderr = self.protect('--post', self.hook('post'), expect=1)
        self.assertEqual(['post error %s' % result['id']], self.logged())
        self.assertEqual('error', result['status'])
        self.assertIn('is in status error', result['error'])
        self.assertIn('snapext-hook-post', self.cinder.volume_snapshots.items[
            result['id']].metadata)

    def test_failed_post_hook_aborts_expiry(self):
        old = self.cinder.volume_snapshots.add(
            'available', volume_id=self.volume.id, size=1,
            metadata={client.PROTECTION_TAG: 'c0'},
            created_at='2026-11-20T00:00:00')
        result, _ = self.protect('--post', 'exit 1', '--keep-last', '1',
                                 expect=1)
        self.assertEqual('available', result['status'])
        self.assertNotIn('expired', result)
        self.assertIn(old.id, self.cinder.volume_snapshots.items)

    def test_hung_hook_is_killed_at_the_deadline(self):
        result, _ = self.protect('--pre', 'sleep 60', '--hook-timeout',
                                 '0.5', expect=1)
        self.assertTrue(result['pre_hook']['timed_out'])
        self.assertIn('killed at its deadline', result['error'])


class MetadataValueTestCase(testtools.TestCase):

    def test_metadata_value_keeps_the_tail_within_255(self):
        hook = hooks.HookResult('pre', 'x', 1, False,
                                'a' * 1000 + '\nwhy it failed\n', True, 2.0)
        value = cycle.metadata_value(hook)
        self.assertEqual(255, len(value))
        self.assertTrue(value.startswith('exited 1 after 2.0s: ...'))
        self.assertTrue(value.endswith('a | why it failed'))

    def test_metadata_value_without_output_is_the_summary(self):
        hook = hooks.HookResult('post', 'x', None, True, '', False, 30.0)
        self.assertEqual('killed at its deadline after 30.0s',
                         cycle.metadata_value(hook))
