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

"""``openstack volume protection ...`` through ``openstack`` itself."""

from cinder_snapext.protection import client
from cinder_snapext.tests.functional import openstack_cli
from cinder_snapext.tests.functional import protection_base as pbase


class ProtectionCLITestCase(openstack_cli.OpenStackCLITestCase,
                            pbase.ProtectionTestCase):
    """The commands of cinder-snapext-protect, on OSC's clouds.yaml."""

    def protection(self, *args, expect=0):
        return self.openstack('volume', 'protection', *args + (
            '--poll-interval', '0.1', '--no-progress'), expect=expect)

    def protection_json(self, *args):
        return self.openstack_json('volume', 'protection', *args + (
            '--poll-interval', '0.1', '--no-progress'))

    def test_protect_list_restore_prune(self):
        volume = self.create_volume(name='app-data')
        first = self.protection_json('protect', 'app-data', '--name',
                                     'nightly')
        self.assertEqual(('available', volume['id'], 'nightly'),
                         (first['status'], first['volume_id'],
                          first['name']))
        self.assertIn(client.PROTECTION_TAG, self.api.get_snapshot(
            first['id'])['metadata'])
        second = self.protection_json('protect', 'app-data')

        listed = self.protection('list', 'app-data', '-f', 'value', '-c',
                                 'id').out
        self.assertEqual([second['id'], first['id']], listed.split())

        restored = self.protection_json('restore', '--latest', 'app-data',
                                        '--name', 'app-data-restored')
        self.assertEqual(('app-data-restored', 'available', second['id']),
                         (restored['name'], restored['status'],
                          restored['snapshot_id']))
        self.assertEqual(second['id'], self.api.get_volume(
            restored['id'])['snapshot_id'])

        rows = self.protection_json('prune', 'app-data', '--keep-last', '1')
        self.assertEqual({first['id']: 'deleted', second['id']: 'kept'},
                         {row['id']: row['action'] for row in rows})
        self.assertIsNone(client.get_snapshot(self.cinder, first['id']))

    def test_failures_exit_1_with_cinders_words(self):
        self.create_volume(name='app-data')
        missing = self.protection('restore', 'no-such-snapshot', expect=1)
        self.assertIn('no-such-snapshot', missing.err)
        self.assertEqual('', missing.out)
        failed = self.protection('protect', 'app-data', '--name',
                                 pbase.FAILING_SNAPSHOT, expect=1)
        self.assertRegex(failed.err, r"Cinder's message about [0-9a-f-]{36} "
                         r"\(.+\): create snapshot:Snapshot failed to "
                         r"create\.")
