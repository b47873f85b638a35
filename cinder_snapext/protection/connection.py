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

"""The command's openstacksdk Connection, from clouds.yaml or OS_* flags.

Every way of reaching Cinder (clouds.yaml, Keystone auth flags, a token,
noauth with --os-endpoint) ends in one openstack.connection.Connection, so
that the session, endpoint, interface, region and the retry settings come
from one place. The Cinder calls still go through cinderclient on that
Connection's keystoneauth session (client.create): openstacksdk 4.22 caps
snapshots at microversion 3.65, backups at 3.64, groups at 3.38 and group
snapshots at 3.29, while protect negotiates up to client.MAX_MICROVERSION,
and the real-stack tests pin that wire behaviour.
"""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading

from cinder_snapext.protection import arguments
from cinder_snapext.protection import client


def from_args(args):
    """An openstack.connection.Connection for the parsed command line.

    Raises keystoneauth's ClientException, in words, for an unknown cloud
    or noauth without an endpoint.
    """
    # Imported here: openstacksdk takes seconds to import under load, and
    # --help or a parse error need not pay that.
    from openstack import connection
    if args.os_cloud:
        return connection.Connection(config=_cloud_region(args))
    if args.os_auth_type == arguments.NOAUTH:
        if not args.os_endpoint:
            raise ks_exceptions.ClientException(
                'noauth needs the Block Storage endpoint: set --os-endpoint '
                'or OS_ENDPOINT to its /v3 URL.')
        auth = client.noauth_plugin(args.os_endpoint, args.os_project_id,
                                    args.os_user_id)
        # As the stock cinder CLI does: URLs without the project (Cinder
        # accepts them from 3.67), whose id need not match Cinder's
        # project_id_regex under noauth ('admin' does not).
        endpoint = args.os_endpoint.rstrip('/')
    else:
        auth = loading.load_auth_from_argparse_arguments(args)
        endpoint = args.os_endpoint
    session = loading.load_session_from_argparse_arguments(args, auth=auth)
    overrides = {'interface': args.os_interface}
    if endpoint:
        overrides[_config_key('endpoint_override')] = endpoint
    return connection.Connection(session=session,
                                 region_name=args.os_region_name,
                                 **overrides)


def _cloud_region(args):
    # openstacksdk's loader: clouds.yaml in its usual places (or
    # OS_CLIENT_CONFIG_FILE), secure.yaml, the cloud's auth plugin, CA and
    # per-service endpoint override, as every OpenStack tool reads them.
    from openstack.config import loader
    from openstack import exceptions as os_exceptions
    overrides = {}
    if args.os_endpoint:
        # --os-endpoint wins over the cloud's own override, as before.
        overrides[_config_key('endpoint_override')] = args.os_endpoint
    try:
        region = loader.OpenStackConfig().get_one(cloud=args.os_cloud,
                                                  **overrides)
    except os_exceptions.ConfigException as e:
        raise ks_exceptions.ClientException(
            'cloud %s: %s' % (args.os_cloud, e)) from e
    # The cloud's api_timeout if it has one; ours (--timeout) otherwise.
    if region.config.get('api_timeout') is None:
        region.config['api_timeout'] = args.timeout
    return region


def _config_key(name):
    # clouds.yaml spells per-service settings with underscores.
    return '%s_%s' % (client.SERVICE_TYPE.replace('-', '_'), name)


def cinder(conn):
    """A negotiated cinderclient on the Connection's session and settings.

    The endpoint is the configured override only (None: cinderclient reads
    the catalog), so that building the client asks Cinder nothing more
    than before.
    """
    region = conn.config
    return client.create(
        region.get_session(),
        endpoint=region.get_endpoint(client.SERVICE_TYPE),
        interface=region.get_interface(client.SERVICE_TYPE) or 'public',
        region_name=region.get_region_name(client.SERVICE_TYPE))
