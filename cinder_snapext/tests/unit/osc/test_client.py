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

"""What the plugin makes of Cinder's refusals and references."""

import argparse

import fixtures
from openstack import exceptions as sdk_exceptions
from osc_lib import exceptions
import testtools

from cinder_snapext.osc import client
from cinder_snapext.osc import plugin
from cinder_snapext.osc.v3 import snapshot_transfer


class RefusalTestCase(testtools.TestCase):

    def test_http_refusal_shows_status_and_cinders_message(self):
        error = sdk_exceptions.BadRequestException(
            message='ignored', http_status=400,
            details='Host x in the request does not serve volume v')
        self.assertEqual('Cinder refused the request (HTTP 400): Host x in '
                         'the request does not serve volume v',
                         client.refusal(error))

    def test_sdk_error_without_status_is_passed_on(self):
        def find():
            raise sdk_exceptions.NotFoundException(
                'No Snapshot found for nightly')
        error = self.assertRaises(exceptions.CommandError,
                                  client.SnapextClient._sdk, find)
        self.assertIn('No Snapshot found for nightly', str(error))

    def test_path_quotes_every_part(self):
        self.assertEqual('/snapshots/s%2F1/snapext-admin-metadata/a%20b',
                         client._admin_metadata('s/1', 'a b'))


class RemoteSourceTestCase(testtools.TestCase):

    def test_reference_as_remote_source_option(self):
        self.assertEqual(
            'source-id=42,source-name=snap',
            snapshot_transfer.remote_source({'source-name': 'snap',
                                             'source-id': '42'}))


class PluginTestCase(testtools.TestCase):

    def test_api_version_option_defaults_to_3(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_VOLUME_SNAPEXT_API_VERSION'))
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        self.assertEqual('3', parser.parse_args([]).
                         os_volume_snapext_api_version)
        self.assertIn(plugin.DEFAULT_API_VERSION, plugin.API_VERSIONS)
