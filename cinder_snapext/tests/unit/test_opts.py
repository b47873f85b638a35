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

"""Configuration options: the [snapext] group and the config generator."""

import importlib.metadata
import os
import subprocess
import sys

from oslo_config import cfg

from cinder_snapext import opts
from cinder_snapext.tests.unit import base



def _venv_script(name):
    """A console script installed beside the running interpreter."""
    return os.path.join(os.path.dirname(sys.executable), name)


class OptsTestCase(base.TestCase):

    def test_options_registered_in_snapext_group(self):
        for opt in opts.snapext_opts:
            self.assertEqual(opt.default,
                             getattr(cfg.CONF.snapext, opt.dest))

    def test_entry_point_lists_our_group(self):
        points = importlib.metadata.entry_points(
            group='oslo.config.opts', name='cinder_snapext')
        self.assertEqual([('snapext', opts.snapext_opts)],
                         list(points)[0].load()())

    def test_config_generator_prints_snapext_section(self):
        output = subprocess.run(
            [_venv_script('oslo-config-generator'),
             '--namespace', 'cinder_snapext'],
            check=True, capture_output=True, text=True).stdout
        self.assertIn('[snapext]', output)
        self.assertIn('#rpc_call_timeout = 30', output)
