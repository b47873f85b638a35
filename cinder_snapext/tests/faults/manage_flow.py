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

"""A fault in the middle of managing an exported RBD snapshot back.

A snapshot of an RBD volume is exported (unmanaged: the RBD snapshot
stays, recorded as an export), then managed back; the fault (a subclass's
``interrupt``) lands once cinder-volume logs that it is managing the
reference. The new snapshot must end ``available`` or ``error``; either
way the export can still be managed back (at once, or after deleting the
failed snapshot), a volume made from it holds the data of the moment the
snapshot was taken, and nothing is left once everything is deleted.
"""

import time

from cinder_snapext.tests.faults import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cli

FIRST = [(0, 16, 'fault-manage-a')]
BEFORE_SNAP = [(32, 16, 'fault-manage-b')]
AFTER_SNAP = [(0, 8, 'fault-manage-c')]
STEP = 'manage_existing_snapshot: managing'


class ManageFaultScenario(base.FaultScenario):
    """A server broken while cinder-volume manages a snapshot."""

    #: The results page's name of the fault.
    FAULT = None
    #: Short tag for the names of what the scenario makes.
    TAG = None
    #: The volume services (tools/stack.sh records) that may take the
    #: manage; ctx['member'] is the one that logged it.
    RECORDS = ('cinder-volume',)

    def interrupt(self):
        """Break the server and bring it back; the seconds the repair took."""
        raise NotImplementedError

    def manage(self, what):
        status, body = self.api('POST', '/manageable_snapshots', {
            'snapshot': {'volume_id': self.ctx['volume'],
                         'name': self.name(what),
                         'ref': {'source-name': self.ctx['ref']}}})
        self.assertEqual(202, status, body)
        self.made['snapshot'].append(body['snapshot']['id'])
        return body['snapshot']['id']

    def before_managing_again(self):
        """What the operator does before managing the export again."""

    @step
    def test_01_volume_with_an_exported_snapshot(self):
        self.take_baseline()
        self.create_volume_for_faults('%s-vol' % self.TAG, FIRST)
        snap = self._snapshot_between('%s-snap' % self.TAG, BEFORE_SNAP,
                                      AFTER_SNAP)
        self.cinder('snapshot-unmanage', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        del self.ctx['snapshot']
        self.ctx['ref'] = 'snapshot-%s' % snap

    @step
    def test_02_fault_mid_manage(self):
        offsets = {r: self.servers.log_offset(r) for r in self.RECORDS}
        snap = self.manage('%s-managed' % self.TAG)
        self.ctx['member'] = self.member_at(STEP, offsets)
        started = time.monotonic()
        restart = self.interrupt()
        status = self.settle('snapshot', snap)
        self.assertIn(status, ('available', 'error'))
        self.settled_around()
        self.ctx.update(started=started, restart=restart, status=status,
                        managed=snap, messages=self._messages(snap))

    @step
    def test_03_export_managed_back_with_its_data(self):
        snap = self.ctx['managed']
        self.before_managing_again()
        if self.ctx['status'] == 'error':
            self.cinder('snapshot-delete', snap)
            self.wait_gone('snapshot', snap)
            self.made['snapshot'].remove(snap)
            snap = self.manage('%s-again' % self.TAG)
            self.wait_status('snapshot', snap, 'available')
        out = self.cinder('create', '--snapshot-id', snap, '--name',
                          self.name('%s-from-snap' % self.TAG), '1')
        vol_id = cli.parse_properties(out)['id']
        self.made['volume'].append(vol_id)
        self.volumes.append(vol_id)
        self.wait_status('volume', vol_id, 'available')
        self.assertEqual(self.ctx['sha_snap'], self.image_sha256(
            self.volume_image(vol_id)))
        self.ctx.pop('ref')
        self.record(self.FAULT,
                    'manage of an exported RBD snapshot, at the log line: '
                    + STEP, outcome='snapshot %s; export managed back, a '
                    'volume from it has the right checksum'
                    % self.ctx['status'])

    @step(always=True)
    def test_04_nothing_left(self):
        if self.ctx.get('ref'):
            self.take_back(self.ctx['volume'], self.ctx.pop('ref'),
                           check=False)
        self.finish()
