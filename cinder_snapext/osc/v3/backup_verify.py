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

"""``volume backup verify``: compare a Ceph backup with its source."""

import time

from osc_lib.command import command
from osc_lib import exceptions

from cinder_snapext.osc import plugin

# Present from the request's acceptance until the service has answered.
_IN_PROGRESS = 'snapext_verifying_since'
# (column, backup metadata key or backup field)
_COLUMNS = (
    ('id', 'id'),
    ('status', 'status'),
    ('result', 'snapext_verify'),
    ('verified_at', 'snapext_verified_at'),
    ('detail', 'snapext_verify_detail'),
    ('verifying_since', _IN_PROGRESS),
)
POLL_SECONDS = 2


class VerifyBackup(command.ShowOne):
    """Verify a Ceph backup against its source snapshot (admin).

    The backup service reads the backup's restore point and its source
    in full and records the result in the backup's metadata: match,
    mismatch (the backup goes to error) or unverifiable (its source is
    gone). Without --wait, the command returns once the request is
    accepted; the result column then still shows the previous result.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('backup', metavar='<backup>',
                            help='Backup to verify (name or ID)')
        parser.add_argument('--wait', action='store_true', default=False,
                            help='Wait for the result')
        parser.add_argument('--timeout', type=int, default=3600,
                            metavar='<seconds>',
                            help='With --wait: give up after this many '
                                 'seconds (default 3600; the verify goes '
                                 'on)')
        return parser

    def take_action(self, parsed_args):
        client = plugin.client_of(self.app)
        backup = client.find_backup(parsed_args.backup)
        client.verify_backup(backup.id)
        shown = client.show_backup(backup.id)
        if parsed_args.wait:
            shown = _wait(client, backup.id, parsed_args.timeout, shown)
        metadata = shown.get('metadata') or {}
        return ([column for column, _ in _COLUMNS],
                [shown.get(key, metadata.get(key)) for _, key in _COLUMNS])


def _wait(client, backup_id, timeout, shown):
    deadline = time.monotonic() + timeout
    while _IN_PROGRESS in (shown.get('metadata') or {}):
        if time.monotonic() >= deadline:
            raise exceptions.CommandError(
                'Backup %s is still being verified after %d s; its '
                'metadata will show the result (openstack volume backup '
                'show %s)' % (backup_id, timeout, backup_id))
        time.sleep(POLL_SECONDS)
        shown = client.show_backup(backup_id)
    return shown
