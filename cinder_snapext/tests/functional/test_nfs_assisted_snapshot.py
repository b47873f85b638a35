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

"""SnapextNfsDriver behind the real API, on a directory, the test as Nova."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from unittest import mock

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder import privsep as cinder_privsep
# Registers the NFS options that _get_flags sets.
from cinder.volume.drivers import nfs as cinder_nfs  # noqa: F401

from cinder_snapext.tests.functional import test_assisted_snapshot as base
from cinder_snapext.volume.assisted import phases

SHARE = '127.0.0.1:/srv/snapext-nfs'
NFS_DRIVER = 'cinder_snapext.volume.drivers.nfs.SnapextNfsDriver'


class NfsAssistedSnapshotTestCase(base.AssistedSnapshotTestCase):
    """Create and delete of an attached volume's snapshot, end to end.

    Only Nova (its client in Cinder) and os-brick's mount are replaced:
    the share is a directory at the driver's mount point, and qemu-img
    does the file work, the test doing Nova's part with it too.
    """

    def setUp(self):
        for tool in ('qemu-img', 'qemu-io'):
            if shutil.which(tool) is None:
                self.fail('%s is missing: install qemu-utils (bindep.txt)'
                          % tool)
        self.tmp = tempfile.mkdtemp(prefix='snapext-nfs-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.share_dir = os.path.join(self.tmp, 'mnt',
                                      hashlib.md5(SHARE.encode()).hexdigest())
        os.makedirs(self.share_dir)
        self.shares_config = os.path.join(self.tmp, 'nfs_shares')
        with open(self.shares_config, 'w') as f:
            f.write(SHARE + '\n')
        self._provide_mount_nfs()
        self.nova = mock.Mock(name='nova')
        for target, value in (('cinder.compute.nova.API',
                               mock.Mock(return_value=self.nova)),
                              ('os_brick.remotefs.remotefs.RemoteFsClient.'
                               'mount', mock.Mock())):
            patcher = mock.patch(target, value)
            patcher.start()
            self.addCleanup(patcher.stop)
        # The volume service runs in this process, as root: run its privsep
        # functions here rather than in a daemon.
        cinder_privsep.sys_admin_pctxt.set_client_mode(False)
        self.addCleanup(cinder_privsep.sys_admin_pctxt.set_client_mode, True)
        super().setUp()

    def _provide_mount_nfs(self):
        # Cinder's driver only checks that mount.nfs exists.
        if shutil.which('mount.nfs', path='/sbin:/usr/sbin:' +
                        os.environ.get('PATH', '')):
            return
        bindir = os.path.join(self.tmp, 'bin')
        os.makedirs(bindir)
        with open(os.path.join(bindir, 'mount.nfs'), 'w') as f:
            f.write('#!/bin/sh\nexit 0\n')
        os.chmod(os.path.join(bindir, 'mount.nfs'), 0o755)
        patcher = mock.patch.dict(os.environ, {
            'PATH': bindir + ':' + os.environ.get('PATH', '')})
        patcher.start()
        self.addCleanup(patcher.stop)

    def _get_flags(self):
        flags = super()._get_flags()
        group = 'backend_defaults'
        for name, value in (('volume_driver', NFS_DRIVER),
                            ('nfs_shares_config', self.shares_config),
                            ('nfs_mount_point_base',
                             os.path.join(self.tmp, 'mnt')),
                            ('nfs_snapshot_support', True),
                            ('nas_secure_file_operations', 'false'),
                            ('nas_secure_file_permissions', 'false'),
                            ('nfs_mount_attempts', 1)):
            flags[name] = {'v': value, 'g': group}
        return flags

    def info(self, volume_id):
        with open(os.path.join(self.share_dir,
                               'volume-%s.info' % volume_id)) as f:
            return json.load(f)

    def qemu(self, *args):
        subprocess.run(args, check=True, capture_output=True,
                       cwd=self.share_dir)

    def test_create_then_delete_through_nova_callbacks(self):
        volume = self.create_volume(attached=True)
        base_file = 'volume-%s' % volume['id']
        snapshot = self.snapshot_waiting_for_nova(volume)
        new_file = '%s.%s' % (base_file, snapshot['id'])
        create_info = self.nova.create_volume_snapshot.call_args[0][2]
        self.assertEqual({'type': 'qcow2', 'new_file': new_file,
                          'snapshot_id': snapshot['id']}, create_info)
        self.assertFalse(os.path.exists(os.path.join(
            self.share_dir, base_file + '.info')))

        # Nova: the guest now writes to the new overlay.
        self.qemu('qemu-io', '-f', 'qcow2', '-c', 'write -P 0x5a 0 1M',
                  new_file)
        self.nova_says(snapshot['id'], base.LEGACY['create_done'])
        self.wait_for_status(snapshot['id'], 'available')

        self.assertEqual({'active': new_file, snapshot['id']: new_file},
                         self.info(volume['id']))
        ctxt = cinder_context.get_admin_context()
        row = cinder_objects.Volume.get_by_id(ctxt, volume['id'])
        self.assertEqual('qcow2', row.admin_metadata['format'])
        self.assertEqual(new_file,
                         row.volume_attachment[0].connection_info['name'])

        self.api.delete_snapshot(snapshot['id'])
        self.wait_for_phase(snapshot['id'], phases.DELETE_WAITING)
        delete_info = self.nova.delete_volume_snapshot.call_args[0][2]
        self.assertEqual({'file_to_merge': None, 'merge_target_file': None,
                          'type': 'qcow2', 'volume_id': volume['id']},
                         delete_info)
        # Nova: pull the base into the active overlay (flatten).
        self.qemu('qemu-img', 'rebase', '-f', 'qcow2', '-b', '', new_file)
        self.nova_says(snapshot['id'], base.LEGACY['delete_done'])
        self.wait_for(lambda: self.api.get_snapshot(snapshot['id']),
                      lambda s: s is None)

        self.assertEqual({'active': new_file}, self.info(volume['id']))
        self.assertEqual(sorted([new_file, base_file + '.info']),
                         sorted(os.listdir(self.share_dir)))
