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

"""The plugin as Karbor builds it: from a provider file, or from nothing."""

import os

import fixtures
from oslo_config import cfg
import testtools

from cinder_snapext.protection import exception
from cinder_snapext.protection import interface
from cinder_snapext.protection import opts
from cinder_snapext.protection import plugin
from cinder_snapext.tests.unit.protection import fakes

PROVIDER_FILE = os.path.join(
    os.path.dirname(__file__), '..', '..', '..', '..', 'etc', 'providers.d',
    'cinder-snapext-volume-snapshot.conf')


class SnapextProtectionPluginTestCase(testtools.TestCase):

    def provider_config(self, *extra_lines):
        """A ConfigOpts read as Karbor reads a provider file."""
        folder = self.useFixture(fixtures.TempDir()).path
        extra = os.path.join(folder, 'extra.conf')
        with open(extra, 'w') as conf:
            conf.write('\n'.join(extra_lines) + '\n')
        config = cfg.ConfigOpts()
        config(args=['--config-file', PROVIDER_FILE, '--config-file', extra])
        return config

    def test_plugin_reads_its_section_of_the_provider_file(self):
        config = self.provider_config('[snapext_protection]',
                                      'poll_interval = 2',
                                      'snapshot_timeout = 7')
        clock, cinder = fakes.FakeClock(), fakes.FakeCinder()
        cinder.volume_snapshots.created_statuses = ['creating']
        volume = cinder.volumes.add('available', size=1)
        protection = plugin.SnapextProtectionPlugin(
            config, client_factory=lambda context: cinder, clock=clock,
            sleep=clock.sleep)
        resource = interface.Resource(interface.VOLUME_RESOURCE_TYPE,
                                      volume.id, 'data')
        self.assertRaises(
            exception.ProtectFailed,
            protection.get_protect_operation(resource).on_main,
            fakes.FakeCheckpoint(), resource, None, {})
        self.assertEqual([2.0, 2.0, 2.0, 1.0], clock.slept)

    def test_example_provider_file_names_our_entry_point(self):
        config = self.provider_config()
        config.register_opts([cfg.MultiStrOpt('plugin'),
                              cfg.StrOpt('bank')], 'provider')
        opts.register(config)
        self.assertEqual(['cinder-snapext'], config.provider.plugin)
        # Every option of ours in the example is the default, commented.
        self.assertEqual(
            {opt.name: opt.default for opt in opts.list_opts()[0][1]},
            {opt.name: getattr(config.snapext_protection, opt.name)
             for opt in opts.list_opts()[0][1]})

    def test_plugin_without_config_has_defaults(self):
        protection = plugin.SnapextProtectionPlugin()
        self.assertEqual(5.0, protection._config.snapext_protection
                         .poll_interval)

    def test_copy_is_not_supported(self):
        protection = plugin.SnapextProtectionPlugin()
        self.assertRaises(NotImplementedError,
                          protection.get_copy_operation, None)

    def test_saved_info_is_what_protect_recorded(self):
        checkpoint = fakes.FakeCheckpoint()
        resource = interface.Resource(interface.VOLUME_RESOURCE_TYPE,
                                      'volume-1', 'data')
        cls = plugin.SnapextProtectionPlugin
        self.assertIsNone(cls.get_saved_info(checkpoint, resource))
        saved = {'volume_id': 'volume-1', 'snapshot_id': 's', 'size': 1}
        checkpoint.get_resource_bank_section('volume-1').update_object(
            'metadata', saved)
        self.assertEqual(saved, cls.get_saved_info(checkpoint, resource))
