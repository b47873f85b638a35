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

"""Asynchronous operations of the librbd double, completed on demand."""

import random


class Completion:
    """An aio operation, done when the pending ones are completed."""

    def __init__(self, queue, run, oncomplete):
        self._queue = queue
        self._run, self._oncomplete = run, oncomplete
        self._ret = None

    def complete(self):
        self._ret, args = self._run()
        self._oncomplete(self, *args)

    def is_complete(self):
        return self._ret is not None

    def wait_for_complete_and_cb(self):
        if self._ret is None:
            self._queue.complete_pending()

    def get_return_value(self):
        return self._ret


class AioQueue:
    """Operations issued and not completed, across every pool."""

    def __init__(self, seed=0):
        self.pending = []
        self.peak = 0
        self.issued = 0
        self._random = random.Random(seed)  # noqa: S311 (test order)

    def add(self, run, oncomplete):
        """Queue run (returning (return value, callback args))."""
        completion = Completion(self, run, oncomplete)
        self.pending.append(completion)
        self.issued += 1
        self.peak = max(self.peak, len(self.pending))
        return completion

    def complete_pending(self):
        pending, self.pending = self.pending, []
        self._random.shuffle(pending)
        for completion in pending:
            completion.complete()
