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

"""Exceptions of the protection plugin, each a subclass of Cinder's."""

from cinder import exception
from cinder.i18n import _


class ResourceWaitFailed(exception.CinderException):
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


class SnapshotUnusable(exception.CinderException):
    message = _("Snapshot %(snapshot_id)s is %(status)s, not available.")


class DeletionRefused(exception.Invalid):
    message = _("Cinder refused to delete %(resource)s %(resource_id)s in "
                "status %(status)s: %(reason)s")


class InvalidProtectionParameters(exception.Invalid):
    message = _("Invalid %(operation)s parameter %(field)s: %(reason)s")


class VolumeAttached(exception.Invalid):
    message = _("Volume %(volume_id)s is in-use (attached); set the option "
                "force to true to snapshot it anyway.")


class NothingProtected(exception.NotFound):
    message = _("Checkpoint %(checkpoint_id)s holds no snapshot of volume "
                "%(volume_id)s.")


class NoSuchResource(exception.NotFound):
    message = _("%(resource)s %(ref)s not found (by ID or name).")


class AmbiguousName(exception.Invalid):
    message = _("Several %(resource)s resources are named %(ref)s: %(ids)s; "
                "give an ID.")


class NoAvailableProtection(exception.NotFound):
    message = _("Volume %(volume_id)s has no available protection "
                "snapshot.")


class CinderEndpointNotFound(exception.CinderException):
    message = _("No Block Storage endpoint: set [snapext_protection] "
                "cinder_endpoint in the provider file or give a context "
                "whose service catalog has a %(service_types)s endpoint "
                "(interface %(interface)s).")


class ProtectFailed(exception.CinderException):
    message = _("Protecting volume %(volume_id)s failed: %(reason)s")


class RestoreFailed(exception.CinderException):
    message = _("Restoring volume %(volume_id)s failed: %(reason)s")


class DeleteFailed(exception.CinderException):
    message = _("Deleting the protection of volume %(volume_id)s failed: "
                "%(reason)s")


class VerifyFailed(exception.CinderException):
    message = _("Verifying the protection of volume %(volume_id)s failed: "
                "%(reason)s")
