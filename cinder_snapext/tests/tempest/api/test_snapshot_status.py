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

"""os-update_snapshot_status: compute_snapshot_status, and Nova's body."""

from tempest.lib import decorators
from tempest.lib import exceptions as lib_exc

from cinder_snapext.tests.tempest.api import base

PROGRESS = 'os-extended-snapshot-attributes:progress'
COMPUTE_STATUS_KEY = 'snapext:compute_snapshot_status'


class SnapshotStatusTest(base.SnapextBaseTest):
    """The callback Nova makes while it takes an assisted snapshot."""

    def _creating_snapshot(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume['id'])
        # As Nova finds it: a snapshot Cinder is still creating. Back to
        # available before the clean-up deletes it.
        self.admin_snapshots_client.reset_snapshot_status(
            snapshot['id'], 'creating')
        self.addCleanup(self.admin_snapshots_client.reset_snapshot_status,
                        snapshot['id'], 'available')
        return snapshot['id']

    def _show(self, snapshot_id):
        return self.admin_snapshots_client.show_snapshot(
            snapshot_id)['snapshot']

    def _admin_metadata(self, snapshot_id):
        return self.admin_snapext_client.show_snapshot_admin_metadata(
            snapshot_id)['admin_metadata']

    @decorators.idempotent_id('6814bc48-34b9-4893-96d6-aa78b0adca30')
    def test_compute_snapshot_status_accepted(self):
        snapshot_id = self._creating_snapshot()
        # The owner, not an admin, as Nova calls with the user's token.
        self.snapshots_client.update_snapshot_status(
            snapshot_id, status='creating', progress='90%',
            compute_snapshot_status='creating_compute_complete')
        shown = self._show(snapshot_id)
        self.assertEqual('creating', shown['status'])
        self.assertEqual('90%', shown[PROGRESS])
        self.assertEqual('creating_compute_complete',
                         self._admin_metadata(snapshot_id).get(
                             COMPUTE_STATUS_KEY))

    @decorators.idempotent_id('2eac4983-7b9b-4132-b9ba-708cd8175fc6')
    def test_compute_snapshot_status_refused_when_invalid(self):
        snapshot_id = self._creating_snapshot()
        for status, compute_status in (
                ('creating', 'no_such_compute_status'),
                # A valid value paired with the wrong status.
                ('creating', 'creating_compute_error')):
            ex = self.assertRaises(
                lib_exc.BadRequest,
                self.snapshots_client.update_snapshot_status, snapshot_id,
                status=status, progress='50%',
                compute_snapshot_status=compute_status)
            self.assertIn(compute_status, str(ex))
        shown = self._show(snapshot_id)
        self.assertEqual('creating', shown['status'])
        self.assertNotEqual('50%', shown[PROGRESS])
        self.assertNotIn(COMPUTE_STATUS_KEY,
                         self._admin_metadata(snapshot_id))

    @decorators.idempotent_id('513e5483-a292-42e6-bb9b-8d4fc7e5b0dc')
    def test_legacy_progress_honoured(self):
        snapshot_id = self._creating_snapshot()
        # Nova's body before compute_snapshot_status: status and progress.
        self.snapshots_client.update_snapshot_status(
            snapshot_id, status='creating', progress='90%')
        shown = self._show(snapshot_id)
        self.assertEqual(('creating', '90%'),
                         (shown['status'], shown[PROGRESS]))
        self.snapshots_client.update_snapshot_status(
            snapshot_id, status='available', progress='100%')
        shown = self._show(snapshot_id)
        self.assertEqual(('available', '100%'),
                         (shown['status'], shown[PROGRESS]))
        # No assisted snapshot drives this one: nothing recorded for it.
        self.assertNotIn(COMPUTE_STATUS_KEY,
                         self._admin_metadata(snapshot_id))
