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

"""Hash pins of our objects: a changed field needs a new version."""

from cinder import objects as cinder_objects
from oslo_versionedobjects import fixture

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.objects import snapshot_export
from cinder_snapext.tests.unit import base

# Bump the object's VERSION, record why above it, and update its hash here.
EXPECTED = {
    'SnapextSnapshotAdminMetadata': '1.0-c3434757c5861e5d88c3f31f8047bd8c',
    'SnapextSnapshotAdminMetadataList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'SnapextSnapshotExport': '1.0-19346ce56b768ef0400674edcece099e',
    'SnapextSnapshotExportList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
}

OURS = {
    name: [getattr(snapshot_admin_metadata, name, None) or
           getattr(snapshot_export, name)] for name in EXPECTED
}


class SnapextObjectsTestCase(base.TestCase):

    def test_versions_match_pinned_hashes(self):
        checker = fixture.ObjectVersionChecker(obj_classes=OURS)
        expected, actual = checker.test_hashes(EXPECTED)
        self.assertEqual(expected, actual,
                         'An object changed: bump its version and pin the '
                         'new hash here.')

    def test_registered_in_cinder_namespace(self):
        for name in EXPECTED:
            cls = getattr(cinder_objects, name)
            self.assertEqual('cinder', cls.OBJ_PROJECT_NAMESPACE)
