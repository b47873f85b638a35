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

"""tox inline plugin: envs with the same dependencies share one virtualenv.

tox 4 writes the name of the env that set a virtualenv up into its
``.tox-info.json`` and rebuilds the virtualenv when an env of another name
uses it, so ``env_dir`` alone cannot share one (tox FAQ, "re-use of
environments"). Envs of the ``shared-virtualenv`` runner take the recorded
name over before tox compares it; tox's own checks of the Python version,
the dependencies and the package still decide what to install or rebuild.
Only envs that install exactly the same dependencies may share a directory.
"""

import json

from tox.plugin import impl
from tox.tox_env.python.virtual_env import runner


class SharedVirtualEnvRunner(runner.VirtualEnvRunner):
    """A virtualenv runner whose env_dir other envs of this type share."""

    @staticmethod
    def id():
        return 'shared-virtualenv'

    def _setup_env(self):
        info_file = self.env_dir / '.tox-info.json'
        try:
            info = json.loads(info_file.read_text())
        except (OSError, ValueError):
            info = None
        owner = info.get('ToxEnv') if isinstance(info, dict) else None
        if (isinstance(owner, dict)
                and owner.get('type') == type(self).__name__
                and owner.get('name') != self.conf.name):
            owner['name'] = self.conf.name
            info_file.write_text(json.dumps(info, indent=2))
        super()._setup_env()


@impl
def tox_register_tox_env(register):
    register.add_run_env(SharedVirtualEnvRunner)
