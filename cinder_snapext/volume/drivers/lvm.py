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

"""SnapextLVMVolumeDriver: manages only LVs that are that volume's snapshots.

Import this module after ``cinder.objects.register_all()``, as every Cinder
service does: Cinder's LVM driver dereferences ``objects.Volume`` in its
annotations when the class is defined.
"""

import math

from cinder import context
from cinder import exception
from cinder import objects
from cinder.volume.drivers import lvm
from cinder.volume import volume_utils
from oslo_log import log as logging
from oslo_utils import uuidutils

from cinder_snapext.internals import lvm as internal_lvm
from cinder_snapext.volume.drivers import backup_device
from cinder_snapext.volume.drivers import delete_guard
from cinder_snapext.volume.drivers import lvm_snapshot_export

LOG = logging.getLogger(__name__)

# First character of lv_attr, the volume type (lvs(8)): a thick snapshot,
# and a thin volume, which is a thin snapshot when it has an origin.
THICK_SNAPSHOT = 's'
THIN_VOLUME = 'V'
# A merging thick snapshot is on its way into its origin: still the
# origin's snapshot, no longer one to manage.
MERGING_SNAPSHOT = 'S'
BACKEND_SNAPSHOT_TYPES = (THICK_SNAPSHOT, MERGING_SNAPSHOT, THIN_VOLUME)
# Fifth character, the state: a thick snapshot whose copy-on-write space
# overflowed is (I)nvalid or invalid (S)uspended; its data is lost.
INVALID_SNAPSHOT_STATES = ('I', 'S')


class SnapextLVMVolumeDriver(backup_device.SnapextBackupDeviceMixin,
                             lvm_snapshot_export.SnapextLVMSnapshotExportMixin,
                             lvm.LVMVolumeDriver):
    """Set as ``volume_driver`` of an LVM backend (thick or thin).

    Backups of snapshots read the snapshot LV in place (see
    lvm_snapshot_export).
    """

    def manage_existing_snapshot_get_size(self, snapshot, existing_ref):
        """Size in GiB, rounded up, of an LV that is a snapshot of the volume.

        Cinder's driver sizes any LV; this one first refuses LVs that are
        missing, already managed, or not a snapshot of ``snapshot.volume``.
        """
        lv, attr = self._check_snapshot_lv(snapshot, existing_ref)
        if attr.startswith(THICK_SNAPSHOT):
            # A thick snapshot's own LV is its copy-on-write store, often
            # smaller than the origin-sized device it presents; Cinder
            # copies snapshot.volume_size GiB out of that device.
            lv = self.vg.get_volume(snapshot.volume_name) or lv
        try:
            return int(math.ceil(float(lv['size'])))
        except ValueError as e:
            raise exception.VolumeBackendAPIException(
                data='lvs reported size %r for logical volume %s'
                     % (lv['size'], lv['name'])) from e

    def manage_existing_snapshot(self, snapshot, existing_ref):
        """Rename the LV to the snapshot's name, as Cinder's driver does."""
        # The LV may have changed since Cinder asked for its size.
        self._check_snapshot_lv(snapshot, existing_ref)
        return super().manage_existing_snapshot(snapshot, existing_ref)

    def unmanage_snapshot(self, snapshot):
        """Forget the snapshot; its LV stays, under the same name."""
        # Cinder's LVM driver inherits a silent no-op here; say where the
        # data stays, since the operator needs that name to import it.
        LOG.info('Snapshot %(id)s is no longer managed by Cinder; its '
                 'logical volume %(vg)s/%(lv)s stays on the backend and '
                 'imports again with reference %(ref)s.',
                 {'id': snapshot.id, 'vg': self.configuration.volume_group,
                  'lv': internal_lvm.escape_snapshot(self, snapshot.name),
                  'ref': self.snapext_snapshot_reference(snapshot)})

    def snapext_snapshot_reference(self, snapshot):
        """The reference that imports ``snapshot`` again after an export."""
        return {'source-name': internal_lvm.escape_snapshot(self,
                                                            snapshot.name)}

    def snapext_backend_snapshots(self, volume):
        """Names of the LVs that are snapshots of ``volume``'s LV.

        Thick and thin, managed by Cinder or not. Cinder's thin clones are
        thin snapshots of their source too, but they are volumes: LVs named
        after a live Cinder volume are left out.
        """
        return [name for name, attr, origin in self._lv_origins()
                if origin == volume.name
                and attr[:1] in BACKEND_SNAPSHOT_TYPES
                and not volume_utils.check_already_managed_volume(
                    volume_utils.extract_id_from_volume_name(name))]

    def delete_volume(self, volume):
        """Refuse while snapshots of the volume remain on the backend.

        Cinder refuses only thick origins; on thin LVM it removes the
        volume's LV and leaves its snapshots without their origin. Nothing
        is changed before the check.
        """
        delete_guard.refuse_with_backend_snapshots(
            volume, self.snapext_backend_snapshots(volume))
        return super().delete_volume(volume)

    def migrate_volume(self, ctxt, volume, host, thin=False, mirror_count=0):
        """Leave volumes with backend snapshots to Cinder's generic path.

        The driver's own move ends in a private delete that skips the
        check above; the generic migration deletes through delete_volume.
        """
        if self.snapext_backend_snapshots(volume):
            return False, None
        return super().migrate_volume(ctxt, volume, host, thin, mirror_count)

    def _check_snapshot_lv(self, snapshot, existing_ref):
        """lvs row and lv_attr of the LV, if it may become ``snapshot``."""
        if not isinstance(existing_ref, dict):
            existing_ref = {'source-name': existing_ref}
        lv_name = existing_ref.get('source-name')
        volume_lv = snapshot.volume_name

        def refuse(why):
            raise exception.ManageExistingInvalidReference(
                existing_ref=existing_ref,
                reason='logical volume %s cannot become a snapshot of volume '
                       '%s (LV %s): %s' % (lv_name, snapshot.volume_id,
                                           volume_lv, why))

        if not lv_name:
            refuse('an LVM reference is {"source-name": <LV name>}')
        managed_as = self._managed_as(lv_name)
        if managed_as:
            refuse('Cinder already manages it as %s' % managed_as)
        lv = self.vg.get_volume(lv_name)
        if lv is None:
            refuse('it does not exist in VG %s' % self.vg.vg_name)
        origin = self.vg.lv_get_origin(lv_name)
        if origin != volume_lv:
            refuse('its origin is %s' % origin if origin else
                   'it is not a snapshot')
        attr = self._lv_attr(lv_name)
        if attr[:1] not in (THICK_SNAPSHOT, THIN_VOLUME):
            refuse('its attributes %s are not those of a thick or thin '
                   'snapshot' % attr)
        if attr[4:5] in INVALID_SNAPSHOT_STATES:
            refuse('its attributes %s mark it invalid: its copy-on-write '
                   'space overflowed' % attr)
        return lv, attr

    def _managed_as(self, lv_name):
        """'volume <id>' or 'snapshot <id>' if a live row has this name."""
        volume_id = volume_utils.extract_id_from_volume_name(lv_name)
        if volume_utils.check_already_managed_volume(volume_id):
            return 'volume %s' % volume_id
        snapshot_id = volume_utils.extract_id_from_snapshot_name(
            internal_lvm.unescape_snapshot(self, lv_name))
        if uuidutils.is_uuid_like(snapshot_id) and objects.Snapshot.exists(
                context.get_admin_context(), snapshot_id):
            return 'snapshot %s' % snapshot_id
        return None

    def _lv_attr(self, lv_name):
        """lv_attr of one LV.

        The brick helper's lv_is_snapshot reads the same column but answers
        only for thick snapshots ('s'); a thin one is a 'V' with an origin.
        Not --readonly: LVM then reads metadata only and prints the state
        and open columns as 'X', which hides an invalid snapshot (seen on
        real LVM 2.03.16: 'swi-XXs---' for one whose store overflowed).
        """
        out, _err = self._run_query(
            ['lvdisplay', '--noheading', '-C', '-o', 'Attr',
             '%s/%s' % (self.vg.vg_name, lv_name)])
        return (out or '').strip()

    def _lv_origins(self):
        """(name, attr, origin) of each visible LV of the VG.

        The brick helper has no query that lists origins. Hidden LVs (thin
        pool data, metadata) are not listed without -a, and are no
        snapshots.
        """
        out, _err = self._run_query(
            ['lvs', '--noheadings', '-o', 'lv_name,lv_attr,origin',
             '--separator', ':', '--readonly', self.vg.vg_name])
        rows = []
        for line in (out or '').splitlines():
            fields = line.strip().split(':')
            # LV names cannot contain ':'; an empty origin is an empty field.
            if len(fields) == 3:
                rows.append(tuple(fields))
        return rows

    def _run_query(self, args):
        # Through the brick helper's own runner, as its queries are: root
        # helper, its LVM_SYSTEM_DIR/LC_ALL prefix, retry on LVM's crash.
        return internal_lvm.run_lvm_command(self.vg, args)
