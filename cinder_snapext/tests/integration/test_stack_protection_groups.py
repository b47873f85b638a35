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

"""Group protection on the real stack (RBD), proven by checksums.

Two volumes of one Cinder group get distinct data; protect --group takes
one group snapshot of both (Cinder's generic group path on RBD); both are
overwritten; restore --latest-group makes a new group whose volumes must
hold, byte for byte, what each source volume held when it was protected.
One listing goes through the stack's clouds.yaml (OS_CLOUD alone).
"""

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data
from cinder_snapext.tests.integration import protect_cli

# A group type without consistent_group_snapshot_enabled: Cinder snapshots
# its groups through the generic path, which RBD supports.
GROUP_TYPE = 'snapext-it-group'
SIZE_GB = 1
PROTECTED = {'a': [(0, 8, 'group-a'), (700, 4, 'group-a-tail')],
             'b': [(32, 8, 'group-b')]}
LATER = [(0, 16, 'group-overwrite')]


class CephGroupProtectionTest(protect_cli.ProtectCommandMixin,
                              base.ScenarioTestCase):
    """protect --group, retention of group points, restore as a group."""

    groups = []

    def group_gone(self, group_id):
        return self.api('GET', '/groups/%s' % group_id)[0] == 404

    def write(self, volume_id, writes):
        image = self.volume_image(volume_id)
        for off, length, seed in writes:
            self.rbd('write', 'volumes', image, str(off), str(length), seed)
        return self.image_sha256(image)

    @step
    def test_01_group_of_two_volumes_with_distinct_data(self):
        rc, _, _ = self.cinder('group-type-show', GROUP_TYPE, check=False)
        if rc != 0:
            self.cinder('group-type-create', GROUP_TYPE)
        out = self.cinder('group-create', '--name', self.name('group'),
                          GROUP_TYPE, 'ceph')
        group_id = cli.parse_properties(out)['id']
        type(self).groups = self.groups + [group_id]
        self.ctx['group'] = group_id
        self.wait_for('group %s available' % group_id, lambda: self.api(
            'GET', '/groups/%s' % group_id)[1]['group']['status'] ==
            'available')
        self.ctx['volumes'] = {}
        self.ctx['sha'] = {}
        # Both created before either is waited for: the scenario's
        # seconds count in CI.
        for key in sorted(PROTECTED):
            out = self.cinder('create', '--volume-type', 'ceph',
                              '--group-id', group_id,
                              '--name', self.name('group-' + key),
                              str(SIZE_GB))
            volume_id = cli.parse_properties(out)['id']
            self.made['volume'].append(volume_id)
            self.ctx['volumes'][key] = volume_id
        for key, writes in sorted(PROTECTED.items()):
            volume_id = self.ctx['volumes'][key]
            self.wait_status('volume', volume_id, 'available')
            sha = self.write(volume_id, writes)
            self.assertEqual(
                data.expected_sha256(SIZE_GB * data.GiB, writes), sha)
            self.ctx['sha'][volume_id] = sha
        self.assertNotEqual(*self.ctx['sha'].values())

    @step
    def test_02_protect_the_group_in_one_group_snapshot(self):
        first = self.protect_cli('protect', '--group', self.ctx['group'])
        second = self.protect_cli('protect', '--group', self.name('group'),
                                  '--keep-last', '1')
        self.assertEqual(
            ('available', sorted(self.ctx['sha']), [first['id']]),
            (second['status'], sorted(second['snapshots']),
             second['expired']))
        self.ctx['point'] = second['id']
        # As an operator with clouds.yaml would: OS_CLOUD and nothing else.
        cloud = {key: value for key, value in self.env.items()
                 if not key.startswith(('OS_', 'CINDER_'))}
        cloud.update(OS_CLIENT_CONFIG_FILE=self.stack.clouds_yaml,
                     OS_CLOUD='snapext')
        self.assertEqual(
            [second['id']], [row['id'] for row in self.protect_cli(
                'list', '--group', self.ctx['group'], env=cloud)])
        # Per-volume retention does not touch the group's snapshots.
        volume_id = self.ctx['volumes']['a']
        rows = self.protect_cli('prune', volume_id, '--keep-last', '1')
        self.assertEqual({'ignored'}, {row['action'] for row in rows})
        self.assertEqual('available', self.show(
            'snapshot', second['snapshots'][volume_id])['status'])

    @step
    def test_03_overwrite_then_restore_the_group_by_checksums(self):
        for volume_id in self.ctx['volumes'].values():
            self.assertNotEqual(self.ctx['sha'][volume_id],
                                self.write(volume_id, LATER))
        result = self.protect_cli('restore', '--latest-group',
                                  self.ctx['group'], '--name',
                                  self.name('restored'))
        type(self).groups = self.groups + [result['id']]
        self.assertEqual(('available', self.ctx['point']),
                         (result['status'], result['group_snapshot_id']))
        restored = {volume['source_volume_id']: self.image_sha256(
                        self.volume_image(volume['id']))
                    for volume in result['volumes']}
        self.assertEqual(self.ctx['sha'], restored,
                         'restored data differs from the protected data')

    @step(always=True)
    def test_04_clean_up(self):
        # Newest group first: the restored volumes may be clones of the
        # group snapshot's snapshots, which must outlive them.
        for group_id in reversed(self.groups):
            status, body = self.api(
                'GET', '/group_snapshots/detail?group_id=%s' % group_id)
            points = [point['id'] for point in (
                body['group_snapshots'] if status == 200 else [])]
            for point_id in points:
                self.cinder('group-snapshot-delete', point_id)
            for point_id in points:
                self.wait_for('group snapshot %s gone' % point_id,
                              lambda p=point_id: self.api(
                                  'GET', '/group_snapshots/%s' % p)[0] == 404)
            if not self.group_gone(group_id):
                self.cinder('group-delete', '--delete-volumes', group_id)
                self.wait_for('group %s gone' % group_id,
                              lambda g=group_id: self.group_gone(g))
        type(self).groups = []
        self.sweep_made()
