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

"""protect --group as a process against Cinder's real group API."""

from cinder_snapext.tests.functional import protection_base as pbase


class GroupCommandLineTestCase(pbase.CommandLineTestCase):
    """Group snapshots, retention of them, restore as a new group."""

    # Group snapshots, and groups made from them, from this one on.
    _osapi_version = '3.14'

    def setUp(self):
        super().setUp()
        volume_type = self.api.create_type('fast')
        group_type = self.api.create_group_type('app-group')
        group = self.api.post_group({'group': {
            'name': 'app', 'group_type': group_type['id'],
            'volume_types': [volume_type['id']]}})
        self.group = self.wait_for(lambda: self.api.get_group(group['id']),
                                   lambda g: g['status'] == 'available')
        self.volumes = []
        for name in ('app-db', 'app-log'):
            volume = self.api.post_volume({'volume': {
                'size': 1, 'name': name, 'volume_type': volume_type['id'],
                'group_id': group['id']}})
            self.volumes.append(self.wait_for(
                lambda v=volume: self.api.get_volume(v['id']),
                lambda v: v['status'] == 'available')['id'])

    def test_protect_expire_list_restore_a_group(self):
        planned = self.cli_json('protect', '--group', 'app', '--keep-last',
                                '1', '--dry-run')
        self.assertEqual(sorted(self.volumes), planned['volumes'])
        self.assertEqual([], self.api.get_group_snapshots())

        first = self.cli_json('protect', '--group', 'app')
        second = self.cli_json('protect', '--group', self.group['id'],
                               '--keep-last', '1')
        self.assertEqual(('available', [first['id']]),
                         (second['status'], second['expired']))
        self.assertEqual(sorted(self.volumes), sorted(second['snapshots']))
        self.assertEqual([second['id']], [
            point['id'] for point in self.api.get_group_snapshots()])
        for volume_id, snapshot_id in second['snapshots'].items():
            snapshot = self.api.get_snapshot(snapshot_id)
            self.assertEqual(
                (volume_id, {'snapext-group-protection':
                             second['checkpoint_id']}),
                (snapshot['volume_id'], snapshot['metadata']))
        self.assertEqual([second['id']], [
            row['id'] for row in self.cli_json('list', '--group', 'app')])

        restored = self.cli_json('restore', '--latest-group', 'app',
                                 '--name', 'app-restored')
        self.assertEqual(('app-restored', 'available', second['id']),
                         (restored['name'], restored['status'],
                          restored['group_snapshot_id']))
        for volume in restored['volumes']:
            found = self.api.get_volume(volume['id'])
            self.assertEqual(
                (restored['id'],
                 second['snapshots'][volume['source_volume_id']]),
                (found['group_id'], found['snapshot_id']))
        self.assertEqual(sorted(self.volumes), sorted(
            volume['source_volume_id'] for volume in restored['volumes']))

    def test_group_snapshot_made_by_hand_is_neither_expired_nor_restored(
            self):
        manual = self.api.post_group_snapshot(
            {'group_snapshot': {'group_id': self.group['id'],
                                'name': 'by-hand'}})
        self.wait_for(lambda: self.api.get_group_snapshot(manual['id']),
                      lambda p: p['status'] == 'available')
        rows = self.cli_json('prune', '--group', 'app', '--keep-last', '1')
        self.assertEqual([(manual['id'], 'ignored')],
                         [(row['id'], row['action']) for row in rows])
        result = self.cli('restore', '--group-snapshot', manual['id'],
                          expect=1)
        self.assertIn('was not made by cinder-snapext-protect',
                      result.stderr)
