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

"""``openstack volume backup verify`` against Cinder's answers over HTTP."""

import json
import types

from osc_lib import exceptions
import requests
import testtools

from cinder_snapext.osc import client
from cinder_snapext.osc.v3 import backup_verify

BACKUP_ID = '5d1e3c9a-7b42-4f0e-9a61-2c8d4e6f1a30'


def _response(status, body=None):
    response = requests.Response()
    response.status_code = status
    response.headers['Content-Type'] = 'application/json'
    response._content = b'' if body is None else json.dumps(body).encode()
    return response


class _Cinder:
    """What the block-storage proxy would send and Cinder answer.

    ``shows`` are the backup's successive metadata, one per GET.
    """

    def __init__(self, shows, refuse=None):
        self.shows = list(shows)
        self.refuse = refuse
        self.sent = []

    def find_backup(self, name_or_id, ignore_missing=True):
        return types.SimpleNamespace(id=BACKUP_ID, name=name_or_id)

    def request(self, path, method, microversion=None, json=None):
        self.sent.append((method, path, microversion, json))
        if method == 'POST':
            if self.refuse:
                return _response(400, {'badRequest': {
                    'code': 400, 'message': self.refuse}})
            return _response(202)
        metadata = self.shows.pop(0) if len(self.shows) > 1 else \
            self.shows[0]
        return _response(200, {'backup': {
            'id': BACKUP_ID, 'status': metadata.pop('status', 'available'),
            'metadata': metadata}})


class VerifyBackupTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.patch(backup_verify, 'POLL_SECONDS', 0)

    def _run(self, cinder, *argv):
        app = types.SimpleNamespace(client_manager=types.SimpleNamespace(
            volume_snapext=client.SnapextClient(cinder)))
        command = backup_verify.VerifyBackup(app, None)
        parsed = command.get_parser('openstack volume backup verify'). \
            parse_args(list(argv))
        columns, values = command.take_action(parsed)
        return dict(zip(columns, values))

    def test_request_is_the_action_and_returns_once_accepted(self):
        cinder = _Cinder([{'snapext_verifying_since': '2026-12-06T21:00:00',
                           'snapext_verify': 'match'}])
        shown = self._run(cinder, 'nightly')
        self.assertEqual(
            ('POST', '/backups/%s/action' % BACKUP_ID, None,
             {'snapext-verify': {}}), cinder.sent[0])
        self.assertEqual(('GET', '/backups/%s' % BACKUP_ID, '3.43'),
                         cinder.sent[1][:3])
        self.assertEqual(2, len(cinder.sent))
        self.assertEqual('2026-12-06T21:00:00', shown['verifying_since'])

    def test_wait_polls_until_the_service_has_answered(self):
        cinder = _Cinder([
            {'snapext_verifying_since': '2026-12-06T21:00:00'},
            {'snapext_verifying_since': '2026-12-06T21:00:00'},
            {'status': 'error', 'snapext_verify': 'mismatch',
             'snapext_verified_at': '2026-12-06T21:00:09',
             'snapext_verify_detail': '1 of 256 chunks differ'}])
        shown = self._run(cinder, 'nightly', '--wait')
        self.assertEqual(4, len(cinder.sent))
        self.assertEqual({'id': BACKUP_ID, 'status': 'error',
                          'result': 'mismatch',
                          'verified_at': '2026-12-06T21:00:09',
                          'detail': '1 of 256 chunks differ',
                          'verifying_since': None}, shown)

    def test_wait_gives_up_at_its_timeout(self):
        cinder = _Cinder([{'snapext_verifying_since': '2026-12-06T21:00'}])
        error = self.assertRaises(exceptions.CommandError, self._run,
                                  cinder, 'nightly', '--wait',
                                  '--timeout', '0')
        self.assertIn('still being verified after 0 s', str(error))

    def test_refusal_shows_cinders_message(self):
        cinder = _Cinder([{}], refuse='only Ceph backups can be verified')
        error = self.assertRaises(exceptions.CommandError, self._run,
                                  cinder, 'nightly')
        self.assertEqual('Cinder refused the request (HTTP 400): only Ceph '
                         'backups can be verified', str(error))
        self.assertEqual(1, len(cinder.sent))
