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

"""Records every export the volume service carries out, whatever its route."""

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from oslo_config import cfg
from oslo_log import log as logging

from cinder_snapext.objects import snapshot_export
from cinder_snapext import opts
from cinder_snapext.volume import snapshot_exports as exports
from cinder_snapext.volume import unmanage_recovery

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

_Export = snapshot_export.SnapextSnapshotExport
_Exports = snapshot_export.SnapextSnapshotExportList


class SnapshotExportMixin:
    """Keeps snapext_snapshot_exports in step with unmanage and import.

    Both unmanage routes (``snapshots/{id}/action`` and the spec's
    ``os-snapshot-manage/{id}/action``) and both import routes end here, so
    the table holds every export made through any client; the API reads it
    to refuse a volume delete without calling a volume service.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Ids of the snapshots a thread of this service is unmanaging.
        self._snapext_unmanaging = set()

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        context = cinder_context.get_admin_context()
        self._forget_exports_of_destroyed(context, None)
        # Nothing of this service runs yet: whatever it left unmanaging was
        # interrupted. Another member of its cluster may be at work, though.
        self.release_interrupted_unmanages(
            context, min_age=unmanage_recovery.MIN_AGE if self.cluster else 0)
        if CONF[opts.GROUP].sync_snapshot_exports_on_start:
            self.sync_snapshot_exports(context)

    def sync_snapshot_exports(self, context):
        """Record what this service's backend holds and Cinder does not.

        Covers exports made before the upgrade that brought the table, and
        forgets those whose data was removed on the backend by hand.
        """
        if not hasattr(self.driver, 'snapext_backend_snapshots'):
            return None
        filters = ({'cluster_name': self.cluster} if self.cluster
                   else {'host': self.host})
        volumes = cinder_objects.VolumeList.get_all(context, filters=filters)
        counts = exports.sync_volumes(context, self.driver, volumes)
        LOG.info('Synced exported snapshots of %(volumes)s volumes: '
                 '%(added)s recorded, %(forgotten)s forgotten, %(failed)s '
                 'not listed.', counts)
        return counts

    def delete_snapshot(self, context, snapshot, unmanage_only=False):
        if not unmanage_only:
            return super().delete_snapshot(context, snapshot)
        name = exports.exported_name(self.driver, snapshot)
        # Recorded before the snapshot row goes: from then on the API
        # refuses to delete the volume, with no window between the two.
        _Export.record(context, snapshot.volume_id, name, snapshot.id)
        self._snapext_unmanaging.add(snapshot.id)
        try:
            return super().delete_snapshot(context, snapshot,
                                           unmanage_only=True)
        finally:
            self._snapext_unmanaging.discard(snapshot.id)
            if exports.is_live(context, snapshot.id):
                # Not unmanaged (refused or failed): Cinder still has it.
                _Export.forget(context, snapshot.volume_id, [name])

    def release_interrupted_unmanages(self, context,
                                      min_age=unmanage_recovery.MIN_AGE):
        """Give back snapshots an interrupted unmanage left unmanaging.

        Called at start and periodically (the database may have gone away
        in the middle of an unmanage while this service kept running).
        """
        try:
            found = unmanage_recovery.interrupted(
                context, self.host, self.cluster, self._snapext_unmanaging,
                min_age)
        except Exception:
            LOG.exception('Could not look for interrupted unmanages.')
            return
        for snapshot in found:
            try:
                if unmanage_recovery.release(snapshot):
                    _Export.forget(context, snapshot.volume_id,
                                   [exports.exported_name(self.driver,
                                                          snapshot)])
                    unmanage_recovery.tell_owner(self.message_api, context,
                                                 snapshot)
            except Exception:
                # One snapshot must not stop the others; the next run retries.
                LOG.exception('Could not release an interrupted unmanage.',
                              resource=snapshot)

    # Cinder keeps a workers row for a snapshot create but not for a
    # manage: a service killed mid-manage left the snapshot 'creating' for
    # good. With the row, its restart or any member of its cluster
    # (cinder-manage work-cleanup) moves it to 'error'.
    @cinder_objects.Snapshot.set_workers
    def manage_existing_snapshot(self, ctxt, snapshot, ref=None):
        try:
            result = super().manage_existing_snapshot(ctxt, snapshot,
                                                      ref=ref)
            # Cinder's flow returns only once the driver has taken the
            # backend object under the snapshot's own name. Not the row's
            # status: the flow saved 'available' before returning, and a
            # client that saw it may already have moved the snapshot on
            # (backing-up, deleting) by the time we read it back.
            _Export.forget(ctxt, snapshot.volume_id,
                           exports.reference_names(ref))
        finally:
            # Cinder's flow saves a copy: the row's status tells the
            # workers decorator whether the manage ended.
            snapshot.refresh()
        return result

    def delete_volume(self, context, volume, *args, **kwargs):
        result = super().delete_volume(context, volume, *args, **kwargs)
        self._forget_exports_of_destroyed(context, [volume.id])
        return result

    def _forget_exports_of_destroyed(self, context, volume_ids):
        try:
            _Exports.delete_for_destroyed(context, volume_ids)
        except Exception:
            # The volume is gone already; the next start-up sweep retries.
            LOG.exception('Could not forget the exports of volumes %s.',
                          volume_ids)
