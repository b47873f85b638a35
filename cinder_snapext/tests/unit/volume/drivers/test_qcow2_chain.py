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

"""Backing files read from qcow2 headers agree with qemu-img, and are held
to Cinder's naming rule."""

import os

from cinder import exception as cinder_exception

from cinder_snapext.tests.unit.volume.drivers import nfs_share
from cinder_snapext.volume.drivers import qcow2_chain


class Qcow2ChainTestCase(nfs_share.NfsShareTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()

    def overlay(self, name, backing, backing_format='raw'):
        nfs_share.qemu_img('create', '-f', 'qcow2', '-F', backing_format,
                           '-b', backing, self.path(name))
        return name

    def test_backing_names_match_qemu_img(self):
        name = self.volume.name
        first = self.overlay(name + '.aaaa', name)
        # Cinder writes relative names; an absolute one under the share's
        # mount point is allowed too.
        second = self.overlay(name + '.tmp-snap-bbbb', self.path(first),
                              'qcow2')
        for overlay in (first, second):
            expected = os.path.basename(
                nfs_share.image_info(self.path(overlay))['backing-filename'])
            self.assertEqual(expected, qcow2_chain.backing_of(
                self.driver, self.volume, overlay))

    def test_chain_walks_from_the_active_file_to_the_base(self):
        name = self.volume.name
        first = self.overlay(name + '.aaaa', name)
        second = self.overlay(name + '.bbbb', first, 'qcow2')
        qcow2_chain.write_info(self.driver, self.volume,
                               {'active': second, 'aaaa': first,
                                'bbbb': second})
        self.assertEqual([(second, first), (first, name), (name, None)],
                         qcow2_chain.chain(self.driver, self.volume))
        self.assertEqual(self.chain(second),
                         [entry[0] for entry in
                          qcow2_chain.chain(self.driver, self.volume)])

    def test_a_file_of_another_volume_is_refused(self):
        other = self.create_volume()
        overlay = self.overlay(self.volume.name + '.cccc', self.path(
            other.name))
        self.assertRaises(cinder_exception.RemoteFSInvalidBackingFile,
                          qcow2_chain.backing_of, self.driver, self.volume,
                          overlay)

    def test_a_path_outside_the_mount_base_is_refused(self):
        outside = os.path.join(os.path.dirname(self.mount_base),
                               self.volume.name)
        nfs_share.qemu_img('create', '-f', 'raw', outside, '1M')
        overlay = self.overlay(self.volume.name + '.dddd', outside)
        self.assertRaises(cinder_exception.RemoteFSInvalidBackingFile,
                          qcow2_chain.backing_of, self.driver, self.volume,
                          overlay)

    def test_raw_base_file_is_never_parsed(self):
        # A guest may write anything into its raw disk, a qcow2 header
        # naming a backing file included.
        decoy = self.overlay('decoy.qcow2', self.volume.name)
        with open(self.path(decoy), 'rb') as f:
            header = f.read(4096)
        with open(self.path(self.volume.name), 'r+b') as f:
            f.write(header)
        self.assertEqual(self.volume.name, qcow2_chain.read_backing_name(
            self.path(self.volume.name)))
        self.assertIsNone(qcow2_chain.backing_of(self.driver, self.volume,
                                                 self.volume.name))

    def test_raw_overlay_name_has_no_backing_file(self):
        name = self.volume.name + '.eeee'
        nfs_share.qemu_img('create', '-f', 'raw', self.path(name), '1M')
        self.assertIsNone(qcow2_chain.backing_of(self.driver, self.volume,
                                                 name))

    def test_a_loop_is_reported_not_followed(self):
        name = self.volume.name
        first = self.overlay(name + '.aaaa', name)
        second = self.overlay(name + '.bbbb', first, 'qcow2')
        # Point the first overlay at the second without qemu-img's checks.
        nfs_share.qemu_img('rebase', '-u', '-F', 'qcow2', '-b', second,
                           self.path(first))
        qcow2_chain.write_info(self.driver, self.volume, {'active': second})
        error = self.assertRaises(cinder_exception.RemoteFSException,
                                  qcow2_chain.chain, self.driver, self.volume)
        self.assertIn('loops at', str(error))
