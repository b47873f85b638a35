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

"""Every command of the openstack CLI plugin, through ``openstack`` itself."""

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.tests.unit import fake_constants as fake

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.functional import fake_backend
from cinder_snapext.tests.functional import openstack_cli
from cinder_snapext.volume.assisted import phases

_List = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList

PAST = '2001-01-01T00:00:00Z'
FUTURE = '2999-01-01T00:00:00Z'


class SnapshotTransferCLITestCase(openstack_cli.OpenStackCLITestCase):
    """``volume snapshot export`` and ``volume snapshot import``."""

    def setUp(self):
        super().setUp()
        self.snapshot = self.create_volume_and_snapshot()
        self.volume = self.api.get_volume(self.snapshot['volume_id'])
        self.api.api_put('/snapshots/%s' % self.snapshot['id'],
                         {'snapshot': {'name': 'nightly'}})

    def snapshot_count(self):
        return len(cinder_objects.SnapshotList.get_all(
            cinder_context.get_admin_context(), filters={}))

    def test_export_by_name_then_import_with_host(self):
        name = 'snapshot-%s' % self.snapshot['id']
        exported = self.openstack_json('volume', 'snapshot', 'export',
                                       'nightly')
        self.assertEqual({'id': self.snapshot['id'],
                          'volume_id': self.volume['id'],
                          'status': 'unmanaging',
                          'reference': {'source-name': name},
                          'remote_source': 'source-name=%s' % name},
                         exported)
        self.wait_for(lambda: self.api.get_snapshot(self.snapshot['id']),
                      lambda s: s is None)
        self.assertIn(name, fake_backend.SNAPSHOTS[
            'volume-%s' % self.volume['id']])

        host = self.volume['os-vol-host-attr:host']
        imported = self.openstack_json(
            'volume', 'snapshot', 'import', '--volume', self.volume['id'],
            '--remote-source', exported['remote_source'], '--host', host,
            '--description', 'back again', '--property', 'origin=cli',
            'imported')
        self.assertEqual(('imported', self.volume['id'], 'creating',
                          'back again', {'origin': 'cli'}),
                         (imported['name'], imported['volume_id'],
                          imported['status'], imported['description'],
                          imported['properties']))
        managed = self.wait_for(
            lambda: self.api.get_snapshot(imported['id']),
            lambda s: s['status'] != 'creating')
        self.assertEqual('available', managed['status'])

    def test_export_value_output_is_the_remote_source(self):
        out = self.openstack('volume', 'snapshot', 'export', '-f', 'value',
                             '-c', 'remote_source', self.snapshot['id']).out
        self.assertEqual('source-name=snapshot-%s\n' % self.snapshot['id'],
                         out)

    def test_import_to_another_host_is_refused_with_cinders_message(self):
        before = self.snapshot_count()
        err = self.refused(
            'volume', 'snapshot', 'import', '--volume', self.volume['id'],
            '--remote-source', 'source-name=snapshot-%s' % self.snapshot['id'],
            '--host', 'elsewhere@nowhere')
        self.assertIn('Cinder refused the request (HTTP 400)', err)
        self.assertIn('elsewhere@nowhere', err)
        self.assertIn(self.volume['os-vol-host-attr:host'], err)
        self.assertEqual(before, self.snapshot_count())

    def test_export_unknown_snapshot_says_so(self):
        err = self.refused('volume', 'snapshot', 'export', 'no-such-snap')
        self.assertIn('no-such-snap', err)


class AssistedPhaseCLITestCase(openstack_cli.OpenStackCLITestCase):
    """``volume snapshot phase list`` and ``show`` (admin)."""

    def setUp(self):
        super().setUp()
        admin = cinder_context.get_admin_context()
        self.stuck = self.create_volume_and_snapshot()
        self.closed = self.create_volume_and_snapshot()
        for snapshot, phase, deadline in (
                (self.stuck, phases.CREATE_WAITING, PAST),
                (self.closed, phases.CREATE_DONE, FUTURE)):
            # The phase as the volume service records it; these snapshots
            # are available, so its timeout task leaves them alone.
            _List.set_for_snapshot(admin, snapshot['id'], {
                phases.PHASE_KEY: phase, phases.DEADLINE_KEY: deadline,
                phases.HOST_KEY: 'node1@nfs'})

    def test_list_all_then_stuck_only(self):
        listed = self.openstack_json('volume', 'snapshot', 'phase', 'list')
        self.assertEqual(
            [(self.stuck['id'], phases.CREATE_WAITING, 'node1@nfs', PAST,
              True),
             (self.closed['id'], phases.CREATE_DONE, 'node1@nfs', FUTURE,
              False)],
            [(row['Snapshot ID'], row['Phase'], row['Host'], row['Deadline'],
              row['Stuck']) for row in listed])
        stuck = self.openstack_json('volume', 'snapshot', 'phase', 'list',
                                    '--stuck', '--long')
        self.assertEqual([(self.stuck['id'], fake.PROJECT_ID, True)],
                         [(row['Snapshot ID'], row['Project ID'],
                           row['Open']) for row in stuck])

    def test_table_output_has_the_columns(self):
        out = self.openstack('volume', 'snapshot', 'phase', 'list',
                             '--not-stuck').out
        self.assertIn('| Snapshot ID', out)
        self.assertIn(self.closed['id'], out)
        self.assertNotIn(self.stuck['id'], out)

    def test_show_one_field(self):
        shown = self.openstack_json('volume', 'snapshot', 'phase', 'show',
                                    self.stuck['id'])
        self.assertEqual((phases.CREATE_WAITING, 'create', True, PAST),
                         (shown['phase'], shown['operation'],
                          shown['stuck'], shown['deadline']))
        out = self.openstack('volume', 'snapshot', 'phase', 'show', '-f',
                             'value', '-c', 'host', self.stuck['id']).out
        self.assertEqual('node1@nfs\n', out)

    def test_show_snapshot_without_phase_is_404(self):
        plain = self.create_volume_and_snapshot()
        err = self.refused('volume', 'snapshot', 'phase', 'show',
                           plain['id'])
        self.assertIn('HTTP 404', err)
        self.assertIn('has no assisted snapshot phase', err)


class AdminMetadataCLITestCase(openstack_cli.OpenStackCLITestCase):
    """``volume snapshot admin metadata list``, ``set``, ``unset``."""

    def setUp(self):
        super().setUp()
        self.snapshot = self.create_volume_and_snapshot()
        _List.set_for_snapshot(cinder_context.get_admin_context(),
                               self.snapshot['id'],
                               {phases.PHASE_KEY: phases.CREATE_DONE})

    def listed(self):
        return {row['Key']: row['Value'] for row in self.openstack_json(
            'volume', 'snapshot', 'admin', 'metadata', 'list',
            self.snapshot['id'])}

    def test_set_list_unset(self):
        self.assertEqual('', self.openstack(
            'volume', 'snapshot', 'admin', 'metadata', 'set', '--property',
            'ticket=OPS-1', '--property', 'owner=ops',
            self.snapshot['id']).out)
        self.assertEqual({phases.PHASE_KEY: phases.CREATE_DONE,
                          'ticket': 'OPS-1', 'owner': 'ops'}, self.listed())
        self.openstack('volume', 'snapshot', 'admin', 'metadata', 'unset',
                       '--property', 'ticket', self.snapshot['id'])
        self.assertEqual({phases.PHASE_KEY: phases.CREATE_DONE,
                          'owner': 'ops'}, self.listed())

    def test_reserved_keys_are_refused_with_cinders_message(self):
        for args in (('set', '--property', '%s=x' % phases.PHASE_KEY),
                     ('unset', '--property', phases.PHASE_KEY)):
            err = self.refused('volume', 'snapshot', 'admin', 'metadata',
                               *args + (self.snapshot['id'],))
            self.assertIn('HTTP 400', err)
            self.assertIn('only its services change', err)
        self.assertEqual({phases.PHASE_KEY: phases.CREATE_DONE},
                         self.listed())

    def test_unset_tries_every_key_and_reports_failures(self):
        self.openstack('volume', 'snapshot', 'admin', 'metadata', 'set',
                       '--property', 'owner=ops', self.snapshot['id'])
        err = self.refused('volume', 'snapshot', 'admin', 'metadata',
                           'unset', '--property', 'missing', '--property',
                           'owner', self.snapshot['id'])
        self.assertIn('HTTP 404', err)
        self.assertIn('Failed to unset 1 of 2 key(s): missing', err)
        self.assertNotIn('owner', self.listed())
