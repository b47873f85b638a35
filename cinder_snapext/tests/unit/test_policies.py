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

"""Policy rules: registration into Cinder's enforcer, defaults, generator."""

import importlib.metadata
import os
import subprocess
import sys

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder import policy as cinder_policy
from cinder.tests.unit import fake_constants as fake

from cinder_snapext import policies
from cinder_snapext.tests.unit import base



def _venv_script(name):
    """A console script installed beside the running interpreter."""
    return os.path.join(os.path.dirname(sys.executable), name)


class PoliciesTestCase(base.TestCase):

    def test_every_rule_is_prefixed_and_documented(self):
        for rule in policies.list_rules():
            self.assertTrue(rule.name.startswith('snapext:'), rule.name)
            self.assertGreater(len(rule.description), 20, rule.name)
            self.assertGreater(len(rule.operations), 0, rule.name)

    def test_register_after_reset_adds_rules_to_new_enforcer(self):
        cinder_policy.reset()
        enforcer = policies.register()
        self.assertIs(cinder_policy._ENFORCER, enforcer)
        for rule in policies.list_rules():
            self.assertIn(rule.name, enforcer.registered_rules)
        self.assertIs(enforcer, policies.register())

    def test_authorize_admin_rule_refuses_member(self):
        member = cinder_context.RequestContext(fake.USER_ID, fake.PROJECT_ID,
                                               roles=['member', 'reader'])
        self.assertRaises(cinder_exception.PolicyNotAuthorized,
                          policies.authorize, member,
                          policies.ADMIN_METADATA_GET)

    def test_authorize_admin_rule_allows_admin(self):
        admin = cinder_context.get_admin_context()
        self.assertTrue(policies.authorize(admin,
                                           policies.ADMIN_METADATA_GET))

    def test_entry_point_lists_our_rules(self):
        points = importlib.metadata.entry_points(
            group='oslo.policy.policies', name='cinder_snapext')
        self.assertEqual(policies.list_rules(),
                         list(points)[0].load()())

    def test_sample_generator_prints_our_rules(self):
        output = subprocess.run(
            [_venv_script('oslopolicy-sample-generator'),
             '--namespace', 'cinder_snapext'],
            check=True, capture_output=True, text=True).stdout
        self.assertIn('"snapext:snapshot_admin_metadata:get": '
                      '"rule:admin_api"', output)
