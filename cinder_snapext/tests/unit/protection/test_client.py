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

"""Endpoint lookup, retryable errors and protection snapshot lookups."""

import types

import ddt
from oslo_config import cfg
import testtools

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import opts
from cinder_snapext.tests.unit.protection import fake_errors
from cinder_snapext.tests.unit.protection import fakes

URL = 'http://cinder:8776/v3/project-1'


@ddt.ddt
class EndpointTestCase(testtools.TestCase):

    def settings(self, **overrides):
        config = cfg.ConfigOpts()
        group = opts.register(config)
        for name, value in overrides.items():
            config.set_override(name, value, opts.GROUP)
        return group

    def context(self, *catalog):
        return types.SimpleNamespace(auth_token='t', project_id='project-1',
                                     service_catalog=list(catalog))

    def test_endpoint_option_wins_and_takes_project(self):
        settings = self.settings(
            cinder_endpoint='http://c:8776/v3/%(project_id)s')
        self.assertEqual('http://c:8776/v3/project-1', client.endpoint_for(
            self.context({'type': 'block-storage',
                          'endpoints': [{'publicURL': URL}]}), settings))

    @ddt.data({'type': 'volumev3', 'endpoints': [{'publicURL': URL}]},
              {'type': 'block-storage', 'endpoints': [
                  {'interface': 'admin', 'url': 'http://admin'},
                  {'interface': 'public', 'url': URL}]})
    def test_endpoint_from_v2_or_v3_catalog(self, service):
        self.assertEqual(URL, client.endpoint_for(
            self.context({'type': 'compute', 'endpoints': [
                {'publicURL': 'http://nova'}]}, service), self.settings()))

    def test_endpoint_honours_interface_and_region(self):
        catalog = {'type': 'volumev3', 'endpoints': [
            {'region': 'one', 'internalURL': 'http://one'},
            {'region': 'two', 'internalURL': 'http://two'}]}
        self.assertEqual('http://two', client.endpoint_for(
            self.context(catalog), self.settings(
                cinder_interface='internal', cinder_region_name='two')))

    def test_endpoint_missing_fails_saying_what_to_set(self):
        error = self.assertRaises(
            exception.CinderEndpointNotFound, client.endpoint_for,
            self.context({'type': 'compute', 'endpoints': [
                {'publicURL': 'http://nova'}]}), self.settings())
        self.assertIn('set [snapext_protection] cinder_endpoint', str(error))
        self.assertIn('block-storage, volumev3 endpoint (interface public)',
                      str(error))


@ddt.ddt
class TransientErrorTestCase(testtools.TestCase):

    @ddt.unpack
    @ddt.data((fake_errors.http_error(503), True),
              (fake_errors.http_error(500), True),
              (fake_errors.ks_connect_failure(), True),
              (fake_errors.http_error(400), False),
              (fake_errors.http_error(404), False),
              (ValueError('bug'), False))
    def test_is_transient_for_outages_only(self, error, transient):
        self.assertEqual(transient, client.is_transient(error))


class LookupTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cinder = fakes.FakeCinder()
        snapshots = self.cinder.volume_snapshots
        tag = client.PROTECTION_TAG
        self.old = snapshots.add('available', volume_id='v1', name='a',
                                 metadata={tag: 'c1'},
                                 created_at='2026-11-20T00:00:00')
        self.new = snapshots.add('error', volume_id='v1', name='b',
                                 metadata={tag: 'c2'},
                                 created_at='2026-11-21T00:00:00')
        self.manual = snapshots.add('available', volume_id='v1', name='b',
                                    metadata={},
                                    created_at='2026-11-22T00:00:00')
        self.other = snapshots.add('available', volume_id='v2', name='c',
                                   metadata={tag: 'c3'},
                                   created_at='2026-11-19T00:00:00')

    def test_protection_snapshots_are_tagged_ones_newest_first(self):
        self.assertEqual([self.new, self.old],
                         client.protection_snapshots(self.cinder, 'v1'))
        self.assertEqual([self.new, self.old, self.other],
                         client.protection_snapshots(self.cinder))
        self.assertEqual([self.new], client.protection_snapshots(
            self.cinder, 'v1', checkpoint_id='c2'))

    def test_find_snapshot_by_id_then_by_unique_name(self):
        self.assertIs(self.old, client.find_snapshot(self.cinder,
                                                     self.old.id))
        self.assertIs(self.other, client.find_snapshot(self.cinder, 'c'))
        error = self.assertRaises(exception.AmbiguousName,
                                  client.find_snapshot, self.cinder, 'b')
        self.assertIn('%s, %s' % (self.new.id, self.manual.id), str(error))
        self.assertRaises(exception.NoSuchResource, client.find_volume,
                          self.cinder, 'nothing')
