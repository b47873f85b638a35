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

"""``volume snapshot admin metadata list``, ``set`` and ``unset`` (admin)."""

import logging

from osc_lib.cli import parseractions
from osc_lib.command import command
from osc_lib import exceptions

from cinder_snapext.osc import plugin
from cinder_snapext.osc.v3 import arguments

LOG = logging.getLogger(__name__)


def _find(app, name_or_id):
    client = plugin.client_of(app)
    return client, client.find_snapshot(name_or_id, all_projects=True)


class ListAdminMetadata(command.Lister):
    """List a snapshot's admin metadata (admin).

    Keys starting with ``snapext:`` are cinder-snapext's own state, such
    as the phase of an assisted snapshot.
    """

    def get_parser(self, prog_name):
        return arguments.snapshot(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        client, snapshot = _find(self.app, parsed_args.snapshot)
        metadata = client.list_admin_metadata(snapshot.id)
        return ('Key', 'Value'), sorted(metadata.items())


class SetAdminMetadata(command.Command):
    """Set admin metadata keys of a snapshot (admin).

    Keys starting with ``snapext:`` are refused: only cinder-snapext's
    services change them.
    """

    def get_parser(self, prog_name):
        parser = arguments.snapshot(super().get_parser(prog_name))
        parser.add_argument(
            '--property', metavar='<key=value>', dest='properties',
            action=parseractions.KeyValueAction, required=True,
            help='Key and value to set (repeat for more)')
        return parser

    def take_action(self, parsed_args):
        client, snapshot = _find(self.app, parsed_args.snapshot)
        client.set_admin_metadata(snapshot.id, parsed_args.properties)


class UnsetAdminMetadata(command.Command):
    """Delete admin metadata keys of a snapshot (admin)."""

    def get_parser(self, prog_name):
        parser = arguments.snapshot(super().get_parser(prog_name))
        parser.add_argument(
            '--property', metavar='<key>', dest='properties',
            action='append', required=True,
            help='Key to delete (repeat for more)')
        return parser

    def take_action(self, parsed_args):
        client, snapshot = _find(self.app, parsed_args.snapshot)
        failed = []
        # Every key is tried, as 'openstack volume unset' does; the
        # failures are reported together at the end.
        for key in parsed_args.properties:
            try:
                client.unset_admin_metadata(snapshot.id, key)
            except exceptions.CommandError as e:
                LOG.error('%s', e)
                failed.append(key)
        if failed:
            raise exceptions.CommandError(
                'Failed to unset %d of %d key(s): %s'
                % (len(failed), len(parsed_args.properties),
                   ', '.join(failed)))
