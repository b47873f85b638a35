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


"""Tests of skipping os-brick's connector properties for in-place reads."""

import ast
import inspect
import textwrap
import threading

from cinder.backup import manager as cinder_manager
from cinder.volume import volume_utils

from cinder_snapext.internals import connector
from cinder_snapext.tests.unit import base


class ContinueBackupContractTestCase(base.TestCase):
    """What the skip relies on in Cinder's continue_backup."""

    def test_properties_go_only_to_the_hooks_we_answer(self):
        tree = ast.parse(textwrap.dedent(inspect.getsource(
            cinder_manager.BackupManager.continue_backup)))
        gathered, used_by = 0, []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (isinstance(func, ast.Attribute)
                    and func.attr == 'brick_get_connector_properties'
                    and isinstance(func.value, ast.Name)
                    and func.value.id == 'volume_utils'):
                gathered += 1
            if any(isinstance(arg, ast.Name) and arg.id == 'properties'
                   for arg in node.args + [k.value for k in node.keywords]):
                used_by.append(getattr(func, 'attr', None))
        # Looked up on the module at call time, so the wrapper is seen.
        self.assertEqual(1, gathered)
        self.assertEqual(['_attach_device', '_detach_device'],
                         sorted(used_by))


class InPlaceConnectorTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.calls = []

        def gather(multipath=False, enforce_multipath=False):
            self.calls.append((multipath, enforce_multipath))
            return {'initiator': 'iqn.test', 'multipath': multipath}

        # os-brick runs commands on the host: the process boundary.
        self.mock_object(volume_utils, 'brick_get_connector_properties',
                         gather)
        connector.install()

    def test_other_callers_get_os_bricks_answer(self):
        self.assertEqual(
            {'initiator': 'iqn.test', 'multipath': True},
            volume_utils.brick_get_connector_properties(
                True, enforce_multipath=False))
        self.assertEqual([(True, False)], self.calls)

    def test_in_place_gathers_nothing(self):
        with connector.in_place():
            self.assertEqual(
                {}, volume_utils.brick_get_connector_properties(False))
        self.assertEqual([], self.calls)
        # Only within: the next attach gets real properties.
        self.assertEqual('iqn.test', volume_utils.
                         brick_get_connector_properties()['initiator'])

    def test_in_place_ends_with_an_error(self):
        def failing_backup():
            with connector.in_place():
                raise ValueError('backup failed')

        self.assertRaises(ValueError, failing_backup)
        volume_utils.brick_get_connector_properties()
        self.assertEqual(1, len(self.calls))

    def test_another_thread_is_not_in_place(self):
        seen = []
        with connector.in_place():
            worker = threading.Thread(target=lambda: seen.append(
                volume_utils.brick_get_connector_properties()))
            worker.start()
            worker.join(10)
        self.assertFalse(worker.is_alive())
        self.assertEqual('iqn.test', seen[0]['initiator'])

    def test_install_twice_wraps_once(self):
        wrapped = volume_utils.brick_get_connector_properties
        connector.install()
        self.assertIs(wrapped, volume_utils.brick_get_connector_properties)
        with connector.in_place():
            volume_utils.brick_get_connector_properties()
        self.assertEqual([], self.calls)

