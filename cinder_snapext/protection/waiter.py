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

"""Polling a Cinder resource towards a goal, always with a deadline."""

import collections
import time

from oslo_log import log as logging

from cinder_snapext.protection import exception
from cinder_snapext.protection import statuses

LOG = logging.getLogger(__name__)

Progress = collections.namedtuple(
    'Progress', 'resource resource_id goal status elapsed timeout')
Progress.__doc__ = 'One poll of a wait, as shown to a progress display.'


def _sleep(seconds):
    # Looked up at each call: under eventlet (Karbor's services, Cinder's
    # test machinery) time.sleep is the green one only after patching.
    time.sleep(seconds)


class Waiter:
    """Polls until a goal, a failure status or a deadline.

    Karbor's status_poll had no deadline, so a snapshot stuck in
    ``creating`` held its flow forever; here every wait ends after
    ``timeout`` seconds at most. ``clock`` and ``sleep`` are injectable so
    that tests run deadlines without sleeping.

    :param timeout: seconds from the first poll to the last one
    :param interval: seconds between polls
    :param progress: called with a :class:`Progress` after every poll
    :param is_transient: tells an error worth polling again (an API
        outage) from one that ends the wait
    """

    def __init__(self, timeout, interval, clock=None, sleep=None,
                 progress=None, is_transient=None):
        self.timeout = timeout
        self.interval = interval
        self._clock = clock or time.monotonic
        self._sleep = sleep or _sleep
        self._progress = progress
        self._is_transient = is_transient or (lambda error: False)

    def wait(self, resource, resource_id, fetch, goal, status=None):
        """Poll ``fetch()`` until ``goal`` says done; return what it got.

        ``fetch`` returns an object with a ``status`` or None when Cinder
        answers 404. ``status`` is the last status known before the wait,
        named if the resource vanishes at the first poll.

        :raises: ResourceInFailureStatus, ResourceVanished or
            ResourceWaitTimeout, each naming the resource and its last
            status
        """
        start = self._clock()
        deadline = start + self.timeout
        last_error = None
        while True:
            try:
                found = fetch()
            except Exception as e:
                if not self._is_transient(e):
                    raise
                # One refused connection or 503 must not fail an operation
                # that the deadline still allows to finish.
                LOG.warning('Polling %(resource)s %(id)s failed, will '
                            'retry: %(error)s',
                            {'resource': resource, 'id': resource_id,
                             'error': e})
                last_error = e
            else:
                last_error = None
                current = found.status if found is not None else None
                self._report(resource, resource_id, goal, current, start)
                verdict = goal.classify(current)
                if verdict == statuses.DONE:
                    return found
                if verdict == statuses.FAILED:
                    raise self._failure(resource, resource_id, goal,
                                        current, status)
                status = current
            now = self._clock()
            if now >= deadline:
                detail = (' Last poll failed: %s' % last_error
                          if last_error is not None else '')
                raise exception.ResourceWaitTimeout(
                    resource=resource, resource_id=resource_id,
                    status=status or 'unknown', goal=goal.name,
                    timeout=self.timeout,
                    detail=detail)
            self._sleep(max(0, min(self.interval, deadline - now)))

    def _report(self, resource, resource_id, goal, status, start):
        if self._progress is None:
            return
        self._progress(Progress(
            resource, resource_id, goal.name,
            status if status is not None else statuses.NOT_FOUND,
            self._clock() - start, self.timeout))

    @staticmethod
    def _failure(resource, resource_id, goal, current, previous):
        if current is None:
            return exception.ResourceVanished(
                resource=resource, resource_id=resource_id,
                status=previous or 'unknown', goal=goal.name)
        return exception.ResourceInFailureStatus(
            resource=resource, resource_id=resource_id, status=current,
            goal=goal.name)
