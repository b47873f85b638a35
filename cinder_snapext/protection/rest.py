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

"""Cinder's REST API on an openstacksdk proxy, at one negotiated version.

The requests go through the Connection's block-storage proxy (a
keystoneauth Adapter: its session, endpoint, interface, region, retries
and timeout), every one at the microversion negotiated once from Cinder's
version document; HTTP errors become openstacksdk's exceptions.
"""

import urllib.parse

from keystoneauth1 import discover
from openstack import exceptions as sdk_exceptions

# The newest microversion this plugin was tested against (Cinder 29);
# negotiation picks the highest one server and we both know.
MAX_MICROVERSION = '3.71'
# The base of Cinder's v3 API, which every server has.
BASE_MICROVERSION = '3.0'


class UnsupportedVersion(sdk_exceptions.SDKException):
    """Cinder's microversions and ours do not overlap."""


class Resource:
    """One Cinder resource as its JSON says, read by attribute.

    Fields Cinder did not send raise AttributeError, so ``getattr(item,
    name, default)`` tells an absent field from an empty one.
    """

    def __init__(self, fields):
        self.__dict__.update(fields)

    def to_dict(self):
        return dict(self.__dict__)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__, getattr(self, 'id', None))


def parse(version):
    """``'3.66'`` as the tuple (3, 66), which compares as versions do."""
    return discover.normalize_version_number(version)


class BlockStorage:
    """Cinder's v3 API at one microversion, through a keystoneauth Adapter.

    :param adapter: the Connection's ``block_storage`` proxy, or any
        keystoneauth Adapter for the block-storage service
    :param microversion: skip negotiation (tests; a known server)
    """

    def __init__(self, adapter, microversion=None):
        self.adapter = adapter
        self.microversion = microversion or negotiate(adapter)

    def request(self, method, path, body=None, params=None):
        """The decoded JSON answer, or None for an empty one.

        :raises: openstack.exceptions.HttpException (NotFoundException for
            404, BadRequestException for 400...) carrying Cinder's words
        """
        response = self.adapter.request(
            path, method, json=body, params=params,
            microversion=self.microversion, raise_exc=False)
        sdk_exceptions.raise_from_response(response)
        if not response.content:
            return None
        return response.json()

    def get(self, path, params=None):
        return self.request('GET', path, params=params)

    def post(self, path, body):
        return self.request('POST', path, body=body)

    def put(self, path, body):
        return self.request('PUT', path, body=body)

    def delete(self, path):
        return self.request('DELETE', path)


def negotiate(adapter):
    """The highest microversion that both Cinder and this plugin know.

    Read from Cinder's version document, which lives at the root the
    versioned endpoint hangs from (``http://host:8776/`` for
    ``.../v3/<project>``; ``/volume/`` under a WSGI prefix), as
    python-cinderclient read it: one GET, and no keystoneauth version
    discovery, whose unauthenticated probes a noauth Cinder answers with
    204 at ``/v3``.

    :raises: UnsupportedVersion when the ranges do not overlap
    """
    # The override as configured; else the catalog's URL, as it stands.
    endpoint = adapter.endpoint_override or adapter.get_endpoint()
    response = adapter.get(version_document_url(endpoint), raise_exc=False)
    sdk_exceptions.raise_from_response(response)
    low = high = None
    for version in response.json().get('versions', []):
        if str(version.get('id', '')).startswith('v3'):
            low = version.get('min_version') or None
            high = version.get('version') or None
    if high is None:
        # A v3 endpoint without microversions answers as 3.0 does.
        return BASE_MICROVERSION
    if parse(low or BASE_MICROVERSION) > parse(MAX_MICROVERSION):
        raise UnsupportedVersion(
            message='Cinder supports microversions %s to %s; this client '
                    'knows %s to %s.' % (low, high, BASE_MICROVERSION,
                                         MAX_MICROVERSION))
    return discover.version_to_string(min(parse(high),
                                          parse(MAX_MICROVERSION)))


def version_document_url(endpoint):
    """The unversioned root above a Block Storage endpoint URL."""
    url = urllib.parse.urlparse(endpoint)
    path = url.path
    for marker in ('/v3/', '/v2/'):
        cut = (path + '/').rfind(marker)
        if cut >= 0:
            path = path[:cut]
            break
    return '%s://%s%s/' % (url.scheme, url.netloc, path.rstrip('/'))
