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

"""Exceptions of cinder-snapext, each a subclass of a Cinder exception."""

from cinder import exception
from cinder.i18n import _


class SnapshotAdminMetadataNotFound(exception.NotFound):
    message = _("Snapshot %(snapshot_id)s has no admin metadata with key "
                "%(key)s.")


class InvalidSnapshotAdminMetadata(exception.Invalid):
    message = _("Invalid snapshot admin metadata: %(reason)s")


class CinderSchemaMissing(exception.CinderException):
    message = _("Cinder's own schema is not in database %(database)s (no "
                "'snapshots' table): run 'cinder-manage db sync' first.")


class VolumeServiceTimeout(exception.CinderException):
    message = _("The volume service %(host)s did not answer the snapext "
                "call %(method)s within %(timeout)s seconds; check that it "
                "is up and runs cinder-snapext.")
    code = 503
    safe = True


class InvalidSnapshotReference(exception.Invalid):
    message = _("Cannot manage backend snapshot %(existing_ref)s: "
                "%(reason)s")


class ManageHostMismatch(exception.Invalid):
    message = _("Host %(host)s in the request does not serve volume "
                "%(volume_id)s, which lives on %(volume_host)s.")


class SnapshotReferenceCheckFailed(exception.CinderException):
    message = _("The volume service %(host)s could not check backend "
                "snapshot %(existing_ref)s (%(reason)s); nothing was created, "
                "try again later.")
    code = 503
    safe = True


class VolumeHasUnmanagedSnapshots(exception.Invalid):
    message = _("Volume %(volume_id)s still has snapshots on its backend "
                "that Cinder does not manage: %(snapshots)s. Import them "
                "with 'cinder snapshot-manage' and delete them, or remove "
                "them on the backend, before deleting the volume.")


class InvalidComputeSnapshotStatus(exception.Invalid):
    message = _("Invalid compute_snapshot_status %(value)s: %(reason)s. "
                "Allowed values: %(allowed)s.")


class AssistedSnapshotInProgress(exception.Invalid):
    message = _("Volume %(volume_id)s has an assisted snapshot operation in "
                "progress (snapshot %(snapshot_id)s, phase %(phase)s); try "
                "again when it has ended.")
    code = 409


class InvalidAssistedSnapshotUpdate(exception.VolumeDriverException):
    message = _("The driver returned an invalid assisted snapshot update: "
                "%(reason)s")


class IncrementalBackupParentMissing(exception.InvalidBackup):
    message = _("No parent for an incremental backup of volume "
                "%(volume_id)s: %(reason)s. Make a full backup instead.")


class InvalidBackupText(exception.Invalid):
    message = _("The backup's %(field)s contains a NUL character, which "
                "no database stores; nothing was changed.")


class NoBackupServiceUp(exception.ServiceUnavailable):
    message = _("No backup service is up%(where)s, so the backup of "
                "%(source)s was not created; start or enable cinder-backup "
                "and try again.")


class VolumeServiceDown(exception.CinderException):
    message = _("No volume service serving %(host)s is up and enabled, so "
                "nothing was done; start or enable it and try again.")
    code = 503
    safe = True


class ExportSyncIncomplete(exception.CinderException):
    message = _("%(count)s volume service(s) did not sync their exports; "
                "see above.")


class BackupServiceDown(exception.CinderException):
    message = _("The backup service %(host)s that holds backup "
                "%(backup_id)s is not up and enabled, so nothing was "
                "verified; start or enable it and try again.")
    code = 503
    safe = True


class BackupBeingVerified(exception.InvalidBackup):
    message = _("Backup %(backup_id)s is being verified since %(since)s "
                "UTC; delete it once the verify has finished (its result "
                "lands in the backup's metadata), or after "
                "%(timeout)s seconds, when the verify is taken as lost.")
