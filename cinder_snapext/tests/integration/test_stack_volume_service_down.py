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

"""cinder-api never waits on a stopped volume service.

cinder-volume is stopped by ``tools/stack.sh stop volume`` (its recorded
pid; one process tree serves every backend, so the RBD backend stops
with the others). Deleting a volume whose snapshot was exported is still
refused, from the database, and a plain delete accepted, both at once;
once Cinder's service table says the service is down, a manage request
answers 503 at once on both routes instead of after the RPC timeout,
leaving no row and no quota. The service then starts again and finishes
the accepted delete.
"""

import os
import time

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration.base import step
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli

#: An answer that does not wait on the volume service comes well within
#: this; the RPC timeout it must not wait for is 30 s.
AT_ONCE = 2.0
BACKEND_HOST = 'ci@ceph'


class VolumeServiceDownTest(base.ScenarioTestCase):
    """Delete and manage with cinder-volume stopped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = cinder_db.CinderDb(cls.stack.dir)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    def timed(self, method, path, body=None):
        start = time.monotonic()
        status, answer = self.api(method, path, body)
        return status, answer, time.monotonic() - start

    def accounting(self):
        return (self.db.snapshot_rows(self.ctx['exported']),
                self.db.quota(self.env['OS_PROJECT_ID']))

    def backend_state(self):
        status, body = self.api('GET', '/os-services?binary=cinder-volume')
        self.assertEqual(200, status, body)
        return {s['host']: s['state'] for s in body['services']}

    @step
    def test_01_volume_with_an_export_and_a_plain_one(self):
        self.ctx['exported'] = self.create_volume('exported')
        self.ctx['ref'] = self.export(self.ctx['exported'], 'snap')
        self.ctx['plain'] = self.create_volume('plain')
        self.assertEqual('up', self.backend_state()[BACKEND_HOST])

    @step
    def test_02_stop_the_volume_service(self):
        with open(os.path.join(self.stack.dir, 'run',
                               'cinder-volume.pid')) as f:
            pid = f.read().split()[0]
        self.assertTrue(base.alive(pid))
        self.ctx['stopped'] = True
        self.stack_tool('stop', 'volume')
        self.assertFalse(base.alive(pid))

    @step
    def test_03_delete_with_export_refused_at_once(self):
        status, body, took = self.timed(
            'DELETE', '/volumes/%s' % self.ctx['exported'])
        self.assertEqual(400, status, body)
        self.assertIn(self.ctx['ref'], body)
        self.assertLess(took, AT_ONCE)
        self.assertEqual('available',
                         self.show('volume', self.ctx['exported'])['status'])

    @step
    def test_04_plain_delete_accepted_at_once(self):
        status, body, took = self.timed(
            'DELETE', '/volumes/%s' % self.ctx['plain'])
        self.assertEqual(202, status, body)
        self.assertLess(took, AT_ONCE)
        self.assertEqual('deleting',
                         self.show('volume', self.ctx['plain'])['status'])

    @step
    def test_05_manage_answers_503_at_once_once_service_is_down(self):
        # Cinder's service table says 'down' service_down_time (20 s on
        # the stack) after the last heartbeat.
        self.wait_for('%s down' % BACKEND_HOST,
                      lambda: self.backend_state()[BACKEND_HOST] == 'down',
                      timeout=90, poll=1)
        for route in ('/os-snapshot-manage', '/manageable_snapshots'):
            before = self.accounting()
            status, body, took = self.timed('POST', route, {'snapshot': {
                'volume_id': self.ctx['exported'], 'name': self.name('m'),
                'ref': {'source-name': self.ctx['ref']}}})
            self.assertEqual(503, status, '%s: %s' % (route, body))
            self.assertIn(BACKEND_HOST, body)
            self.assertLess(took, AT_ONCE, route)
            self.assertEqual(before, self.accounting(), route)

    @step(always=True)
    def test_06_start_the_volume_service(self):
        if self.ctx.pop('stopped', None):
            self.stack_tool('start', 'volume')
        self.assertEqual('up', self.backend_state()[BACKEND_HOST])

    @step
    def test_07_accepted_delete_done_export_kept(self):
        self.wait_gone('volume', self.ctx['plain'])
        self.made['volume'].remove(self.ctx['plain'])
        image = 'volume-%s' % self.ctx['exported']
        self.assertIn(self.ctx['ref'], self.rbd_snaps(image))
        self.assertEqual('available',
                         self.show('volume', self.ctx['exported'])['status'])

    @step(always=True)
    def test_08_delete_everything(self):
        if self.ctx.get('ref'):
            out = self.cinder('snapshot-manage', '--id-type', 'source-name',
                              '--name', self.name('cleanup'),
                              self.ctx['exported'], self.ctx.pop('ref'))
            snap = cli.parse_properties(out)['id']
            self.made['snapshot'].append(snap)
            self.wait_status('snapshot', snap, 'available')
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
