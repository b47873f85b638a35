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

"""Tests of the choice between a differential and a full backup."""

import json

import testtools

from cinder_snapext.backup import rbd_chain

PARENT = '2b1f3a40-5c1e-4e0b-9a53-7f3b0d9c4e11'
OTHER = '8d0c7c55-1a2b-4c3d-8e9f-0a1b2c3d4e5f'
PARENT_SNAP = 'backup.%s.snap.1700000000.25' % PARENT


class BackupSnapTestCase(testtools.TestCase):

    def test_backup_snap_found_among_others(self):
        names = ['snapshot-x', 'backup.%s.snap.1.5' % OTHER, PARENT_SNAP]
        self.assertEqual(PARENT_SNAP, rbd_chain.backup_snap(names, PARENT))

    def test_backup_snap_absent(self):
        self.assertIsNone(rbd_chain.backup_snap(['snapshot-x'], PARENT))

    def test_backup_snap_ambiguous_is_none(self):
        names = [PARENT_SNAP, 'backup.%s.snap.2.0' % PARENT]
        self.assertIsNone(rbd_chain.backup_snap(names, PARENT))


class ParentSourceSnapTestCase(testtools.TestCase):

    def test_parent_of_snapshot_is_its_cinder_snapshot(self):
        self.assertEqual('snapshot-s1', rbd_chain.parent_source_snap(
            PARENT, 'snapshot-s1', ['snapshot-s1', PARENT_SNAP]))

    def test_parent_snapshot_deleted(self):
        # The backup point of the same id must not stand in for it.
        self.assertIsNone(rbd_chain.parent_source_snap(
            PARENT, 'snapshot-s1', [PARENT_SNAP]))

    def test_parent_of_volume_is_its_backup_snapshot(self):
        self.assertEqual(PARENT_SNAP, rbd_chain.parent_source_snap(
            PARENT, None, ['snapshot-s1', PARENT_SNAP]))

    def test_parent_backup_snapshot_pruned(self):
        self.assertIsNone(rbd_chain.parent_source_snap(
            PARENT, None, ['snapshot-s1']))


class PlanTestCase(testtools.TestCase):

    def test_plan_without_parent_is_full_without_reason(self):
        plan = rbd_chain.plan(None, None, None, None)
        self.assertEqual((rbd_chain.FULL, None), (plan.mode, plan.reason))

    def test_plan_differential_when_both_points_exist(self):
        plan = rbd_chain.plan(PARENT, 'snapshot-s1', 'base', [PARENT_SNAP])
        self.assertEqual(
            (rbd_chain.DIFFERENTIAL, 'snapshot-s1', 'base', PARENT_SNAP,
             None, None), tuple(plan))

    def test_plan_full_when_source_point_gone(self):
        plan = rbd_chain.plan(PARENT, None, 'base', [PARENT_SNAP])
        self.assertEqual((rbd_chain.FULL, rbd_chain.SOURCE_POINT_GONE),
                         (plan.mode, plan.code))
        self.assertIn('no longer holds the data of parent backup %s'
                      % PARENT, plan.reason)

    def test_plan_full_when_parent_image_missing(self):
        plan = rbd_chain.plan(PARENT, 'snapshot-s1', 'base', None)
        self.assertEqual((rbd_chain.FULL, rbd_chain.PARENT_IMAGE_GONE),
                         (plan.mode, plan.code))
        self.assertIn('base image base', plan.reason)

    def test_plan_full_when_parent_has_no_restore_point(self):
        # A full copy by Cinder's own driver (legacy ".backup.base").
        plan = rbd_chain.plan(PARENT, 'snapshot-s1', 'base', ['other'])
        self.assertEqual((rbd_chain.FULL, rbd_chain.NO_RESTORE_POINT),
                         (plan.mode, plan.code))
        self.assertIn('no restore point on base', plan.reason)


class ServiceMetadataTestCase(testtools.TestCase):

    def test_service_metadata_keeps_cinder_base(self):
        meta = json.loads(rbd_chain.service_metadata(
            'volume-v.backup.b', rbd_chain.DIFFERENTIAL, 4096))
        self.assertEqual('volume-v.backup.b', meta['base'])
        self.assertEqual({'mode': 'differential', 'bytes': 4096},
                         meta['snapext'])

    def test_service_metadata_names_fallback(self):
        meta = json.loads(rbd_chain.service_metadata(
            'b', rbd_chain.FULL, 10, rbd_chain.CLONE_FAILED))
        self.assertEqual({'mode': 'full', 'bytes': 10,
                          'fallback': 'clone-failed'}, meta['snapext'])

    def test_service_metadata_fits_cinder_column(self):
        # backups.service_metadata is VARCHAR(255): longer fails the save.
        base = 'volume-%s.backup.%s' % (PARENT, OTHER)
        longest = max((rbd_chain.SOURCE_POINT_GONE,
                       rbd_chain.PARENT_IMAGE_GONE,
                       rbd_chain.NO_RESTORE_POINT, rbd_chain.CLONE_FAILED),
                      key=len)
        meta = rbd_chain.service_metadata(base, rbd_chain.DIFFERENTIAL,
                                          2 ** 64, longest)
        self.assertLessEqual(len(meta), 255)


class MadeByUsTestCase(testtools.TestCase):

    def test_our_service_metadata(self):
        self.assertTrue(rbd_chain.made_by_us(rbd_chain.service_metadata(
            'volume-v.backup.b', rbd_chain.FULL, 0)))

    def test_cinders_service_metadata_or_none(self):
        for value in ('{"base": "volume-v.backup.base"}', None, '',
                      'not json'):
            self.assertFalse(rbd_chain.made_by_us(value), value)
