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

"""SnapextSnapshotExport: a backend snapshot of a volume, unknown to Cinder."""

from cinder.objects import base as cinder_base
from oslo_versionedobjects import fields

from cinder_snapext.db import snapshot_exports as db_api
from cinder_snapext.objects import base

__all__ = ['SnapextSnapshotExport', 'SnapextSnapshotExportList']


@cinder_base.CinderObjectRegistry.register
class SnapextSnapshotExport(base.SnapextPersistentObject,
                            cinder_base.CinderObject):
    """A snapshot the backend holds for a volume after an export."""

    # Version 1.0: Initial version
    VERSION = '1.0'
    MODEL_NAME = 'SnapshotExport'

    # NOTE: When adding a field obj_make_compatible needs to be updated
    fields = {
        'id': fields.IntegerField(),
        'volume_id': fields.UUIDField(),
        'name': fields.StringField(),
        'snapshot_id': fields.UUIDField(nullable=True),
    }

    @classmethod
    def record(cls, context, volume_id, name, snapshot_id=None):
        """Record an export; False if a concurrent writer kept it unset."""
        return db_api.snapshot_export_record(context, volume_id, name,
                                             snapshot_id)

    @classmethod
    def forget(cls, context, volume_id, names):
        """Forget exports imported again; returns how many were live."""
        return db_api.snapshot_export_forget(context, volume_id, names)


@cinder_base.CinderObjectRegistry.register
class SnapextSnapshotExportList(cinder_base.ObjectListBase,
                                cinder_base.CinderObject):
    """The live exports of some volumes."""

    # Version 1.0: Initial version
    VERSION = '1.0'

    fields = {
        'objects': fields.ListOfObjectsField('SnapextSnapshotExport'),
    }

    @classmethod
    def get_all_by_volumes(cls, context, volume_ids):
        return base.list_from_rows(
            cls, SnapextSnapshotExport, context,
            db_api.snapshot_export_get_all(context, volume_ids))

    @classmethod
    def sync_volume(cls, context, volume_id, unmanaged, present):
        """Bring exports in line with the backend: (added, forgotten)."""
        return db_api.snapshot_export_sync(context, volume_id, unmanaged,
                                           present)

    @classmethod
    def delete_for_destroyed(cls, context, volume_ids=None):
        """Soft-delete exports of destroyed volumes; returns the count."""
        return db_api.snapshot_export_delete_for_destroyed(context,
                                                           volume_ids)

    def names_by_volume(self):
        """{volume_id: [names]}, in the order read."""
        found: dict[str, list[str]] = {}
        for item in self.objects:
            found.setdefault(item.volume_id, []).append(item.name)
        return found
