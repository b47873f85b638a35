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

"""Every Cinder status, mapped to done, wait or failed for each goal."""

import ddt
import testtools

from cinder_snapext.protection import statuses

D, W, F = statuses.DONE, statuses.WAIT, statuses.FAILED


@ddt.ddt
class GoalTestCase(testtools.TestCase):

    @ddt.unpack
    @ddt.data(
        # Volume to snapshot: Karbor counted error_extending and
        # error_restoring as usable.
        ('available', D), ('in-use', D),
        ('creating', W), ('attaching', W), ('detaching', W),
        ('reserved', W), ('backing-up', W), ('restoring-backup', W),
        ('downloading', W), ('uploading', W), ('retyping', W),
        ('extending', W), ('maintenance', W), ('awaiting-transfer', W),
        ('managing', W), ('some-future-status', W),
        ('error', F), ('error_restoring', F), ('error_extending', F),
        ('error_deleting', F), ('error_backing-up', F),
        ('error_managing', F), ('deleting', F), (None, F))
    def test_classify_for_volume_usable(self, status, verdict):
        self.assertEqual(verdict, statuses.VOLUME_USABLE.classify(status))

    @ddt.unpack
    @ddt.data(
        ('available', D), ('backing-up', D), ('restoring', D),
        ('creating', W), ('updating', W),
        ('error', F), ('error_deleting', F), ('deleting', F),
        ('deleted', F), ('unmanaging', F), (None, F))
    def test_classify_for_snapshot_available(self, status, verdict):
        self.assertEqual(verdict,
                         statuses.SNAPSHOT_AVAILABLE.classify(status))

    @ddt.unpack
    @ddt.data(
        ('available', D), ('in-use', D), ('creating', W),
        ('downloading', W), ('error', F), ('error_restoring', F),
        ('error_extending', F), ('deleting', F), (None, F))
    def test_classify_for_volume_restored(self, status, verdict):
        self.assertEqual(verdict, statuses.VOLUME_RESTORED.classify(status))

    @ddt.unpack
    @ddt.data(
        (None, D), ('deleted', D), ('deleting', W), ('unmanaging', W),
        ('available', F), ('error_deleting', F), ('error', F))
    def test_classify_for_snapshot_deleted(self, status, verdict):
        self.assertEqual(verdict,
                         statuses.SNAPSHOT_DELETED.classify(status))
