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

"""cinder-snapext-status upgrade check on real options and a SQLite DB."""

import os
import subprocess
import sys

from cinder import context as cinder_context
from cinder.db import api as cinder_db_api
from cinder.db import migration as cinder_migration
from cinder.tests.unit import utils as cinder_utils
from cinder.volume import manager as volume_manager
import ddt
import fixtures
from oslo_config import cfg
from oslo_upgradecheck import upgradecheck as uc

from cinder_snapext.cmd import status
from cinder_snapext.db import migration
from cinder_snapext import mode_record
from cinder_snapext.tests.unit import base
from cinder_snapext.tests.unit.cmd import test_manage
from cinder_snapext.volume.assisted import phases

SUCCESS, WARNING, FAILURE = uc.Code.SUCCESS, uc.Code.WARNING, uc.Code.FAILURE
NFS = 'cinder_snapext.volume.drivers.nfs.SnapextNfsDriver'
LVM = 'cinder_snapext.volume.drivers.lvm.SnapextLVMVolumeDriver'


@ddt.ddt
class UpgradeCheckTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        self.proc = self.useFixture(fixtures.TempDir()).path
        self.checks = status.Checks(conf=self.conf, proc=self.proc)
        self.conf([], default_config_files=[])
        self.ctxt = cinder_context.get_admin_context()

    def set(self, **options):
        for name, value in options.items():
            group = None
            if '__' in name:
                group, name = name.split('__')
            self.conf.set_override(name, value, group)

    def test_everything_in_order_passes(self):
        self.set(osapi_volume_extension=[status.STANDARD_EXTENSIONS,
                                         status.EXTENSION],
                 backup_driver=status.BACKUP_DRIVER,
                 backup_manager=status.BACKUP_MANAGER,
                 backup_api_class=status.BACKUP_API)
        self.assertEqual(SUCCESS, self.checks.check())

    def test_schema_behind_fails_and_names_the_command(self):
        migration.db_downgrade('0001', engine=cinder_db_api.get_engine())
        result = self.checks._check_schema()
        self.assertEqual(FAILURE, result.code)
        self.assertIn('at 0001', result.details)
        self.assertIn('cinder-snapext-manage db sync', result.details)
        migration.db_downgrade('base', engine=cinder_db_api.get_engine())
        self.assertIn('tables are missing',
                      self.checks._check_schema().details)

    @ddt.data(([status.EXTENSION], FAILURE),
              ([status.EXTENSION, status.STANDARD_EXTENSIONS], FAILURE),
              ([status.STANDARD_EXTENSIONS], WARNING),
              ([status.STANDARD_EXTENSIONS, 'other.Ext', status.EXTENSION],
               SUCCESS))
    @ddt.unpack
    def test_extensions_standard_first(self, listed, code):
        self.set(osapi_volume_extension=listed)
        self.assertEqual(code, self.checks._check_extensions().code)

    @ddt.data(((status.BACKUP_DRIVER, None, None), FAILURE),
              ((None, status.BACKUP_MANAGER, None), WARNING),
              ((status.BACKUP_DRIVER, status.BACKUP_MANAGER, None), WARNING),
              ((None, None, status.BACKUP_API), SUCCESS),
              ((None, None, None), SUCCESS))
    @ddt.unpack
    def test_backup_classes_set_together(self, classes, code):
        driver, manager, api = classes
        for name, value in (('backup_driver', driver),
                            ('backup_manager', manager),
                            ('backup_api_class', api)):
            if value:
                self.set(**{name: value})
        self.assertEqual(code, self.checks._check_backup_classes().code)

    @ddt.data((None, 'file:///var/lib/cinder', SUCCESS),
              ('ceph-cluster', 'file:///var/lib/cinder', FAILURE),
              ('ceph-cluster', 'etcd3+http://10.0.0.5:2379', SUCCESS))
    @ddt.unpack
    def test_cluster_needs_a_distributed_lock(self, cluster, url, code):
        self.set(cluster=cluster, coordination__backend_url=url)
        self.assertEqual(code, self.checks._check_coordination().code)

    @ddt.data((0, 5, 50, SUCCESS), (27, 5, 50, SUCCESS),
              (55, 5, 50, WARNING), (60, 5, -1, SUCCESS))
    @ddt.unpack
    def test_assisted_workers_below_the_pool(self, workers, pool, overflow,
                                             code):
        self.set(snapext__assisted_snapshot_workers=workers,
                 database__max_pool_size=pool,
                 database__max_overflow=overflow)
        self.assertEqual(code, self.checks._check_assisted_workers().code)

    def _process(self, pid, argv, **environ):
        folder = os.path.join(self.proc, str(pid))
        os.mkdir(folder)
        with open(os.path.join(folder, 'cmdline'), 'wb') as f:
            f.write(b'\0'.join(a.encode() for a in argv) + b'\0')
        with open(os.path.join(folder, 'environ'), 'wb') as f:
            f.write(b'\0'.join(('%s=%s' % item).encode()
                               for item in environ.items()) + b'\0')

    def test_threading_modes_alike_pass_and_are_listed(self):
        on = {'OS_CINDER_DISABLE_EVENTLET_PATCHING': 'true'}
        self._process(10, ['/venv/bin/python3', '/venv/bin/cinder-volume',
                           '--config-file', '/etc/cinder/cinder.conf'], **on)
        self._process(11, ['/venv/bin/cinder-backup'], **on)
        self._process(12, ['/venv/bin/gunicorn',
                           'cinder.wsgi.api:application'], PATH='/usr/bin')
        self._process(13, ['/usr/sbin/rabbitmq-server'], **on)
        result = self.checks._check_threading_modes()
        self.assertEqual(SUCCESS, result.code)
        self.assertEqual('cinder-api: eventlet, cinder-backup: threading, '
                         'cinder-volume: threading', result.details)

    def test_one_kind_in_both_modes_warns(self):
        self._process(10, ['/venv/bin/cinder-volume'],
                      OS_CINDER_DISABLE_EVENTLET_PATCHING='1')
        self._process(11, ['/venv/bin/cinder-volume'], PATH='/usr/bin')
        result = self.checks._check_threading_modes()
        self.assertEqual(WARNING, result.code)
        self.assertIn('cinder-volume: eventlet/threading', result.details)

    def test_environment_hidden_by_a_process_title_is_not_guessed(self):
        # What /proc shows of a service that oslo.service renamed.
        self._process(10, ['cinder-volume: master process '
                           '[/venv/bin/cinder-volume]'])
        self._process(11, ['/venv/bin/cinder-volume'],
                      OS_CINDER_DISABLE_EVENTLET_PATCHING='1')
        result = self.checks._check_threading_modes()
        self.assertEqual(SUCCESS, result.code)
        self.assertEqual('cinder-volume: threading/unreadable',
                         result.details)

    def test_hidden_environment_when_recorded_counts_with_its_mode(self):
        # The launcher (10) and its child (11), both renamed; the child
        # recorded its mode under state_path at init_host.
        self._process(10, ['cinder-volume: master process '
                           '[/venv/bin/cinder-volume]'])
        self._process(11, ['cinder-volume: DriverService worker(0) '
                           '[/venv/bin/cinder-volume]'])
        self._process(12, ['cinder-backup: master process '
                           '[/venv/bin/cinder-backup]'])
        state = self.useFixture(fixtures.TempDir()).path
        self.set(state_path=state)
        folder = os.path.join(state, mode_record.FOLDER)
        os.mkdir(folder)
        with open(os.path.join(folder, '11'), 'w') as f:
            f.write('cinder-volume threading 10\n')
        result = self.checks._check_threading_modes()
        self.assertEqual(SUCCESS, result.code)
        self.assertEqual('cinder-backup: unreadable, '
                         'cinder-volume: threading', result.details)

    def test_a_value_cinder_refuses_fails(self):
        self._process(10, ['/venv/bin/cinder-backup'],
                      OS_CINDER_DISABLE_EVENTLET_PATCHING='sometimes')
        self.assertEqual(FAILURE, self.checks._check_threading_modes().code)

    def test_no_service_here_passes(self):
        self.assertEqual('No Cinder service runs on this host.',
                         self.checks._check_threading_modes().details)

    def _open_phase(self, host):
        volume = cinder_utils.create_volume(self.ctxt, host=host + '#pool',
                                            status='in-use')
        snapshot = cinder_utils.create_snapshot(self.ctxt, volume.id,
                                                status='creating')
        phases.write(self.ctxt, snapshot.id,
                     {phases.PHASE_KEY: phases.CREATE_WAITING,
                      phases.HOST_KEY: host})
        return snapshot

    def _volume_service(self, host):
        cinder_utils.create_service(self.ctxt, {
            'host': host, 'binary': 'cinder-volume',
            'topic': 'cinder-volume'})

    def test_open_phase_on_a_gone_service_fails(self):
        snapshot = self._open_phase('old-node@nfs')
        result = self.checks._check_assisted_phases()
        self.assertEqual(FAILURE, result.code)
        self.assertIn('%s (create_waiting_compute on old-node@nfs)'
                      % snapshot.id, result.details)

    @ddt.data((NFS, SUCCESS), (LVM, FAILURE))
    @ddt.unpack
    def test_open_phase_here_needs_an_assisted_driver(self, driver, code):
        self.set(host='node1', enabled_backends=['nfs'])
        self.conf.register_opts(volume_manager.volume_backend_opts,
                                group='nfs')
        self.set(nfs__volume_driver=driver)
        self._volume_service('node1@nfs')
        self._open_phase('node1@nfs')
        self.assertEqual(code, self.checks._check_assisted_phases().code)

    def test_open_phase_of_another_nodes_live_service_passes(self):
        self.set(host='node1', enabled_backends=['nfs'])
        self._volume_service('node2@nfs')
        self._open_phase('node2@nfs')
        self.assertEqual(SUCCESS, self.checks._check_assisted_phases().code)


class StatusCommandTestCase(test_manage._ManageTestBase):
    """The console script, as an operator runs it before a restart."""

    def status(self):
        command = os.path.join(os.path.dirname(sys.executable),
                               'cinder-snapext-status')
        return subprocess.run([command, '--config-file', self.conf,
                               'upgrade', 'check'], capture_output=True,
                              text=True, timeout=120)

    def test_missing_schema_fails_with_the_command_to_run(self):
        cinder_migration.db_sync(engine=self.engine)
        result = self.status()
        # oslo.upgradecheck's codes: 2 is a failure.
        self.assertEqual(2, result.returncode, result.stderr)
        self.assertIn('cinder-snapext schema', result.stdout)
        self.assertIn('tables are missing', result.stdout)
        self.assertEqual(0, self.manage('db', 'sync').returncode)
        self.assertNotIn('tables are missing', self.status().stdout)
