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

"""The fuzz ledger's judgement: only accepted requests may change rows."""

import testtools

from cinder_snapext.tests.fuzz import ledger

VOLUME = '11111111-1111-4111-8111-111111111111'
SNAPSHOT = '22222222-2222-4222-8222-222222222222'


def _seen(snapshot_status='available', used=1, reserved=0, snapshot=True):
    snapshots = ({SNAPSHOT: ledger.Row(snapshot_status, 'p', 1, VOLUME)}
                 if snapshot else {})
    return {'volumes': {VOLUME: ledger.Row('available', 'p', 1, None)},
            'snapshots': snapshots, 'backups': {},
            'quota': {('p', 'snapshots'): (used, reserved),
                      ('p', 'volumes'): (1, 0),
                      ('p', 'gigabytes'): (used + 1, 0)},
            'reservations': reserved, 'exports': []}


class LeaksTestCase(testtools.TestCase):

    def test_nothing_changed_is_no_leak(self):
        self.assertEqual([], ledger.leaks(_seen(), _seen(), b''))

    def test_status_change_without_accepted_request_is_a_leak(self):
        found = ledger.leaks(_seen(), _seen('error'), b'')
        self.assertEqual(['snapshots %s went available -> error with no '
                          'accepted request' % SNAPSHOT], found)

    def test_status_change_named_by_accepted_request_is_none(self):
        self.assertEqual([], ledger.leaks(_seen(), _seen('error'),
                                          SNAPSHOT.encode()))

    def test_snapshot_gone_with_its_volume_named_is_none(self):
        after = _seen(snapshot=False, used=0)
        self.assertEqual([], ledger.leaks(_seen(), after, VOLUME.encode()))

    def test_quota_that_moves_without_rows_is_a_leak(self):
        found = ledger.leaks(_seen(), _seen(used=2), SNAPSHOT.encode())
        self.assertIn('quota p/snapshots: in use moved by 1, its rows by 0',
                      found)

    def test_quota_left_reserved_is_a_leak(self):
        found = ledger.leaks(_seen(), _seen(reserved=1), b'')
        self.assertIn('quota p/snapshots: 1 reserved, 0 before', found)
        self.assertIn('reservations: 1 live, 0 before', found)

    def test_new_row_must_be_in_an_accepted_answer(self):
        before = _seen(snapshot=False, used=0)
        self.assertEqual(1, len(ledger.leaks(before, _seen(), b'')))
        self.assertEqual([], ledger.leaks(before, _seen(),
                                          b'{"snapshot": {"id": "%s"}}'
                                          % SNAPSHOT.encode()))
