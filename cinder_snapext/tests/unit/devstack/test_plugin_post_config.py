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

"""The devstack plugin's stack post-config phase, in bash with stubs."""

import os
import subprocess


from cinder_snapext.tests.unit.devstack.plugin_base import (
    DevstackPluginTestCase)
from cinder_snapext.tests.unit.devstack.plugin_base import (
    SNAPEXT_BACKUP_MANAGER)
from cinder_snapext.tests.unit.devstack.plugin_base import CEPH_BACKUP
from cinder_snapext.tests.unit.devstack.plugin_base import CINDER_CONF
from cinder_snapext.tests.unit.devstack.plugin_base import LVM
from cinder_snapext.tests.unit.devstack.plugin_base import NFS
from cinder_snapext.tests.unit.devstack.plugin_base import QUOBYTE
from cinder_snapext.tests.unit.devstack.plugin_base import RBD
from cinder_snapext.tests.unit.devstack.plugin_base import SNAPEXT_CEPH_BACKUP
from cinder_snapext.tests.unit.devstack.plugin_base import SNAPEXT_LVM
from cinder_snapext.tests.unit.devstack.plugin_base import SNAPEXT_NFS
from cinder_snapext.tests.unit.devstack.plugin_base import SNAPEXT_RBD
from cinder_snapext.tests.unit.devstack.plugin_base import STANDARD
from cinder_snapext.tests.unit.devstack.plugin_base import STUBS


class PostConfigTestCase(DevstackPluginTestCase):
    """stack post-config: cinder.conf and our db sync."""

    def test_post_config_adds_extension_after_standard(self):
        self._run('stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_adds_standard_when_option_absent(self):
        self._write('cinder.conf', CINDER_CONF.replace(
            'osapi_volume_extension = %s\n' % STANDARD, ''))

        self._run('stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_twice_adds_no_duplicates(self):
        self._run('stack post-config', 'stack post-config')

        self.assertEqual(
            [STANDARD, 'cinder_snapext.api.extension.SnapextExtension'],
            self._cinder()['DEFAULT']['osapi_volume_extension'])

    def test_post_config_sets_manager_and_backup_api(self):
        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual(
            ['cinder_snapext.volume.manager.SnapextVolumeManager'],
            default['volume_manager'])
        self.assertEqual(['cinder_snapext.backup.api.SnapextBackupAPI'],
                         default['backup_api_class'])

    def test_post_config_skips_backup_api_when_disabled(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_ENABLE_BACKUP_API='False')

        self.assertNotIn('backup_api_class', self._cinder()['DEFAULT'])

    def test_post_config_swaps_only_rbd_lvm_and_nfs_drivers(self):
        self._run('stack post-config')

        conf = self._cinder()
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([SNAPEXT_LVM], conf['lvmdriver-1']['volume_driver'])
        self.assertEqual([SNAPEXT_NFS], conf['nfs']['volume_driver'])
        # Another RemoteFS driver, which cinder-snapext does not subclass.
        self.assertEqual([QUOBYTE], conf['quobyte']['volume_driver'])
        self.assertEqual(['volumes'], conf['ceph']['rbd_pool'])
        self.assertEqual(['/etc/cinder/nfs-shares-nfs.conf'],
                         conf['nfs']['nfs_shares_config'])

    def test_post_config_keeps_drivers_when_swap_disabled(self):
        self._run('stack post-config', CINDER_SNAPEXT_SWAP_DRIVERS='False')

        conf = self._cinder()
        self.assertEqual([RBD], conf['ceph']['volume_driver'])
        self.assertEqual([LVM], conf['lvmdriver-1']['volume_driver'])
        self.assertEqual([NFS], conf['nfs']['volume_driver'])

    def test_post_config_keeps_nfs_driver_when_nfs_swap_disabled(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_SWAP_NFS_DRIVER='False')

        conf = self._cinder()
        self.assertEqual([NFS], conf['nfs']['volume_driver'])
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([SNAPEXT_LVM], conf['lvmdriver-1']['volume_driver'])

    def test_post_config_keeps_driver_of_backend_not_enabled(self):
        # A section devstack wrote but CINDER_ENABLED_BACKENDS left out.
        self._run('stack post-config',
                  CINDER_ENABLED_BACKENDS='ceph:ceph')

        conf = self._cinder()
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])
        self.assertEqual([NFS], conf['nfs']['volume_driver'])

    def test_post_config_keeps_drivers_without_c_vol(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='mysql,c-api,c-sch,tempest')

        self.assertEqual([RBD], self._cinder()['ceph']['volume_driver'])

    def test_post_config_swaps_ceph_backup_driver_and_manager(self):
        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])
        self.assertEqual(['backups'], default['backup_ceph_pool'])

    def test_post_config_swaps_ceph_backup_module_path(self):
        # The form older devstack and guides wrote.
        self._edit_cinder_conf('backup_driver = %s' % CEPH_BACKUP,
                               'backup_driver = cinder.backup.drivers.ceph')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_replaces_cinder_default_backup_manager(self):
        self._edit_cinder_conf(
            'backup_ceph_pool', 'backup_manager = '
            'cinder.backup.manager.BackupManager\nbackup_ceph_pool')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_keeps_other_backup_drivers(self):
        for driver in ('cinder.backup.drivers.swift.SwiftBackupDriver',
                       'cinder.backup.drivers.posix.PosixBackupDriver',
                       'cinder.backup.drivers.nfs.NFSBackupDriver'):
            self._write('cinder.conf', CINDER_CONF.replace(
                CEPH_BACKUP, driver))

            self._run('stack post-config')

            default = self._cinder()['DEFAULT']
            self.assertEqual([driver], default['backup_driver'])
            self.assertNotIn('backup_manager', default, driver)

    def test_post_config_adds_no_backup_driver_where_none_is_set(self):
        # Cinder's default backup driver (Swift) is not Ceph's.
        self._edit_cinder_conf('backup_driver = %s\n' % CEPH_BACKUP, '')

        self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertNotIn('backup_driver', default)
        self.assertNotIn('backup_manager', default)

    def test_post_config_keeps_ceph_backup_with_another_manager(self):
        self._edit_cinder_conf(
            'backup_ceph_pool',
            'backup_manager = vendor.backup.Manager\nbackup_ceph_pool')

        out = self._run('stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([CEPH_BACKUP], default['backup_driver'])
        self.assertEqual(['vendor.backup.Manager'], default['backup_manager'])
        self.assertIn('warn: backup_manager vendor.backup.Manager: Ceph '
                      'backup driver kept', out)

    def test_post_config_keeps_backup_driver_when_toggle_off(self):
        self._run('stack post-config',
                  CINDER_SNAPEXT_SWAP_BACKUP_DRIVER='False')

        conf = self._cinder()
        self.assertEqual([CEPH_BACKUP], conf['DEFAULT']['backup_driver'])
        self.assertNotIn('backup_manager', conf['DEFAULT'])
        # The other switches stay on.
        self.assertEqual([SNAPEXT_RBD], conf['ceph']['volume_driver'])

    def test_post_config_keeps_backup_driver_without_c_bak(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='mysql,c-api,c-sch,c-vol,tempest')

        default = self._cinder()['DEFAULT']
        self.assertEqual([CEPH_BACKUP], default['backup_driver'])
        self.assertNotIn('backup_manager', default)

    def test_post_config_twice_keeps_our_backup_lines(self):
        self._run('stack post-config', 'stack post-config')

        default = self._cinder()['DEFAULT']
        self.assertEqual([SNAPEXT_CEPH_BACKUP], default['backup_driver'])
        self.assertEqual([SNAPEXT_BACKUP_MANAGER], default['backup_manager'])

    def test_post_config_runs_db_sync_with_cinder_conf(self):
        self._run('stack post-config')

        self.assertEqual(
            ['cinder-snapext-manage --config-file %s db sync'
             % self.cinder_conf], self._calls())

    def test_post_config_skips_db_sync_without_database(self):
        self._run('stack post-config',
                  ENABLED_SERVICES='rabbit,c-vol,tempest')

        self.assertEqual([], self._calls())

    def test_post_config_fails_when_db_sync_fails(self):
        self._write(os.path.join('bin', 'cinder-snapext-manage'),
                    '#!/bin/sh\nexit 1\n')

        script = self._write('run.sh', STUBS % {'local_conf': ''})
        result = subprocess.run(['bash', script, 'stack post-config'],
                                env=self.env, capture_output=True,
                                text=True, check=False)

        self.assertNotEqual(0, result.returncode)
        self.assertIn('cinder-snapext-manage db sync failed', result.stderr)
