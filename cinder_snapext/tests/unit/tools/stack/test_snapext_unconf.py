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

"""tools/stack/snapext_unconf.py against the install guide it follows."""

import importlib.util
import os
import re

import fixtures
import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..', '..'))
_spec = importlib.util.spec_from_file_location(
    'snapext_unconf', os.path.join(REPO, 'tools', 'stack',
                                   'snapext_unconf.py'))
unconf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(unconf)

CONF = """\
[DEFAULT]
# cinder-snapext, as a deployer enables it
osapi_volume_extension = cinder.api.contrib.standard_extensions
osapi_volume_extension = cinder_snapext.api.extension.SnapextExtension
volume_manager = cinder_snapext.volume.manager.SnapextVolumeManager
backup_api_class = cinder_snapext.backup.api.SnapextBackupAPI
host = node1
backup_driver = cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver
backup_manager = cinder_snapext.backup.manager.SnapextBackupManager
backup_ceph_pool = backups

[ceph]
volume_driver = cinder_snapext.volume.drivers.rbd.SnapextRBDDriver
rbd_pool = volumes

[snapext]
refuse_volume_delete_with_exported_snapshots = True

[nfs]
volume_driver = cinder_snapext.volume.drivers.nfs.SnapextNfsDriver
"""

WITHOUT_US = """\
[DEFAULT]
# cinder-snapext, as a deployer enables it
osapi_volume_extension = cinder.api.contrib.standard_extensions
host = node1
backup_driver = cinder.backup.drivers.ceph.CephBackupDriver
backup_ceph_pool = backups

[ceph]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
rbd_pool = volumes

[nfs]
volume_driver = cinder.volume.drivers.nfs.NfsDriver
"""


def _removal_section():
    with open(os.path.join(REPO, 'doc', 'source', 'install',
                           'index.rst')) as f:
        text = f.read()
    start = text.index('Removing it\n-----')
    return text[start:text.index('.. toctree::', start)]


class UnconfigureTestCase(testtools.TestCase):

    def test_a_deployers_conf_when_unconfigured_is_cinders_own(self):
        lines, changes = unconf.unconfigure(CONF.splitlines(True))
        self.assertEqual(WITHOUT_US, ''.join(lines))
        self.assertEqual(8, len(changes), changes)

    def test_a_conf_without_us_when_unconfigured_is_unchanged(self):
        lines, changes = unconf.unconfigure(WITHOUT_US.splitlines(True))
        self.assertEqual(WITHOUT_US, ''.join(lines))
        self.assertEqual([], changes)

    def test_an_unknown_line_of_ours_when_unconfigured_is_refused(self):
        conf = '[DEFAULT]\nscheduler_driver = cinder_snapext.Sched\n'
        error = self.assertRaises(ValueError, unconf.unconfigure,
                                  conf.splitlines(True))
        self.assertIn('line 2', str(error))

    def test_main_when_run_rewrites_the_file_in_place(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'cinder.conf')
        with open(path, 'w') as f:
            f.write(CONF)
        self.assertEqual(0, unconf.main([path]))
        with open(path) as f:
            self.assertEqual(WITHOUT_US, f.read())

    def test_the_install_guide_names_every_rule(self):
        # The script applies the guide; a rule the guide lacks (or the
        # reverse) means the two drifted apart.
        section = _removal_section()
        said = set(re.findall(r'^ +(\w+) = ([\w.]+)$', section, re.M))
        rules = set(unconf.DROP.items()) | {
            (name, stock) for (name, _ours), stock in
            unconf.REPLACE.items()}
        self.assertEqual(rules, said - {
            ('osapi_volume_extension',
             'cinder.api.contrib.standard_extensions')})
        for needed in ('cinder-backup', 'db downgrade base',
                             'pip uninstall'):
            self.assertIn(needed, section)
