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

"""Our own copy of Karbor's protection plugin contract, without Karbor."""

# Karbor was retired in 2020 and cannot be a dependency of a Cinder
# virtualenv (see doc/source/user/protection.rst), so the contract its
# protection service calls lives here. Karbor finds plugins by duck typing:
# these classes only document and default what it calls.

import collections

VOLUME_RESOURCE_TYPE = 'OS::Cinder::Volume'

# Statuses Karbor shows for one resource of a checkpoint, restore or
# verification.
RESOURCE_STATUS_PROTECTING = 'protecting'
RESOURCE_STATUS_AVAILABLE = 'available'
RESOURCE_STATUS_ERROR = 'error'
RESOURCE_STATUS_DELETING = 'deleting'
RESOURCE_STATUS_DELETED = 'deleted'
RESOURCE_STATUS_RESTORING = 'restoring'

# The operations Karbor runs, named as its get_<operation>_operation getters.
OPERATION_PROTECT = 'protect'
OPERATION_RESTORE = 'restore'
OPERATION_VERIFY = 'verify'
OPERATION_DELETE = 'delete'
OPERATION_COPY = 'copy'

HOOKS = ('on_prepare_begin', 'on_prepare_finish', 'on_main', 'on_complete')

Resource = collections.namedtuple('Resource', 'type id name extra_info',
                                  defaults=(None,))
Resource.__doc__ = 'A resource Karbor protects: type, id, name, extra_info.'


class Operation:
    """One operation on one resource, run by Karbor as four hooks.

    Every hook receives ``(checkpoint, resource, context, parameters,
    **kwargs)``. For a restore, ``kwargs`` holds ``restore`` (the restore
    record) and ``new_resources`` (original id to new id, read by the
    plugins of parent resources); for a verify, ``verify``. Karbor also
    passes ``operation_log``. Every hook is optional.
    """

    def on_prepare_begin(self, checkpoint, resource, context, parameters,
                         **kwargs):
        """Run before the hooks of this resource's children; keep short."""

    def on_prepare_finish(self, checkpoint, resource, context, parameters,
                          **kwargs):
        """Run after the prepare hooks of all children; keep short."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        """Run in parallel with other resources: the heavy lifting."""

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        """Run after every hook of the resources this one depends on."""


class ProtectionPlugin:
    """What Karbor asks of a protection plugin.

    Karbor builds a plugin with its provider's configuration and asks it,
    per resource, for an :class:`Operation` of each kind; the schemas it
    publishes in the provider's ``extended_info_schema``.
    """

    def __init__(self, config=None):
        self._config = config

    def get_protect_operation(self, resource):
        raise NotImplementedError()

    def get_restore_operation(self, resource):
        raise NotImplementedError()

    def get_verify_operation(self, resource):
        raise NotImplementedError()

    def get_copy_operation(self, resource):
        raise NotImplementedError()

    def get_delete_operation(self, resource):
        raise NotImplementedError()

    @classmethod
    def get_supported_resources_types(cls):
        raise NotImplementedError()

    @classmethod
    def get_options_schema(cls, resource_type):
        raise NotImplementedError()

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        raise NotImplementedError()

    @classmethod
    def get_restore_schema(cls, resource_type):
        raise NotImplementedError()

    @classmethod
    def get_verify_schema(cls, resource_type):
        raise NotImplementedError()

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        raise NotImplementedError()
