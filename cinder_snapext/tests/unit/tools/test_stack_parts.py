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

"""The optional parts of tools/stack.sh, run in bash without a stack."""

import configparser
import glob
import os
import re
import subprocess

import fixtures
import testtools

from cinder_snapext.tests.integration import test_stack_backup_chain_posix

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
LIB = os.path.join(REPO, 'tools', 'stack', 'lib')

# What `cinder service-list --binary cinder-backup` printed on the stack.
SERVICE_LIST = """\
+---------------+----------+-------+---------+-------+----------------------------+
| Binary        | Host     | Zone  | Status  | State | Updated_at                 |
+---------------+----------+-------+---------+-------+----------------------------+
| cinder-backup | ci       | nova  | enabled | up    | 2026-11-22T11:27:24.322195 |
| cinder-backup | ci-posix | posix | enabled | %-5s | 2026-11-22T11:27:24.256964 |
+---------------+----------+-------+---------+-------+----------------------------+
"""  # noqa: E501


def documented_hooks():
    """The hook kinds the comment block of tools/stack.sh names."""
    with open(os.path.join(REPO, 'tools', 'stack.sh')) as f:
        return set(re.findall(r'^#\s+hook_([a-z_]+?)_\*', f.read(), re.M))


def stack_bash(state, script, libs, **env):
    """Run script after sourcing common.sh and LIBS as tools/stack.sh does."""
    prelude = '''
set -eu -o pipefail
REPO=%(repo)s STATE=%(state)s
SLOT=0 OFFSET=0 API_PORT=8776 HOST_NAME=ci DEADLINE=2
VENV=$STATE/venv RUN=$STATE/run LOGS=$STATE/logs
CINDER_CONF=$STATE/cinder.conf VENV_CHANGED=
. %(lib)s/common.sh
''' % {'repo': REPO, 'state': state, 'lib': LIB}
    prelude += ''.join('. %s/%s.sh\n' % (LIB, lib) for lib in libs)
    full_env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
                'BACKUP': 'ceph'}
    full_env.update(env)
    return subprocess.run(['bash', '-c', prelude + script],
                          env=full_env, capture_output=True, text=True,
                          timeout=60)


class StackPartsTestCase(testtools.TestCase):
    """Each part's hooks, and the posix cinder-backup part's own logic."""

    def setUp(self):
        super().setUp()
        self.state = self.useFixture(fixtures.TempDir()).path
        for sub in ('run', 'logs'):
            os.makedirs(os.path.join(self.state, sub))

    def bash(self, script, **env):
        return stack_bash(self.state, script,
                          ('cinder_conf', 'cinder', 'part-posix-backup'),
                          **env)

    def test_every_part_defines_only_documented_hooks(self):
        kinds = documented_hooks()
        self.assertIn('ready', kinds)
        parts = sorted(glob.glob(os.path.join(LIB, 'part-*.sh')))
        self.assertIn(os.path.join(LIB, 'part-posix-backup.sh'), parts)
        for path in parts:
            part = os.path.basename(path)[len('part-'):-len('.sh')]
            with open(path) as f:
                hooks = re.findall(r'^(hook_[a-z_]+)\(\)', f.read(), re.M)
            self.assertNotEqual([], hooks, path)
            suffix = part.replace('-', '_')
            for hook in hooks:
                kind = hook[len('hook_'):-len('_' + suffix)]
                self.assertTrue(hook.endswith('_' + suffix), hook)
                self.assertIn(kind, kinds, '%s in %s' % (hook, path))

    def test_parts_are_bash_clean(self):
        for path in [os.path.join(REPO, 'tools', 'stack.sh')] + glob.glob(
                os.path.join(LIB, '*.sh')):
            proc = subprocess.run(['bash', '-n', path], capture_output=True,
                                  text=True)
            self.assertEqual(0, proc.returncode, proc.stderr)

    def _launched(self, threading, service, *args):
        conf = os.path.join(self.state, 'cinder.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nosapi_volume_listen_port = 8786\n')
        proc = self.bash('launch() { printf "%%s|" "$@"; }; '
                         'launch_cinder rec %s "$CINDER_CONF" %s'
                         % (service, ' '.join(args)), THREADING=threading)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return proc.stdout.rstrip('|').split('|')

    def test_launch_on_eventlet_runs_the_command(self):
        conf = os.path.join(self.state, 'cinder.conf')
        self.assertEqual(
            ['rec', os.path.join(self.state, 'venv', 'bin', 'cinder-volume'),
             '--config-file', conf, '--log-file', '/l'],
            self._launched('0', 'volume', '--log-file', '/l'))

    def test_launch_threading_sets_the_variable(self):
        launched = self._launched('1', 'backup')
        self.assertEqual(['rec', 'env',
                          'OS_CINDER_DISABLE_EVENTLET_PATCHING=true'],
                         launched[:3])
        self.assertTrue(launched[3].endswith('/bin/cinder-backup'))

    def test_launch_threading_serves_the_api_with_gunicorn(self):
        conf = os.path.join(self.state, 'cinder.conf')
        launched = self._launched('1', 'api', '--log-file', '/l')
        self.assertIn('OS_CINDER_DISABLE_EVENTLET_PATCHING=true', launched)
        self.assertIn('SNAPEXT_CINDER_API_ARGS=--config-file %s '
                      '--log-file /l' % conf, launched)
        self.assertIn('127.0.0.1:8786', launched)
        self.assertIn('--no-control-socket', launched)
        self.assertEqual('cinder_wsgi:application', launched[-1])

    def test_launch_threading_names_the_api_log_after_the_record(self):
        conf = os.path.join(self.state, 'cinder.conf')
        self.assertIn('SNAPEXT_CINDER_API_ARGS=--config-file %s --log-file '
                      '%s/logs/rec.log' % (conf, self.state),
                      self._launched('1', 'api'))

    def test_override_names_host_zone_driver_and_path(self):
        proc = self.bash('hook_up_posix_backup; echo ceph >"$STATE/backup"')
        self.assertEqual(0, proc.returncode, proc.stderr)
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(os.path.join(self.state, 'posix-backup',
                               'cinder-backup.conf'))
        self.assertEqual(
            {'host': 'ci-posix', 'storage_availability_zone': 'posix',
             'backup_driver': 'cinder.backup.drivers.posix.'
                              'PosixBackupDriver',
             'backup_posix_path': os.path.join(self.state, 'posix-backup',
                                               'backups'),
             'backup_file_size': '67108864'},
            dict(conf['DEFAULT']))
        # What the integration test reads back.
        self.assertEqual(
            ('posix', os.path.join(self.state, 'posix-backup', 'backups')),
            test_stack_backup_chain_posix.posix_service(self.state))

    def test_switch_is_checked_and_remembered(self):
        proc = self.bash('true', POSIX_BACKUP='yes')
        self.assertEqual(2, proc.returncode)
        self.assertIn('POSIX_BACKUP=yes', proc.stderr)

        proc = self.bash('hook_up_posix_backup', POSIX_BACKUP='0')
        self.assertEqual(0, proc.returncode, proc.stderr)
        proc = self.bash('echo "$POSIX_BACKUP"')
        self.assertEqual('0', proc.stdout.strip())
        self.assertFalse(os.path.exists(os.path.join(
            self.state, 'posix-backup', 'cinder-backup.conf')))
        with open(os.path.join(self.state, 'backup'), 'w') as f:
            f.write('ceph\n')
        self.assertIsNone(
            test_stack_backup_chain_posix.posix_service(self.state))

        proc = self.bash('hook_up_posix_backup', POSIX_BACKUP='1')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual('1', self.bash('echo "$POSIX_BACKUP"').stdout.strip())

    def test_off_with_posix_main_backup(self):
        proc = self.bash('posix_backup_on && echo on || echo off',
                         BACKUP='posix')
        self.assertEqual('off', proc.stdout.strip())
        # Nothing to run: the running check passes without the service.
        self.assertEqual(0, self.bash('hook_running_posix_backup',
                                      BACKUP='posix').returncode)
        self.assertNotEqual(0, self.bash('hook_running_posix_backup',
                                         BACKUP='ceph').returncode)

    def test_stamp_follows_both_files(self):
        script = '''
mkdir -p "$POSIX_BACKUP_DIR"
echo "[DEFAULT]" >"$CINDER_CONF"
write_posix_backup_conf "$POSIX_BACKUP_CONF"
posix_backup_stamp
echo "debug = True" >>"$CINDER_CONF"
posix_backup_stamp
echo "# edited" >>"$POSIX_BACKUP_CONF"
posix_backup_stamp
'''
        stamps = self.bash(script).stdout.split()
        self.assertEqual(3, len(stamps))
        self.assertEqual(3, len(set(stamps)))

    def test_listed_only_when_up_in_its_zone(self):
        for state, rc in (('up', 0), ('down', 1)):
            listing = os.path.join(self.state, 'list-%s' % state)
            with open(listing, 'w') as f:
                f.write(SERVICE_LIST % state)
            proc = self.bash('cinder_() { cat %s; }; posix_backup_listed'
                             % listing)
            self.assertEqual(rc, proc.returncode, state)

    def test_ready_needs_a_working_driver_report_after_offset(self):
        log = os.path.join(self.state, 'logs', 'cinder-scheduler.log')
        old = ("DEBUG cinder.scheduler.host_manager Received backup service "
               "update from ci-posix: {'backend_state': True, "
               "'availability_zone': 'posix'}\n")
        with open(log, 'w') as f:
            f.write(old)
        listing = os.path.join(self.state, 'list-up')
        with open(listing, 'w') as f:
            f.write(SERVICE_LIST % 'up')
        check = ('cinder_() { cat %s; }; posix_backup_ready %%d'
                 % listing)
        self.assertEqual(0, self.bash(check % 0).returncode)
        self.assertEqual(1, self.bash(check % len(old)).returncode)
        with open(log, 'a') as f:
            f.write(old.replace('True', 'False'))
        self.assertEqual(1, self.bash(check % len(old)).returncode)

    def test_cluster_watches_the_nfs_member_only_where_it_can_run(self):
        # With NFS=0 there is no cinder-volume-nfs: 'up' died waiting on
        # it as on a member that had died.
        records = ('. %s/part-cluster.sh; hook_cinder_records_cluster'
                   % LIB)
        proc = self.bash(records, CLUSTER='1')
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual(['cinder-volume-2', 'cinder-backup-2'],
                         proc.stdout.split())
        os.makedirs(os.path.join(self.state, 'cluster'))
        with open(os.path.join(self.state, 'cluster', 'volume-nfs.conf'),
                  'w') as f:
            f.write('[DEFAULT]\n')
        self.assertEqual(
            ['cinder-volume-2', 'cinder-volume-nfs', 'cinder-backup-2'],
            self.bash(records, CLUSTER='1').stdout.split())
        self.assertEqual('', self.bash(records, CLUSTER='0').stdout)
