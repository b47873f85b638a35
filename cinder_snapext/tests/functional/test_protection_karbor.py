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


"""The plugin loaded and run by Karbor's own provider and flows."""

import inspect
import os
import types

from cinder.tests.unit import fake_constants as fake
import fixtures
from oslo_config import cfg
from stevedore import driver
import testtools

from cinder_snapext.protection import client
from cinder_snapext.protection import interface
from cinder_snapext.protection import plugin
from cinder_snapext.protection import records
from cinder_snapext.tests.functional import protection_base as pbase


@testtools.skipIf(pbase.KARBOR_MISSING and not pbase.KARBOR_REQUIRED,
                  pbase.KARBOR_MISSING)
class KarborProviderTestCase(pbase.ProtectionTestCase):
    """Our plugin loaded and run by Karbor's own code, not by ours.

    Karbor's provider loads it from the karbor.protections entry point
    (stevedore) with our example provider file, and Karbor's resource flow
    runs its hooks on Karbor's task engine, with Karbor's file-system bank.
    Only Karbor's RequestContext is a stand-in: karbor.context cannot be
    imported on current oslo.db.
    """

    def setUp(self):
        super().setUp()
        if pbase.KARBOR_MISSING:
            self.fail('SNAPEXT_REQUIRE_KARBOR=1 and %s' % pbase.KARBOR_MISSING)
        # Imported here: the module must load, and skip, without karbor.
        from karbor.common import constants
        from karbor import resource
        from karbor.services.protection.flows import workflow
        from karbor.services.protection import graph
        from karbor.services.protection import protection_plugin
        from karbor.services.protection import provider
        from karbor.services.protection import resource_flow
        self.karbor = types.SimpleNamespace(
            constants=constants, resource=resource, graph=graph,
            provider=provider, resource_flow=resource_flow,
            workflow=workflow, protection_plugin=protection_plugin)
        bank = self.useFixture(fixtures.TempDir()).path
        # Karbor's test deployment: the file-system bank instead of Swift.
        overrides = os.path.join(bank, 'overrides.conf')
        with open(overrides, 'w') as conf:
            conf.write('[provider]\nbank = karbor-fs-bank-plugin\n'
                       '[file_system_bank_plugin]\n'
                       'file_system_bank_path = %s\n'
                       '[snapext_protection]\npoll_interval = 0.05\n'
                       % bank)
        config = cfg.ConfigOpts()
        config(args=['--config-file', pbase.PROVIDER_FILE,
                     '--config-file', overrides])
        config.register_opts(provider.provider_opts, 'provider')
        self.provider = provider.PluggableProtectionProvider(config)
        # keystonemiddleware's v2-shaped catalog, as Karbor keeps it; with
        # noauth, Cinder takes "user:project" as the token.
        self.context = types.SimpleNamespace(
            auth_token='%s:%s' % (fake.USER_ID, fake.PROJECT_ID),
            project_id=fake.PROJECT_ID,
            service_catalog=[{'type': 'volumev3', 'endpoints': [
                {'publicURL': '%s/%s' % (self.auth_url, fake.PROJECT_ID)}]}])

    def run_flow(self, operation, checkpoint, volume_id, parameters,
                 **store):
        karbor = self.karbor
        engine = karbor.workflow.TaskFlowEngine()
        graph = karbor.graph.build_graph(
            [karbor.resource.Resource(
                type=interface.VOLUME_RESOURCE_TYPE, id=volume_id,
                name='data')], lambda resource: [])
        flow = engine.build_flow('snapext-%s' % operation, 'linear')
        engine.add_tasks(flow, karbor.resource_flow.build_resource_flow(
            operation_type=operation, context=self.context,
            workflow_engine=engine, plugins=self.provider.load_plugins(),
            resource_graph=graph, parameters=parameters))
        flow_engine = engine.get_engine(flow, store=dict(
            context=self.context, checkpoint=checkpoint,
            operation_log=None, **store))
        engine.run_engine(flow_engine)
        return flow_engine

    def test_plugin_answers_every_call_of_karbors_base_classes(self):
        base_plugin = self.karbor.protection_plugin.ProtectionPlugin
        for name in dir(base_plugin):
            if name.startswith('_'):
                continue
            self.assertEqual(
                list(inspect.signature(getattr(base_plugin, name)).parameters),
                list(inspect.signature(getattr(
                    plugin.SnapextProtectionPlugin, name)).parameters), name)
        self.assertEqual(interface.VOLUME_RESOURCE_TYPE,
                         self.karbor.constants.VOLUME_RESOURCE_TYPE)
        resource = self.karbor.resource.Resource(
            type=interface.VOLUME_RESOURCE_TYPE, id='v', name='data')
        hooks = [name for name in dir(self.karbor.protection_plugin.Operation)
                 if name.startswith('on_')]
        self.assertEqual(sorted(interface.HOOKS), hooks)
        for operation in ('protect', 'restore', 'verify', 'delete'):
            ours = getattr(self.plugin, 'get_%s_operation' % operation)(
                resource)
            for hook in hooks:
                # Called as Karbor's resource flow calls every hook.
                inspect.signature(getattr(ours, hook)).bind(
                    checkpoint=None, resource=resource, context=None,
                    parameters={}, operation_log=None, restore=None,
                    verify=None, new_resources={})

    def test_provider_loads_plugin_and_runs_protect_restore_delete(self):
        volume_type = interface.VOLUME_RESOURCE_TYPE
        self.assertIs(plugin.SnapextProtectionPlugin, driver.DriverManager(
            'karbor.protections', 'cinder-snapext').driver)
        self.assertIs(plugin.SnapextProtectionPlugin,
                      self.provider.plugins[volume_type])
        schemas = self.provider.extended_info_schema
        self.assertEqual(self.plugin.get_options_schema(volume_type),
                         schemas['options_schema'][volume_type])
        self.assertEqual(self.plugin.get_restore_schema(volume_type),
                         schemas['restore_schema'][volume_type])

        volume = self.create_volume()
        checkpoint = self.provider.get_checkpoint_collection().create(
            {'id': 'plan-1', 'name': 'nightly',
             'provider_id': self.provider.id, 'project_id': fake.PROJECT_ID,
             'resources': []})
        self.run_flow('protect', checkpoint, volume['id'],
                      {volume_type: {'snapshot_name': 'karbor-nightly'}})
        section = checkpoint.get_resource_bank_section(volume['id'])
        self.assertEqual('available', section.get_object('status'))
        saved = section.get_object('metadata')
        snapshot = self.api.get_snapshot(saved['snapshot_id'])
        self.assertEqual(('available', 'karbor-nightly'),
                         (snapshot['status'], snapshot['name']))

        restore = records.ResourceRecord()
        flow_engine = self.run_flow(
            'restore', checkpoint, volume['id'],
            {'%s#%s' % (volume_type, volume['id']):
             {'restore_name': 'from-karbor'}},
            restore=restore, new_resources={})
        new_resources = flow_engine.storage.fetch('new_resources')
        restored = self.api.get_volume(new_resources[volume['id']])
        self.assertEqual(('available', 'from-karbor', saved['snapshot_id']),
                         (restored['status'], restored['name'],
                          restored['snapshot_id']))
        self.assertEqual(
            {'%s#%s' % (volume_type, restored['id']): 'available'},
            restore.resources_status)

        self.run_flow('delete', checkpoint, volume['id'], {})
        self.assertEqual('deleted', section.get_object('status'))
        self.assertIsNone(client.get_snapshot(self.cinder,
                                              saved['snapshot_id']))
