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

"""``volume snapshot export`` and ``volume snapshot import``."""

from osc_lib.cli import format_columns
from osc_lib.cli import parseractions
from osc_lib.command import command

from cinder_snapext.osc import plugin
from cinder_snapext.osc.v3 import arguments


def remote_source(reference):
    """A reference as ``--remote-source`` takes it: ``key=value``."""
    return ','.join('%s=%s' % item for item in sorted(reference.items()))


class ExportSnapshot(command.ShowOne):
    """Export a snapshot: Cinder forgets it, its data stays on the backend.

    Prints the backend reference to import it with later, here or in
    another cloud that shares the backend (``remote_source`` is the value
    for ``openstack volume snapshot import --remote-source``).
    """

    def get_parser(self, prog_name):
        return arguments.snapshot(super().get_parser(prog_name),
                                  help='Snapshot to export (name or ID)')

    def take_action(self, parsed_args):
        client = plugin.client_of(self.app)
        snapshot = client.find_snapshot(parsed_args.snapshot)
        exported = client.export_snapshot(snapshot.id)
        reference = exported['reference']
        columns = ('id', 'volume_id', 'status', 'reference', 'remote_source')
        return columns, (exported['id'], exported['volume_id'],
                         exported['status'],
                         format_columns.DictColumn(reference),
                         remote_source(reference))


class ImportSnapshot(command.ShowOne):
    """Import a backend snapshot of a volume into Cinder.

    Unlike ``volume snapshot create --remote-source``, this can name the
    volume service (``--host``) that must serve the volume; Cinder
    refuses the import at once if the reference is no snapshot of that
    volume on its backend.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<snapshot-name>', nargs='?',
                            help='Name of the new snapshot')
        parser.add_argument('--volume', metavar='<volume>', required=True,
                            help='Volume the backend snapshot belongs to '
                                 '(name or ID)')
        parser.add_argument(
            '--remote-source', metavar='<key=value>', required=True,
            action=parseractions.KeyValueAction, dest='remote_source',
            help='The backend snapshot, as "source-name=<name>" or '
                 '"source-id=<id>" (what "volume snapshot export" '
                 'printed); repeat for drivers that read more keys')
        parser.add_argument(
            '--host', metavar='<host>',
            help='Volume service expected to serve the volume: host, '
                 'host@backend, host@backend#pool or its cluster; '
                 'a mismatch is refused')
        parser.add_argument('--description', metavar='<description>',
                            help='Description of the new snapshot')
        parser.add_argument(
            '--property', metavar='<key=value>', dest='properties',
            action=parseractions.KeyValueAction,
            help='Property of the new snapshot (repeat for more)')
        return parser

    def take_action(self, parsed_args):
        client = plugin.client_of(self.app)
        volume = client.find_volume(parsed_args.volume)
        body = {'volume_id': volume.id, 'ref': parsed_args.remote_source}
        for key, value in (('name', parsed_args.name),
                           ('description', parsed_args.description),
                           ('metadata', parsed_args.properties),
                           ('host', parsed_args.host)):
            if value:
                body[key] = value
        snapshot = client.import_snapshot(body)
        columns = ('id', 'name', 'volume_id', 'status', 'size',
                   'description', 'properties', 'created_at')
        return columns, (snapshot['id'], snapshot.get('name'),
                         snapshot['volume_id'], snapshot['status'],
                         snapshot.get('size'), snapshot.get('description'),
                         format_columns.DictColumn(
                             snapshot.get('metadata') or {}),
                         snapshot.get('created_at'))
