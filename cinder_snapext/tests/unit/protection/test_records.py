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

"""Checkpoints rebuilt from Cinder snapshots, and their records."""

import testtools

from cinder_snapext.protection import client
from cinder_snapext.protection import records
from cinder_snapext.tests.unit.protection import fakes


class CheckpointTestCase(testtools.TestCase):

    def test_checkpoint_of_snapshot_is_what_protect_recorded(self):
        snapshot = fakes.FakeResource(
            id='s1', volume_id='v1', size=4, status='available',
            metadata={client.PROTECTION_TAG: 'c1'})
        checkpoint = records.Checkpoint.of_snapshot(snapshot)
        self.assertEqual('c1', checkpoint.id)
        self.assertEqual(
            {'status': 'available',
             'metadata': {'volume_id': 'v1', 'snapshot_id': 's1',
                          'size': 4}},
            checkpoint.get_resource_bank_section('v1').objects)

    def test_checkpoint_of_untagged_snapshot_takes_its_id(self):
        snapshot = fakes.FakeResource(id='s1', volume_id='v1', size=1,
                                      metadata=None)
        self.assertEqual('s1', records.Checkpoint.of_snapshot(snapshot).id)

    def test_bank_section_raises_for_missing_key(self):
        section = records.BankSection({'a/b': 1, 'c': 2})
        self.assertEqual(['a/b'], section.list_objects(prefix='a/'))
        section.delete_object('c')
        self.assertRaises(KeyError, section.get_object, 'c')

    def test_resource_record_keys_by_type_and_id(self):
        record = records.ResourceRecord()
        record.update_resource_status('OS::Cinder::Volume', 'v1', 'error',
                                      'broken')
        record.save()
        self.assertEqual({'OS::Cinder::Volume#v1': 'error'},
                         record.resources_status)
        self.assertEqual({'OS::Cinder::Volume#v1': 'broken'},
                         record.resources_reason)
