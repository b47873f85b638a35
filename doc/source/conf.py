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

"""Sphinx configuration of the cinder-snapext documentation."""

extensions = [
    'openstackdocstheme',
    # show-options and show-policy: the configuration reference comes from
    # the code, through the oslo.config.opts and oslo.policy.policies
    # entry points of setup.cfg.
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    # autoprogram-cliff: the CLI reference comes from the commands of the
    # openstack CLI plugin (entry point group openstack.volume_snapext.v3).
    'cliff.sphinxext',
]

# openstackdocstheme: the project name and version come from pbr.
openstackdocs_repo_name = 'openstack/cinder-snapext'
openstackdocs_bug_project = 'cinder-snapext'
openstackdocs_bug_tag = 'doc'
openstackdocs_auto_name = False
project = 'cinder-snapext'
copyright = '2026, cinder-snapext developers'

master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
html_theme = 'openstackdocs'
