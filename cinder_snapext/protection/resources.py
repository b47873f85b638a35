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

"""The Cinder resources protect uses, one collection each, over rest.

Each collection speaks one URL family of the v3 API and returns
rest.Resource objects; client and group_client say what protect does
with them.
"""

import urllib.parse

from cinder_snapext.protection import rest


class Collection:
    """``/<path>``: get one, list with filters, delete one."""

    # The URL segment and the JSON keys of one item and of a listing.
    path = ''
    key = ''
    plural = ''
    # Whether Cinder answers a create with a few fields only (id, name,
    # links): then the item is read once more, as cinderclient's lazy
    # loading did at the first missing attribute.
    partial_create = False

    def __init__(self, api):
        self._api = api

    def get(self, item_id):
        # Quoted: find() asks for a name first as if it were an id.
        return self._one(self._api.get('/%s/%s' % (
            self.path, urllib.parse.quote(item_id, safe=''))))

    def list(self, search_opts=None):
        """Every item the filters select, following Cinder's pages."""
        params = {key: value for key, value in (search_opts or {}).items()
                  if value is not None}
        found = []
        url = '/%s/detail' % self.path
        while url:
            body = self._api.get(url, params=params)
            found += [rest.Resource(item) for item in body[self.plural]]
            url = _next_page(body.get('%s_links' % self.plural))
            # The next link carries the filters and the marker itself.
            params = {}
        return found

    def delete(self, item_id):
        self._api.delete('/%s/%s' % (self.path, item_id))

    def _create(self, fields):
        created = self._one(self._api.post('/%s' % self.path,
                                           {self.key: fields}))
        return self.get(created.id) if self.partial_create else created

    def _one(self, body):
        return rest.Resource(body[self.key])


def _next_page(links):
    for link in links or []:
        if link.get('rel') == 'next':
            return link['href']
    return None


class Volumes(Collection):
    path, key, plural = 'volumes', 'volume', 'volumes'

    def create(self, size, snapshot_id=None, name=None, description=None):
        return self._create({'size': size, 'snapshot_id': snapshot_id,
                             'name': name, 'description': description})


class Snapshots(Collection):
    path, key, plural = 'snapshots', 'snapshot', 'snapshots'

    def create(self, volume_id, force=False, name=None, description=None,
               metadata=None):
        fields = {'volume_id': volume_id, 'name': name,
                  'description': description, 'metadata': metadata or {}}
        if force is not None:
            # From 3.66 on Cinder refuses force=False; client leaves it out.
            fields['force'] = force
        return self._create(fields)

    def set_metadata(self, snapshot_id, metadata):
        """Add or replace these keys (POST merges, PUT would replace)."""
        self._api.post('/snapshots/%s/metadata' % snapshot_id,
                       {'metadata': metadata})


class Backups(Collection):
    path, key, plural = 'backups', 'backup', 'backups'
    partial_create = True

    def create(self, volume_id, name=None, incremental=False,
               snapshot_id=None, metadata=None):
        return self._create({'volume_id': volume_id, 'name': name,
                             'incremental': incremental,
                             'snapshot_id': snapshot_id,
                             'metadata': metadata or {}})


class Restores:
    """``POST /backups/<id>/restore``: a backup into a new volume."""

    def __init__(self, api):
        self._api = api

    def restore(self, backup_id, volume_id=None, name=None):
        body = self._api.post('/backups/%s/restore' % backup_id,
                              {'restore': {'volume_id': volume_id,
                                           'name': name}})
        return rest.Resource(body['restore'])


class Messages(Collection):
    """User messages; their listing has no ``/detail``."""

    path, key, plural = 'messages', 'message', 'messages'

    def list(self, search_opts=None):
        body = self._api.get('/messages', params=search_opts)
        return [rest.Resource(item) for item in body['messages']]


class Groups(Collection):
    path, key, plural = 'groups', 'group', 'groups'

    def create_from_src(self, group_snapshot_id, source_group_id,
                        name=None, description=None):
        """A new group from a group snapshot or group; its JSON."""
        fields = {'group_snapshot_id': group_snapshot_id,
                  'source_group_id': source_group_id,
                  'name': name, 'description': description}
        # Cinder's schema takes a string or nothing for each, never null.
        body = self._api.post('/groups/action', {'create-from-src': {
            key: value for key, value in fields.items()
            if value is not None}})
        return body['group']


class GroupSnapshots(Collection):
    path, key, plural = 'group_snapshots', 'group_snapshot', \
        'group_snapshots'
    partial_create = True

    def create(self, group_id, name=None, description=None):
        return self._create({'group_id': group_id, 'name': name,
                             'description': description})


class Client:
    """What protect asks Cinder, at one negotiated microversion.

    The shape python-cinderclient had (``volumes``, ``volume_snapshots``...)
    so that tests replace it by fakes of the same shape.

    :param api: a rest.BlockStorage
    """

    def __init__(self, api):
        self.api = api
        self.microversion = api.microversion
        self.volumes = Volumes(api)
        self.volume_snapshots = Snapshots(api)
        self.backups = Backups(api)
        self.restores = Restores(api)
        self.messages = Messages(api)
        self.groups = Groups(api)
        self.group_snapshots = GroupSnapshots(api)
