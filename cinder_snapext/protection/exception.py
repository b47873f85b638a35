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

"""Exceptions of the protection plugin, standalone from Cinder's server."""


def _(text):
    # The plugin runs in Karbor or in cinder-snapext-protect, never inside
    # a Cinder service: no Cinder translation domain to mark strings for.
    return text


class ProtectionError(Exception):
    """Base class: ``message`` is a template filled from the kwargs.

    Shaped like Cinder's CinderException (``kwargs``, ``code``, ``msg``)
    without importing Cinder's server package, which a cron job running
    cinder-snapext-protect has no use for.
    """

    message = _("An unknown protection error occurred.")
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        self.kwargs.setdefault('code', self.code)
        if not message:
            try:
                message = self.message % kwargs
            except (KeyError, TypeError):
                # A template that does not fit must not hide the error.
                message = self.message
        self.msg = message
        super().__init__(message)


class Invalid(ProtectionError):
    code = 400


class NotFound(ProtectionError):
    code = 404


class ResourceWaitFailed(ProtectionError):
    """A wait for a volume or snapshot ended without reaching its goal.

    ``kwargs`` keeps ``resource``, ``resource_id``, ``status`` (the last
    status seen) and ``goal`` for callers that act on them.
    """

    message = _("%(resource)s %(resource_id)s did not become %(goal)s; "
                "last status %(status)s.")


class ResourceInFailureStatus(ResourceWaitFailed):
    message = _("%(resource)s %(resource_id)s is in status %(status)s, a "
                "failure, while waiting for it to become %(goal)s.")


class ResourceVanished(ResourceWaitFailed):
    message = _("%(resource)s %(resource_id)s no longer exists (last status "
                "%(status)s) while waiting for it to become %(goal)s.")


class ResourceWaitTimeout(ResourceWaitFailed):
    message = _("%(resource)s %(resource_id)s is still in status "
                "%(status)s after %(timeout)ss, the deadline for becoming "
                "%(goal)s.%(detail)s")


class SnapshotUnusable(ProtectionError):
    message = _("Snapshot %(snapshot_id)s is %(status)s, not available.")


class DeletionRefused(Invalid):
    message = _("Cinder refused to delete %(resource)s %(resource_id)s in "
                "status %(status)s: %(reason)s")


class InvalidProtectionParameters(Invalid):
    message = _("Invalid %(operation)s parameter %(field)s: %(reason)s")


class VolumeAttached(Invalid):
    message = _("Volume %(volume_id)s is in-use (attached); set the option "
                "force to true to snapshot it anyway.")


class NothingProtected(NotFound):
    message = _("Checkpoint %(checkpoint_id)s holds no snapshot of volume "
                "%(volume_id)s.")


class NoSuchResource(NotFound):
    message = _("%(resource)s %(ref)s not found (by ID or name).")


class AmbiguousName(Invalid):
    message = _("Several %(resource)s resources are named %(ref)s: %(ids)s; "
                "give an ID.")


class NoAvailableProtection(NotFound):
    message = _("Volume %(volume_id)s has no available protection "
                "snapshot or protection backup.")


class CinderEndpointNotFound(ProtectionError):
    message = _("No Block Storage endpoint: set [snapext_protection] "
                "cinder_endpoint in the provider file or give a context "
                "whose service catalog has a %(service_types)s endpoint "
                "(interface %(interface)s).")


class ProtectFailed(ProtectionError):
    message = _("Protecting volume %(volume_id)s failed: %(reason)s")


class RestoreFailed(ProtectionError):
    message = _("Restoring volume %(volume_id)s failed: %(reason)s")


class DeleteFailed(ProtectionError):
    message = _("Deleting the protection of volume %(volume_id)s failed: "
                "%(reason)s")


class VerifyFailed(ProtectionError):
    message = _("Verifying the protection of volume %(volume_id)s failed: "
                "%(reason)s")


class BackupNeedsMicroversion(Invalid):
    message = _("Backup copies need Block Storage API microversion "
                "%(version)s (backup metadata, where protect tags its "
                "backups); the server offers %(server)s at most.")


class BackupFailed(ProtectionError):
    message = _("Backing up snapshot %(snapshot_id)s failed: %(reason)s")


class NotAProtectionBackup(Invalid):
    message = _("Backup %(backup_id)s is not a protection backup (no "
                "%(tag)s metadata); restore it with Cinder's own command.")


class GroupsNeedMicroversion(Invalid):
    """The server predates group snapshots, or the client cannot ask."""

    message = _("Group protection needs Block Storage API microversion "
                "%(version)s or later; the server speaks %(server)s.")


class GroupProtectFailed(ProtectionError):
    """No usable group snapshot; ``point`` is the one made, if any."""

    message = _("Protecting group %(group_id)s failed: %(reason)s")


class GroupRestoreFailed(ProtectionError):
    """The new group (``group_id``, if made) is left for inspection."""

    message = _("Restoring group snapshot %(group_snapshot_id)s failed: "
                "%(reason)s")


class NotAGroupProtection(Invalid):
    """Restore refuses group snapshots that someone else made."""

    message = _("Group snapshot %(group_snapshot_id)s was not made by "
                "cinder-snapext-protect (no %(tag)s metadata on its "
                "snapshots).")


class NoAvailableGroupProtection(NotFound):
    """restore --latest-group found no available point of ours."""

    message = _("Group %(group_id)s has no available protection group "
                "snapshot.")
