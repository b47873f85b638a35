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

"""cinder-snapext's routes, called through openstacksdk's block-storage proxy.

The proxy is a keystoneauth adapter on the session OSC authenticated: it
resolves the endpoint from the catalog (or the cloud's override), sends
the token and the microversion header. This module only names routes and
bodies, and turns a refusal into an error that shows Cinder's message.
"""

import urllib.parse

from openstack import exceptions as sdk_exceptions
from osc_lib import exceptions

# POST /manageable_snapshots exists from 3.8 on; openstacksdk and the
# stock 'volume snapshot create --remote-source' use it too.
MANAGE_MICROVERSION = '3.8'
# A backup's metadata, where verify answers, is shown from 3.43 on.
BACKUP_METADATA_MICROVERSION = '3.43'


class SnapextClient:
    """What the commands call; one method per route."""

    def __init__(self, proxy):
        self.proxy = proxy

    # -- Cinder's own objects, found the way the stock commands find them.

    def find_snapshot(self, name_or_id, all_projects=False):
        return self._sdk(self.proxy.find_snapshot, name_or_id,
                         ignore_missing=False, all_projects=all_projects)

    def find_volume(self, name_or_id):
        return self._sdk(self.proxy.find_volume, name_or_id,
                         ignore_missing=False)

    # -- import and export -------------------------------------------------

    def export_snapshot(self, snapshot_id):
        """The spec's export route: ``{"snapshot": {..., "reference"}}``."""
        return self._call('POST', _path('os-snapshot-manage', snapshot_id,
                                        'action'),
                          body={'os-unmanage': {}})['snapshot']

    def import_snapshot(self, snapshot):
        """Manage a backend snapshot; ``snapshot`` is the request's body."""
        return self._call('POST', '/manageable_snapshots',
                          body={'snapshot': snapshot},
                          microversion=MANAGE_MICROVERSION)['snapshot']

    # -- assisted-snapshot phases --------------------------------------------

    def list_phases(self, stuck=None):
        query = {} if stuck is None else {'stuck': str(stuck).lower()}
        return self._call('GET', '/snapext-assisted-phases',
                          query=query)['assisted_phases']

    def show_phase(self, snapshot_id):
        return self._call('GET', _path('snapext-assisted-phases',
                                       snapshot_id))['assisted_phase']

    # -- admin metadata ------------------------------------------------------

    def list_admin_metadata(self, snapshot_id):
        return self._call('GET', _admin_metadata(snapshot_id))[
            'admin_metadata']

    def set_admin_metadata(self, snapshot_id, metadata):
        return self._call('POST', _admin_metadata(snapshot_id),
                          body={'admin_metadata': metadata})[
            'admin_metadata']

    def unset_admin_metadata(self, snapshot_id, key):
        self._call('DELETE', _admin_metadata(snapshot_id, key))

    # -- backup verify -------------------------------------------------------

    def find_backup(self, name_or_id):
        return self._sdk(self.proxy.find_backup, name_or_id,
                         ignore_missing=False)

    def verify_backup(self, backup_id):
        self._call('POST', _path('backups', backup_id, 'action'),
                   body={'snapext-verify': {}})

    def show_backup(self, backup_id):
        return self._call('GET', _path('backups', backup_id),
                          microversion=BACKUP_METADATA_MICROVERSION)[
            'backup']

    # -- plumbing ------------------------------------------------------------

    def _call(self, method, path, body=None, query=None, microversion=None):
        if query:
            path += '?' + urllib.parse.urlencode(query)
        kwargs = {'microversion': microversion}
        if body is not None:
            kwargs['json'] = body
        response = self._sdk(self.proxy.request, path, method, **kwargs)
        self._sdk(sdk_exceptions.raise_from_response, response)
        return response.json() if response.content else None

    @staticmethod
    def _sdk(call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except sdk_exceptions.HttpException as e:
            raise exceptions.CommandError(refusal(e)) from e
        except sdk_exceptions.SDKException as e:
            raise exceptions.CommandError(str(e)) from e


def refusal(error):
    """Cinder's fault message, with the HTTP status it came with."""
    status = error.status_code
    details = error.details or str(error)
    if status is None:
        return details
    return 'Cinder refused the request (HTTP %s): %s' % (status, details)


def _path(*parts):
    return '/' + '/'.join(urllib.parse.quote(part, safe='') for part in parts)


def _admin_metadata(snapshot_id, key=None):
    parts = ['snapshots', snapshot_id, 'snapext-admin-metadata']
    return _path(*(parts + ([key] if key is not None else [])))
