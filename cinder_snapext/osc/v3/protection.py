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

"""``volume protection ...``: cinder-snapext-protect inside ``openstack``.

Each command takes the options of the cinder-snapext-protect command of
the same name (``protection/arguments.py`` adds them) and runs that
command's code (``protection.cli.run``) on the Connection OSC built from
its global options; only authentication, cloud, region, interface and
the cloud's api_timeout are OSC's. The command's JSON result is handed to
cliff, so ``-f table|json|yaml|value`` and ``-c`` work as for any
openstack command.
"""

import argparse
import io
import json

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import exceptions

from cinder_snapext.protection import arguments
from cinder_snapext.protection import cli
from cinder_snapext.protection import client
from cinder_snapext.protection import connection
from cinder_snapext.protection import messages


class _ProtectionCommand(command.Command):
    """The cinder-snapext-protect command named ``verb``, as a cliff one.

    Mixed before cliff's ShowOne or Lister, which print what
    ``take_action`` returns.
    """

    verb = ''

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _, add_arguments = arguments.COMMANDS[self.verb]
        add_arguments(parser)
        arguments.add_wait_arguments(parser)
        self._parser = parser
        return parser

    def run(self, parsed_args):
        # cliff's display commands answer 0 once they have printed; a
        # protection that failed (its record printed) or a prune that
        # left a failed row exits 1, as cinder-snapext-protect does.
        self.exit_code = 0
        return super().run(parsed_args) or self.exit_code

    def protection_result(self, parsed_args):
        """The command's result (a record or rows); sets ``exit_code``."""
        args = argparse.Namespace(**vars(parsed_args))
        args.command = self.verb
        args.format = 'json'
        # The same refusals of options that mean nothing together, with
        # argparse's usage line and exit status 2.
        arguments.check(self._parser, args)
        printed = io.StringIO()
        cinder = None
        conn = self.app.client_manager.sdk_connection
        session = conn.config.get_session()
        if session.timeout is None:
            # No api_timeout in the cloud: keystoneauth would wait forever
            # on a Cinder that never answers, and hold a timer's run.
            session.timeout = arguments.REQUEST_TIMEOUT
        try:
            cinder = connection.cinder(conn)
            self.exit_code = cli.run(args, cinder, printed, self.app.stderr)
        except cli.ERRORS as e:
            why = [] if cinder is None else messages.explain(
                cinder, messages.resource_ids(e))
            raise exceptions.CommandError(
                '\n'.join([client.describe(e)] + why)) from e
        return json.loads(printed.getvalue())


class _RecordCommand(_ProtectionCommand, command.ShowOne):

    def take_action(self, parsed_args):
        record = self.protection_result(parsed_args)
        columns = sorted(record)
        return columns, [_cell(record[column]) for column in columns]


class _RowsCommand(_ProtectionCommand, command.Lister):

    def take_action(self, parsed_args):
        rows = self.protection_result(parsed_args)
        # prune mixes volume and group rows: any row's key is a column.
        columns = list(dict.fromkeys(key for row in rows for key in row))
        return columns, [[_cell(row.get(column)) for column in columns]
                         for row in rows]


class _RecordColumn(format_columns.DictColumn):
    """A nested record: its summary in a table, whole in json or yaml."""

    def human_readable(self):
        # A hook's outcome says in its summary what cinder-snapext-protect
        # shows in its table; its output is in json and yaml.
        record = self.machine_readable()
        if 'summary' in record:
            return str(record['summary'])
        return super().human_readable()


def _cell(value):
    if isinstance(value, dict):
        return _RecordColumn(value)
    if isinstance(value, list):
        return format_columns.ListColumn(value)
    return value


class ProtectVolume(_RecordCommand):
    """Protect a volume or a group by a snapshot.

    With --backup, a copy off the backend; with --pre/--post, hooks around
    the snapshot; with --keep-* rules, expiry of older protections. As
    cinder-snapext-protect protect.
    """

    verb = 'protect'


class RestoreProtection(_RecordCommand):
    """Create a new volume or group from a protection.

    From a snapshot, or from its backup once the snapshot is gone. As
    cinder-snapext-protect restore.
    """

    verb = 'restore'


class ListProtection(_RowsCommand):
    """List protections, newest first.

    Snapshots, or with --backups backups, or with --group group snapshots.
    As cinder-snapext-protect list.
    """

    verb = 'list'


class PruneProtection(_RowsCommand):
    """Delete the protections that the --keep-* rules do not keep.

    As cinder-snapext-protect prune; --dry-run shows the rule keeping each.
    """

    verb = 'prune'


class DeleteProtection(_RowsCommand):
    """Delete protection snapshots.

    A snapshot already gone counts as deleted; one that protect did not
    make is refused. As cinder-snapext-protect delete.
    """

    verb = 'delete'
