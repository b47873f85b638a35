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

"""The module python-openstackclient loads from ``openstack.cli.extension``.

OSC reads the names below, adds ``--os-volume-snapext-api-version`` to its
global options, and loads the commands of the entry point group
``openstack.volume_snapext.v<major>``; ``client_manager.volume_snapext``
is then the object ``make_client`` returns, built lazily on first use.
"""

from osc_lib import utils

from cinder_snapext.osc import client

DEFAULT_API_VERSION = '3'

# The plugin interface of python-openstackclient.
API_NAME = 'volume_snapext'
API_VERSION_OPTION = 'os_volume_snapext_api_version'
API_VERSIONS = {'3': 'cinder_snapext.osc.client.SnapextClient'}


def make_client(instance):
    """The client the commands use, on the session OSC authenticated."""
    # OSC has already read clouds.yaml, the OS_* variables and the global
    # options into this connection: region, interface, endpoint overrides
    # and TLS settings all apply as they do to 'openstack volume ...'.
    return client.SnapextClient(instance.sdk_connection.block_storage)


def client_of(app):
    """The client of ``make_client``, which OSC keeps on its manager."""
    # The attribute is named after API_NAME and set by OSC at run time.
    return getattr(app.client_manager, API_NAME)


def build_option_parser(parser):
    """Add the API version option to OSC's global options."""
    parser.add_argument(
        '--os-volume-snapext-api-version',
        metavar='<volume-snapext-api-version>',
        default=utils.env('OS_VOLUME_SNAPEXT_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='cinder-snapext commands API version, default=%s '
             '(Env: OS_VOLUME_SNAPEXT_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
