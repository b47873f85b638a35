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

"""The openstacksdk Connection protect talks to Cinder through.

Every way of reaching Cinder (clouds.yaml, Keystone auth flags, a token,
noauth with --os-endpoint, a Karbor request's token) ends in one
openstack.connection.Connection, so that the session, endpoint, interface,
region, retries and timeout come from one place, and every Cinder call goes
through openstacksdk's block-storage proxy (a keystoneauth Adapter) made
from that Connection: cinder() wraps it in resources.Client. Not
openstacksdk's resource classes: they cap snapshots at microversion 3.65,
backups at 3.64, groups at 3.38 and group snapshots at 3.29 (openstacksdk
4.22), while protect negotiates up to rest.MAX_MICROVERSION from Cinder's
version document and sends it on every call, which the real-stack tests
pin.
"""

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint

from cinder_snapext.protection import arguments
from cinder_snapext.protection import client
from cinder_snapext.protection import noauth
from cinder_snapext.protection import resources
from cinder_snapext.protection import rest


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
        auth = noauth.plugin_for(args.os_endpoint, args.os_project_id,
                                 args.os_user_id)
        # As the stock cinder CLI does: URLs without the project (Cinder
        # accepts them from 3.67), whose id need not match Cinder's
        # project_id_regex under noauth ('admin' does not).
        endpoint = args.os_endpoint.rstrip('/')
    else:
        auth = loading.load_auth_from_argparse_arguments(args)
        endpoint = args.os_endpoint
    session = loading.load_session_from_argparse_arguments(args, auth=auth)
    return session_connection(session, endpoint, args.os_interface,
                              args.os_region_name)


def from_context(context, conf):
    """A Connection acting with the token of a Karbor request context.

    :param conf: our provider file section (``opts.GROUP``)
    """
    endpoint = client.endpoint_for(context, conf)
    verify = False if conf.cinder_insecure else (conf.cinder_ca_file or True)
    plugin = token_endpoint.Token(endpoint, context.auth_token)
    return session_connection(
        ks_session.Session(auth=plugin, verify=verify), endpoint,
        conf.cinder_interface, conf.cinder_region_name)


def session_connection(session, endpoint=None, interface='public',
                       region_name=None):
    """A Connection on a keystoneauth session (Keystone, token, noauth).

    :param endpoint: the Block Storage endpoint overriding the catalog;
        None reads the catalog, or noauth's plugin
    """
    from openstack import connection
    overrides = {'interface': interface}
    if endpoint:
        overrides[_config_key('endpoint_override')] = endpoint
    return connection.Connection(session=session, region_name=region_name,
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
    """The client protect uses, on the Connection's block-storage proxy.

    openstacksdk's v3 block-storage Proxy, made by the Connection's cloud
    region as ``conn.block_storage`` is, but without the keystoneauth
    version discovery that attribute runs first: against a noauth Cinder
    that discovery fails, and the endpoint is the configured override or
    the catalog's URL as it stands, as before. The microversion is then
    negotiated once from Cinder's version document (rest.negotiate).
    """
    from openstack.block_storage import block_storage_service
    proxy = conn.config.get_session_client(
        client.SERVICE_TYPE,
        constructor=block_storage_service.BlockStorageService
        .supported_versions['3'])
    # As openstacksdk ties each proxy it makes to its Connection: the
    # proxy's requests read the Connection's cache and request id there.
    proxy._connection = conn
    return resources.Client(rest.BlockStorage(proxy))
