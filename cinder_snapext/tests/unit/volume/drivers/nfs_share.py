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

"""SnapextNfsDriver on a temporary directory, real qemu-img, Nova doubled.

The share is a local directory at the mount point the driver computes;
only os-brick's mount call is replaced (the kernel here has no NFS
client), and ``mount.nfs``, whose presence the driver checks at setup, is
an empty script when nfs-common is missing. Nova is a mock whose requests
the tests carry out with qemu-img, as libvirt would on a running guest.
"""

import hashlib
import json
import os
import shutil
import subprocess
from unittest import mock

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder import privsep as cinder_privsep
from cinder.tests.unit import utils as test_utils
from cinder.volume import configuration
from cinder.volume.drivers import nfs as cinder_nfs
from cinder.volume.drivers import remotefs
import fixtures

from cinder_snapext.tests.unit import base
from cinder_snapext.volume.drivers import nfs

SHARE = '127.0.0.1:/srv/snapext-nfs'
# (first MiB, MiB count) of what checksum() reads; writes land there.
CHECKED_REGIONS = ((0, 4), (512, 1))


def qemu_img(*args):
    return subprocess.run(('qemu-img',) + args, check=True,
                          capture_output=True, text=True).stdout


def qemu_io_write(path, fmt, pattern, offset_mib, length_mib=1):
    subprocess.run(['qemu-io', '-f', fmt, '-c', 'write -P 0x%02x %dM %dM'
                    % (pattern, offset_mib, length_mib), path],
                   check=True, capture_output=True)


def image_info(path):
    return json.loads(qemu_img('info', '-U', '--output=json', path))


class NfsShareTestCase(base.TestCase):
    """A SnapextNfsDriver set up as cinder-volume sets it up."""

    def setUp(self):
        super().setUp()
        for tool in ('qemu-img', 'qemu-io'):
            if shutil.which(tool) is None:
                self.fail('%s is missing: install qemu-utils (bindep.txt)'
                          % tool)
        self.ctxt = cinder_context.get_admin_context()
        # Tests run as root, as cinder-volume's privsep daemon does: run
        # its functions (qemu-img info's format check) in this process.
        cinder_privsep.sys_admin_pctxt.set_client_mode(False)
        self.addCleanup(cinder_privsep.sys_admin_pctxt.set_client_mode, True)
        tmp = self.useFixture(fixtures.TempDir()).path
        self.mount_base = os.path.join(tmp, 'mnt')
        self.share_dir = os.path.join(
            self.mount_base, hashlib.md5(SHARE.encode()).hexdigest())
        os.makedirs(self.share_dir)
        shares_config = os.path.join(tmp, 'nfs_shares')
        with open(shares_config, 'w') as f:
            f.write(SHARE + '\n')
        self._provide_mount_nfs(tmp)
        for name, value in (('nfs_shares_config', shares_config),
                            ('nfs_mount_point_base', self.mount_base),
                            ('nfs_snapshot_support', True),
                            ('nas_secure_file_operations', 'false'),
                            ('nas_secure_file_permissions', 'false'),
                            ('nfs_sparsed_volumes', True),
                            ('nfs_mount_attempts', 1)):
            self.override_config(name, value, group='backend_defaults')
        config = configuration.Configuration(
            cinder_nfs.nfs_opts + remotefs.nas_opts, config_group='nfs')
        self.nova = mock.Mock(name='nova')
        with mock.patch('cinder.compute.nova.API', return_value=self.nova):
            self.driver = nfs.SnapextNfsDriver(configuration=config)
            # The share is already "mounted": os-brick finds it in
            # /proc/mounts on a real host.
            self.driver._remotefsclient.mount = mock.Mock()
            self.driver.do_setup(self.ctxt)
        self.driver.check_for_setup_error()
        self.driver._ensure_shares_mounted()
        self.driver.set_initialized()

    def _provide_mount_nfs(self, tmp):
        if shutil.which('mount.nfs', path='/sbin:/usr/sbin:' +
                        os.environ.get('PATH', '')):
            return
        bindir = os.path.join(tmp, 'bin')
        os.makedirs(bindir)
        with open(os.path.join(bindir, 'mount.nfs'), 'w') as f:
            f.write('#!/bin/sh\nexit 0\n')
        os.chmod(os.path.join(bindir, 'mount.nfs'), 0o755)
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', bindir + ':' + os.environ.get('PATH', '')))

    # Volumes, snapshots, attachments.

    def create_volume(self, attached=False, size=1):
        volume = test_utils.create_volume(
            self.ctxt, size=size, host='host@nfs#nfs',
            admin_metadata={'format': 'raw'})
        volume.update(self.driver.create_volume(volume))
        volume.save()
        qemu_io_write(self.path(volume.name), 'raw', 0x11, 0)
        qemu_io_write(self.path(volume.name), 'raw', 0x12, 512)
        if attached:
            self.attach(volume)
        return self.reload(volume)

    def attach(self, volume):
        test_utils.attach_volume(
            self.ctxt, volume.id, 'f5b1e4f4-5c4e-4f62-9d2e-8f0b7b3c9a11',
            'compute1', '/dev/vdb')
        attachment = self.reload(volume).volume_attachment[0]
        attachment.connection_info = self.driver.initialize_connection(
            volume, {'host': 'compute1'})
        attachment.save()
        return attachment

    def create_snapshot(self, volume, status='creating'):
        snapshot = test_utils.create_snapshot(self.ctxt, volume.id,
                                              status=status)
        snapshot.volume = self.reload(volume)
        return snapshot

    def reload(self, volume):
        return cinder_objects.Volume.get_by_id(self.ctxt, volume.id)

    # What is on the share.

    def path(self, name):
        return os.path.join(self.share_dir, name)

    def info(self, volume):
        with open(self.path(volume.name + '.info')) as f:
            return json.load(f)

    def chain(self, top):
        """File names from ``top`` down to the base, as qemu-img sees them."""
        names = [top]
        while True:
            backing = image_info(self.path(names[-1])).get('backing-filename')
            if not backing:
                return names
            names.append(backing)

    def checksum(self, name):
        """sha256 of the data that ``name`` presents, its chain included.

        Only the regions the tests write (the first 4 MiB and the MiB at
        512 MiB) are read: hashing whole 1 GiB images made each test slow.
        """
        digest = hashlib.sha256()
        flat = self.path('region.raw')
        fmt = image_info(self.path(name))['format']
        for skip, count in CHECKED_REGIONS:
            qemu_img('dd', '-f', fmt, '-O', 'raw', 'bs=1M',
                     'skip=%d' % skip, 'count=%d' % count,
                     'if=' + self.path(name), 'of=' + flat)
            try:
                with open(flat, 'rb') as f:
                    digest.update(f.read())
            finally:
                os.unlink(flat)
        return digest.hexdigest()

    def files(self):
        return sorted(os.listdir(self.share_dir))

    # Nova, as libvirt would act on a running guest, done offline.

    def nova_create(self, guest_writes=True):
        """Carry out Nova's last create request; the guest then writes."""
        _context, _volume_id, create_info = (
            self.nova.create_volume_snapshot.call_args[0])
        new_file = self.path(create_info['new_file'])
        if guest_writes:
            qemu_io_write(new_file, 'qcow2', 0x21, 1)
        return create_info

    def nova_delete(self):
        """Carry out Nova's last delete request: blockCommit or pull."""
        _context, _snapshot_id, delete_info = (
            self.nova.delete_volume_snapshot.call_args[0])
        merge, target = (delete_info['file_to_merge'],
                         delete_info['merge_target_file'])
        if target is not None:
            child = next(name for name in os.listdir(self.share_dir)
                         if name.startswith('volume-') and
                         not name.endswith('.info') and
                         image_info(self.path(name)).get(
                             'backing-filename') == merge)
            qemu_img('commit', '-f', 'qcow2', '-d', self.path(merge))
            fmt = image_info(self.path(target))['format']
            qemu_img('rebase', '-u', '-f', 'qcow2', '-b', target, '-F', fmt,
                     self.path(child))
        else:
            active = self._nova_active(delete_info['volume_id'])
            if merge is None:
                qemu_img('rebase', '-f', 'qcow2', '-b', '', self.path(active))
            else:
                fmt = image_info(self.path(merge))['format']
                # Safe rebase from the share directory, so that the
                # backing file name stays relative, as Cinder requires.
                subprocess.run(['qemu-img', 'rebase', '-f', 'qcow2', '-b',
                                merge, '-F', fmt, active], check=True,
                               capture_output=True, cwd=self.share_dir)
        return delete_info

    def _nova_active(self, volume_id):
        # Nova knows the file its guest runs on from connection_info.
        volume = cinder_objects.Volume.get_by_id(self.ctxt, volume_id)
        return volume.volume_attachment[0].connection_info['name']
