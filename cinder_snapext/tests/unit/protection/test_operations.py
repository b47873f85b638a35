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

"""Protect and restore through the plugin, with fakes of Karbor and Cinder."""

import ddt
from oslo_config import cfg
import testtools

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import interface
from cinder_snapext.protection import opts
from cinder_snapext.protection import plugin
from cinder_snapext.tests.unit.protection import fakes

VOLUME = interface.VOLUME_RESOURCE_TYPE


class OperationTestCase(testtools.TestCase):
    """A plugin built as Karbor builds it, on fakes of its peers."""

    config = None

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.cinder = fakes.FakeCinder()
        self.contexts = []
        self.checkpoint = fakes.FakeCheckpoint()
        self.plugin = self.make_plugin(self.config)

    def make_plugin(self, config):
        def client_factory(context):
            self.contexts.append(context)
            return self.cinder
        return plugin.SnapextProtectionPlugin(
            config, client_factory=client_factory, clock=self.clock,
            sleep=self.clock.sleep)

    def configure(self, **overrides):
        config = cfg.ConfigOpts()
        opts.register(config)
        for name, value in overrides.items():
            config.set_override(name, value, opts.GROUP)
        self.plugin = self.make_plugin(config)

    def run_hooks(self, operation, volume_id, parameters=None, **kwargs):
        resource = interface.Resource(VOLUME, volume_id, 'data')
        hooks = getattr(self.plugin, 'get_%s_operation' % operation)(
            resource)
        # Karbor passes operation_log to every hook.
        kwargs.setdefault('operation_log', object())
        for hook in interface.HOOKS:
            getattr(hooks, hook)(self.checkpoint, resource, 'ctx',
                                 parameters or {}, **kwargs)

    def section(self, volume_id):
        return self.checkpoint.get_resource_bank_section(volume_id).objects

    def snapshots(self):
        return list(self.cinder.volume_snapshots.items.values())


@ddt.ddt
class ProtectOperationTestCase(OperationTestCase):

    def test_protect_records_snapshot_in_bank(self):
        volume = self.cinder.volumes.add(['creating', 'available'], size=3)
        self.run_hooks('protect', volume.id, {
            'snapshot_name': 'nightly', 'description': 'before upgrade',
            'force': False})
        [snapshot] = self.snapshots()
        self.assertEqual(
            {'status': 'available',
             'metadata': {'volume_id': volume.id,
                          'snapshot_id': snapshot.id, 'size': 3}},
            self.section(volume.id))
        self.assertEqual(
            ('available', 'nightly', 'before upgrade',
             {client.PROTECTION_TAG: 'checkpoint-1'}),
            (snapshot.status, snapshot.name, snapshot.description,
             snapshot.metadata))
        # Built with config=None (Karbor's plugin crashed): defaults, and
        # a 5 s poll once for the volume, once for the snapshot.
        self.assertEqual([5.0, 5.0], self.clock.slept)
        self.assertEqual({'ctx'}, set(self.contexts))

    def test_protect_refuses_in_use_volume_without_force(self):
        volume = self.cinder.volumes.add('in-use', size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id, {'force': False})
        self.assertIsInstance(error.__cause__, exception.VolumeAttached)
        self.assertEqual(
            'Protecting volume volume-1 failed: Volume volume-1 is in-use '
            '(attached); set the option force to true to snapshot it '
            'anyway.', str(error))
        self.assertEqual([], self.snapshots())
        self.assertEqual({'status': 'error'}, self.section(volume.id))

    @ddt.unpack
    @ddt.data(('3.71', 'in-use', True, True),
              ('3.71', 'available', False, None),
              ('3.66', 'available', True, True),
              ('3.65', 'in-use', True, True),
              ('3.65', 'available', False, False))
    def test_protect_passes_force_as_microversion_wants(
            self, microversion, status, force, sent):
        self.cinder = fakes.FakeCinder(microversion)
        volume = self.cinder.volumes.add(status, size=1)
        self.run_hooks('protect', volume.id, {'force': force})
        self.assertEqual([sent], self.cinder.created_with_force)
        self.assertEqual('available', self.section(volume.id)['status'])

    @ddt.data('error', 'error_restoring', 'error_extending',
              'error_deleting', 'error_backing-up', 'deleting')
    def test_protect_fails_at_once_on_volume_failure_status(self, status):
        volume = self.cinder.volumes.add(['creating', status], size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id)
        self.assertEqual(
            'Protecting volume volume-1 failed: Volume volume-1 is in status '
            '%s, a failure, while waiting for it to become available or '
            'in-use.' % status, str(error))
        self.assertEqual([5.0], self.clock.slept)
        self.assertEqual([], self.snapshots())
        self.assertEqual({'status': 'error'}, self.section(volume.id))

    def test_protect_fails_when_volume_is_gone(self):
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', 'volume-9')
        self.assertIn('Volume volume-9 no longer exists', str(error))

    def test_protect_deadline_on_volume_never_usable(self):
        self.configure(volume_ready_timeout=20, poll_interval=5)
        volume = self.cinder.volumes.add('creating', size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id)
        self.assertIsInstance(error.__cause__,
                              exception.ResourceWaitTimeout)
        self.assertIn('Volume volume-1 is still in status creating after '
                      '20.0s', str(error))
        self.assertEqual(20, sum(self.clock.slept))
        self.assertEqual([], self.snapshots())

    def test_protect_deadline_on_snapshot_stuck_creating(self):
        self.configure(snapshot_timeout=30, poll_interval=5)
        self.cinder.volume_snapshots.created_statuses = ['creating']
        volume = self.cinder.volumes.add('available', size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id)
        self.assertIn('Snapshot snapshot-1 is still in status creating '
                      'after 30.0s, the deadline for becoming available.',
                      str(error))
        self.assertEqual([5.0] * 6, self.clock.slept)

    def test_protect_snapshot_error_leaves_it_deletable(self):
        self.cinder.volume_snapshots.created_statuses = ['creating', 'error']
        volume = self.cinder.volumes.add('available', size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id)
        self.assertIn('Snapshot snapshot-1 is in status error', str(error))
        saved = self.section(volume.id)
        self.assertEqual(('error', 'snapshot-1'),
                         (saved['status'], saved['metadata']['snapshot_id']))
        self.run_hooks('delete', volume.id)
        self.assertEqual({'status': 'deleted'}, self.section(volume.id))
        self.assertEqual([], self.snapshots())

    def test_protect_rejects_invalid_parameters_before_calling_cinder(self):
        volume = self.cinder.volumes.add('available', size=1)
        error = self.assertRaises(exception.ProtectFailed, self.run_hooks,
                                  'protect', volume.id, {'force': 'yes'})
        self.assertIsInstance(error.__cause__,
                              exception.InvalidProtectionParameters)
        self.assertEqual([], self.contexts)
        self.assertEqual({'status': 'error'}, self.section(volume.id))


@ddt.ddt
class RestoreOperationTestCase(OperationTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.cinder.volumes.add('available', size=2)
        self.run_hooks('protect', self.volume.id)
        [self.snapshot] = self.snapshots()
        self.clock.slept = []

    def restore(self, parameters=None, record=None):
        self.record = record or fakes.FakeRecord()
        self.new_resources = {}
        self.run_hooks('restore', self.volume.id, parameters,
                       restore=self.record, new_resources=self.new_resources)

    def test_restore_reports_new_volume_to_karbor(self):
        self.restore({'restore_name': 'restored',
                      'restore_description': 'from nightly'})
        new = self.cinder.volumes.items[self.new_resources[self.volume.id]]
        self.assertEqual(('available', 2, 'restored', 'from nightly',
                          self.snapshot.id),
                         (new.status, new.size, new.name, new.description,
                          new.snapshot_id))
        key = '%s#%s' % (VOLUME, new.id)
        self.assertEqual([(key, 'restoring'), (key, 'available')],
                         self.record.history)
        self.assertEqual({}, self.record.resources_reason)

    def test_restore_names_volume_after_checkpoint_by_default(self):
        self.restore({'restore_name': None})
        new = self.cinder.volumes.items[self.new_resources[self.volume.id]]
        self.assertEqual('volume-checkpoint-1@%s' % self.volume.id,
                         new.name)
        self.assertIsNone(new.description)

    def test_restore_is_at_least_snapshot_size(self):
        self.snapshot.size = 5
        self.restore()
        new = self.cinder.volumes.items[self.new_resources[self.volume.id]]
        self.assertEqual(5, new.size)

    @ddt.data('error', 'error_restoring', 'error_extending')
    def test_restore_fails_on_new_volume_failure_status(self, status):
        self.cinder.volumes.created_statuses = ['creating', status]
        error = self.assertRaises(exception.RestoreFailed, self.restore)
        self.assertEqual(
            'Restoring volume volume-1 failed: Volume volume-2 is in status '
            '%s, a failure, while waiting for it to become available.'
            % status, str(error))
        key = '%s#volume-2' % VOLUME
        self.assertEqual([(key, 'restoring'), (key, 'error')],
                         self.record.history)
        self.assertIn(status, self.record.resources_reason[key])
        self.assertEqual({}, self.new_resources)

    def test_restore_deadline_on_volume_stuck_creating(self):
        self.configure(restore_timeout=100, poll_interval=10)
        self.cinder.volumes.created_statuses = ['creating']
        error = self.assertRaises(exception.RestoreFailed, self.restore)
        self.assertIn('Volume volume-2 is still in status creating after '
                      '100.0s', str(error))
        self.assertEqual([10.0] * 10, self.clock.slept)
        self.assertEqual('error', self.record.resources_status[
            '%s#volume-2' % VOLUME])

    def test_restore_fails_when_snapshot_is_gone(self):
        del self.cinder.volume_snapshots.items[self.snapshot.id]
        error = self.assertRaises(exception.RestoreFailed, self.restore)
        self.assertIn('Snapshot %s no longer exists' % self.snapshot.id,
                      str(error))
        self.assertEqual([self.volume.id], list(self.cinder.volumes.items))
        self.assertEqual(
            {'%s#%s' % (VOLUME, self.volume.id): 'error'},
            self.record.resources_status)

    def test_restore_fails_when_checkpoint_holds_nothing(self):
        self.checkpoint = fakes.FakeCheckpoint('checkpoint-2')
        error = self.assertRaises(exception.RestoreFailed, self.restore)
        self.assertIsInstance(error.__cause__, exception.NothingProtected)
        self.assertIn('Checkpoint checkpoint-2 holds no snapshot of volume '
                      'volume-1', str(error))

    def test_restore_survives_a_record_that_cannot_save(self):
        self.restore(record=fakes.FakeRecord(fail_save=True))
        self.assertIn(self.volume.id, self.new_resources)

    def test_restore_without_karbor_record(self):
        self.run_hooks('restore', self.volume.id)
        self.assertEqual(2, len(self.cinder.volumes.items))
