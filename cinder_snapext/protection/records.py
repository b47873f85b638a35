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

"""Checkpoints kept by Cinder itself, for running the plugin without Karbor."""

# Without Karbor there is no bank: a protection is its tagged snapshot
# (metadata snapext-protection = checkpoint id), and the bank section an
# operation reads is rebuilt from that snapshot.

import uuid

from cinder_snapext.protection import client
from cinder_snapext.protection import interface
from cinder_snapext.protection import operations


class BankSection:
    """An in-memory bank section: the part of Karbor's API operations use."""

    def __init__(self, objects=None):
        self.objects = dict(objects or {})

    def update_object(self, key, value, context=None):
        self.objects[key] = value

    def get_object(self, key, context=None):
        return self.objects[key]

    def delete_object(self, key, context=None):
        del self.objects[key]

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, context=None):
        return sorted(key for key in self.objects
                      if prefix is None or key.startswith(prefix))


class Checkpoint:
    """A checkpoint of one volume, with one bank section per resource."""

    def __init__(self, checkpoint_id=None):
        self.id = checkpoint_id or str(uuid.uuid4())
        self.sections = {}

    def get_resource_bank_section(self, resource_id):
        return self.sections.setdefault(resource_id, BankSection())

    @classmethod
    def of_snapshot(cls, snapshot):
        """The checkpoint a snapshot stands for, as protect recorded it."""
        checkpoint = cls((snapshot.metadata or {}).get(
            client.PROTECTION_TAG) or snapshot.id)
        section = checkpoint.get_resource_bank_section(snapshot.volume_id)
        section.update_object(operations.STATUS_KEY,
                              interface.RESOURCE_STATUS_AVAILABLE)
        section.update_object(operations.METADATA_KEY, {
            'volume_id': snapshot.volume_id, 'snapshot_id': snapshot.id,
            'size': snapshot.size})
        return checkpoint


class ResourceRecord:
    """A restore or verify record: per resource, a status and a reason."""

    def __init__(self):
        self.resources_status = {}
        self.resources_reason = {}

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.resources_status[key] = status
        if reason is not None:
            self.resources_reason[key] = reason

    def save(self):
        """Nothing to persist: the caller reads the record in memory."""


def volume_resource(volume_id, name=None):
    return interface.Resource(type=interface.VOLUME_RESOURCE_TYPE,
                              id=volume_id, name=name)
