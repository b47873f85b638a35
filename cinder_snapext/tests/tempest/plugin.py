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

"""The ``tempest.test_plugins`` entry point of cinder-snapext."""

import os

from tempest import config
from tempest.test_discover import plugins

from cinder_snapext.tests.tempest import config as snapext_config


class SnapextTempestPlugin(plugins.TempestPlugin):
    """Tests of the behaviours cinder-snapext changes in Cinder's API."""

    def load_tests(self):
        test_dir = os.path.dirname(os.path.abspath(__file__))
        # The top directory holds the cinder_snapext package, so test ids
        # start with cinder_snapext.tests.tempest.
        top = os.path.dirname(os.path.dirname(os.path.dirname(test_dir)))
        return test_dir, top

    def register_opts(self, conf):
        config.register_opt_group(conf, snapext_config.snapext_group,
                                  snapext_config.snapext_opts)

    def get_opt_lists(self):
        return [(snapext_config.snapext_group.name,
                 snapext_config.snapext_opts)]
