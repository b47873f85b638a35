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

"""SnapextSnapshotAdminMetadata: an administrator key/value of a snapshot."""

from cinder.objects import base as cinder_base
from oslo_versionedobjects import fields

from cinder_snapext.db import api as db_api
from cinder_snapext.objects import base

__all__ = ['SnapextSnapshotAdminMetadata',
           'SnapextSnapshotAdminMetadataList']


@cinder_base.CinderObjectRegistry.register
class SnapextSnapshotAdminMetadata(base.SnapextPersistentObject,
                                   cinder_base.CinderObject):
    """One live key/value pair of a snapshot's admin metadata."""

    # Version 1.0: Initial version
    VERSION = '1.0'
    MODEL_NAME = 'SnapshotAdminMetadata'

    # NOTE: When adding a field obj_make_compatible needs to be updated
    fields = {
        'id': fields.IntegerField(),
        'snapshot_id': fields.UUIDField(),
        'key': fields.StringField(),
        'value': fields.StringField(),
    }

    @classmethod
    def get_by_key(cls, context, snapshot_id, key):
        row = db_api.snapshot_admin_metadata_get(context, snapshot_id, key)
        return cls._from_db_object(context, cls(context), row)


@cinder_base.CinderObjectRegistry.register
class SnapextSnapshotAdminMetadataList(cinder_base.ObjectListBase,
                                       cinder_base.CinderObject):
    """All live admin metadata of one snapshot; get, set and delete."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = {
        'objects': fields.ListOfObjectsField('SnapextSnapshotAdminMetadata'),
    }

    @classmethod
    def _from_rows(cls, context, rows):
        return base.list_from_rows(cls, SnapextSnapshotAdminMetadata,
                                   context, rows)

    @classmethod
    def get_by_snapshot(cls, context, snapshot_id):
        rows = db_api.snapshot_admin_metadata_get_all(context, snapshot_id)
        return cls._from_rows(context, rows)

    @classmethod
    def get_all_by_keys(cls, context, keys):
        """Rows of ``keys`` of every live snapshot (admin context only)."""
        rows = db_api.snapshot_admin_metadata_get_all_by_keys(context, keys)
        return cls._from_rows(context, rows)

    @classmethod
    def set_for_snapshot(cls, context, snapshot_id, metadata, delete=False):
        """Set ``metadata``; with ``delete``, every other key is dropped."""
        rows = db_api.snapshot_admin_metadata_update(
            context, snapshot_id, metadata, delete=delete)
        return cls._from_rows(context, rows)

    @classmethod
    def compare_and_swap(cls, context, snapshot_id, key, expected, value):
        """Set ``key`` to ``value`` if now one of ``expected``; True if so."""
        return db_api.snapshot_admin_metadata_compare_and_swap(
            context, snapshot_id, key, expected, value)

    @classmethod
    def delete_for_snapshot(cls, context, snapshot_id, key):
        db_api.snapshot_admin_metadata_delete(context, snapshot_id, key)

    @classmethod
    def delete_for_destroyed(cls, context, snapshot_ids=None):
        """Soft-delete the rows of destroyed snapshots; returns the count."""
        return db_api.snapshot_admin_metadata_delete_for_destroyed(
            context, snapshot_ids)

    def to_dict(self):
        return {item.key: item.value for item in self.objects}
