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

"""Waits end at the goal, at a failure status or at the deadline."""

import testtools

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import statuses
from cinder_snapext.protection import waiter
from cinder_snapext.tests.unit.protection import fake_errors
from cinder_snapext.tests.unit.protection import fakes


class WaiterTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = fakes.FakeClock()
        self.progress = []
        self.cinder = fakes.FakeCinder()

    def waiter(self, timeout=60, interval=5):
        return waiter.Waiter(timeout, interval, clock=self.clock,
                             sleep=self.clock.sleep,
                             progress=self.progress.append,
                             is_transient=client.is_transient)

    def wait(self, volume, timeout=60, interval=5, **kwargs):
        return self.waiter(timeout, interval).wait(
            'Volume', volume.id,
            lambda: client.get_volume(self.cinder, volume.id),
            statuses.VOLUME_USABLE, **kwargs)

    def test_wait_returns_resource_at_goal(self):
        volume = self.cinder.volumes.add(['creating', 'creating',
                                          'creating', 'available'])
        self.assertIs(volume, self.wait(volume))
        self.assertEqual([5, 5, 5], self.clock.slept)
        self.assertEqual(
            [('creating', 0), ('creating', 5), ('creating', 10),
             ('available', 15)],
            [(p.status, p.elapsed) for p in self.progress])
        self.assertEqual({'available or in-use'},
                         {p.goal for p in self.progress})

    def test_wait_fails_at_once_on_failure_status(self):
        volume = self.cinder.volumes.add(['creating', 'error_extending'])
        error = self.assertRaises(exception.ResourceInFailureStatus,
                                  self.wait, volume)
        self.assertEqual(
            'Volume volume-1 is in status error_extending, a failure, '
            'while waiting for it to become available or in-use.',
            str(error))
        self.assertEqual({'resource': 'Volume', 'resource_id': 'volume-1',
                          'status': 'error_extending',
                          'goal': 'available or in-use', 'code': 500},
                         error.kwargs)
        self.assertEqual([5], self.clock.slept)

    def test_wait_names_last_status_when_resource_vanishes(self):
        volume = self.cinder.volumes.add(['creating', None])
        error = self.assertRaises(exception.ResourceVanished, self.wait,
                                  volume)
        self.assertEqual(
            'Volume volume-1 no longer exists (last status creating) '
            'while waiting for it to become available or in-use.',
            str(error))
        self.assertEqual('not-found', self.progress[-1].status)

    def test_wait_ends_exactly_at_deadline(self):
        volume = self.cinder.volumes.add('creating')
        error = self.assertRaises(exception.ResourceWaitTimeout, self.wait,
                                  volume, timeout=12, interval=5)
        self.assertEqual(
            'Volume volume-1 is still in status creating after 12s, the '
            'deadline for becoming available or in-use.', str(error))
        # Polls at 0, 5, 10 and, shortened, at the deadline itself.
        self.assertEqual([5, 5, 2], self.clock.slept)
        self.assertEqual([0, 5, 10, 12],
                         [p.elapsed for p in self.progress])

    def test_wait_with_zero_timeout_polls_once(self):
        volume = self.cinder.volumes.add('creating')
        self.assertRaises(exception.ResourceWaitTimeout, self.wait, volume,
                          timeout=0)
        self.assertEqual([], self.clock.slept)
        self.assertEqual(1, len(self.progress))

    def test_wait_retries_transient_errors_until_goal(self):
        volume = self.cinder.volumes.add('available')
        self.cinder.get_failures = [
            fake_errors.http_error(503, 'Service Unavailable'),
            fake_errors.ks_connect_failure()]
        self.assertIs(volume, self.wait(volume))
        self.assertEqual([5, 5], self.clock.slept)
        self.assertEqual(['available'], [p.status for p in self.progress])

    def test_wait_timeout_tells_last_poll_failed(self):
        volume = self.cinder.volumes.add('creating')
        self.cinder.get_failures = [None] + [
            fake_errors.ks_connect_failure()] * 9
        error = self.assertRaises(exception.ResourceWaitTimeout, self.wait,
                                  volume, timeout=10, interval=5,
                                  status='creating')
        self.assertIn('still in status creating after 10s', str(error))
        self.assertIn('Last poll failed: Unable to establish connection',
                      str(error))

    def test_wait_raises_other_errors_at_once(self):
        volume = self.cinder.volumes.add('creating')
        self.cinder.get_failures = [fake_errors.http_error(403, 'denied')]
        self.assertRaises(client.ClientException, self.wait, volume)
        self.assertEqual([], self.clock.slept)

    def test_wait_sleeps_no_longer_than_deadline(self):
        volume = self.cinder.volumes.add('creating')
        self.assertRaises(exception.ResourceWaitTimeout, self.wait, volume,
                          timeout=3, interval=15)
        self.assertEqual([3], self.clock.slept)
