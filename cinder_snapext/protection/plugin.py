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

"""SnapextProtectionPlugin: OS::Cinder::Volume protected by snapshots."""

import functools

from oslo_config import cfg

from cinder_snapext.protection import connection
from cinder_snapext.protection import interface
from cinder_snapext.protection import operations
from cinder_snapext.protection import opts
from cinder_snapext.protection import schemas


class SnapextProtectionPlugin(interface.ProtectionPlugin):
    """Protects a Cinder volume by a snapshot, restores it as a new volume.

    Karbor loads it from the ``karbor.protections`` entry point
    ``cinder-snapext`` and builds it with the provider's configuration;
    ``cinder-snapext-protect`` builds it with its own.

    :param config: a ConfigOpts holding our ``[snapext_protection]``
        section; defaults apply when None (Karbor's plugin crashed then)
    :param client_factory: ``context -> resources.Client``; by default a
        client acting with the context's token
    :param clock: monotonic clock of every wait (tests inject one)
    :param sleep: sleep of every wait (tests inject one)
    :param progress: called with a ``waiter.Progress`` after every poll
    """

    _SUPPORTED_RESOURCES_TYPES = [interface.VOLUME_RESOURCE_TYPE]

    def __init__(self, config=None, client_factory=None, clock=None,
                 sleep=None, progress=None):
        super().__init__(config if config is not None else cfg.ConfigOpts())
        settings = opts.register(self._config)
        if client_factory is None:
            client_factory = functools.partial(_client_from_context,
                                               settings=settings)
        self._runtime = operations.Runtime(settings, client_factory,
                                           clock=clock, sleep=sleep,
                                           progress=progress)

    @classmethod
    def get_supported_resources_types(cls):
        return cls._SUPPORTED_RESOURCES_TYPES

    @classmethod
    def get_options_schema(cls, resource_type):
        return schemas.OPTIONS_SCHEMA

    @classmethod
    def get_restore_schema(cls, resource_type):
        return schemas.RESTORE_SCHEMA

    @classmethod
    def get_verify_schema(cls, resource_type):
        return schemas.VERIFY_SCHEMA

    @classmethod
    def get_saved_info_schema(cls, resource_type):
        return schemas.SAVED_INFO_SCHEMA

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        """What protect recorded for ``resource`` in a checkpoint.

        :param metadata_store: the checkpoint
        :returns: ``{volume_id, snapshot_id, size}`` or None
        """
        section = metadata_store.get_resource_bank_section(resource.id)
        return operations.read_saved_info(section)

    def get_protect_operation(self, resource):
        return operations.ProtectOperation(self._runtime)

    def get_restore_operation(self, resource):
        return operations.RestoreOperation(self._runtime)

    def get_verify_operation(self, resource):
        return operations.VerifyOperation(self._runtime)

    def get_delete_operation(self, resource):
        return operations.DeleteOperation(self._runtime)

    def waiter(self, timeout_option):
        """A bounded wait as the operations have, for the CLI's steps.

        :param timeout_option: the name of one of our wait options
        """
        return self._runtime.waiter(
            getattr(self._runtime.settings, timeout_option))

    # get_copy_operation stays the contract's NotImplementedError: a Cinder
    # snapshot lives on its volume's backend and cannot be copied to
    # another bank.


def _client_from_context(context, settings):
    return connection.cinder(connection.from_context(context, settings))
