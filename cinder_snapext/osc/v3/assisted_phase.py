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

"""``volume snapshot phase list`` and ``show``: assisted snapshots' phases."""

from osc_lib.command import command

from cinder_snapext.osc import plugin
from cinder_snapext.osc.v3 import arguments

# (API field, column heading); the first ones are the default listing.
_FIELDS = (
    ('snapshot_id', 'Snapshot ID'),
    ('volume_id', 'Volume ID'),
    ('status', 'Status'),
    ('phase', 'Phase'),
    ('host', 'Host'),
    ('deadline', 'Deadline'),
    ('stuck', 'Stuck'),
    ('project_id', 'Project ID'),
    ('operation', 'Operation'),
    ('open', 'Open'),
    ('error', 'Error'),
    ('compute_snapshot_status', 'Compute Snapshot Status'),
)
_SHORT = 7


class ListPhase(command.Lister):
    """List the phases of assisted snapshots, in every project (admin).

    A phase is stuck when it is still open past its deadline: the volume
    service that should have failed it is not doing so.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        which = parser.add_mutually_exclusive_group()
        which.add_argument('--stuck', dest='stuck', action='store_true',
                           default=None,
                           help='Only phases open past their deadline')
        which.add_argument('--not-stuck', dest='stuck',
                           action='store_false',
                           help='Only phases that are not stuck')
        parser.add_argument('--long', action='store_true', default=False,
                            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args):
        client = plugin.client_of(self.app)
        fields = _FIELDS if parsed_args.long else _FIELDS[:_SHORT]
        phases = client.list_phases(stuck=parsed_args.stuck)
        return ([heading for _, heading in fields],
                [[phase.get(key) for key, _ in fields] for phase in phases])


class ShowPhase(command.ShowOne):
    """Show the phase of one assisted snapshot (admin)."""

    def get_parser(self, prog_name):
        return arguments.snapshot(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        client = plugin.client_of(self.app)
        snapshot = client.find_snapshot(parsed_args.snapshot,
                                        all_projects=True)
        phase = client.show_phase(snapshot.id)
        keys = [key for key, _ in _FIELDS]
        return keys, [phase.get(key) for key in keys]
