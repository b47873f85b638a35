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

"""Configuration options of cinder-snapext, all in the [snapext] group."""

from oslo_config import cfg

GROUP = 'snapext'

snapext_opts = [
    cfg.IntOpt(
        'rpc_call_timeout',
        default=30,
        min=1,
        help='Seconds to wait for a volume service to answer a synchronous '
             'snapext RPC call before the request fails with a clear '
             'error instead of hanging.'),
]

cfg.CONF.register_opts(snapext_opts, group=GROUP)


def list_opts():
    """Options for oslo-config-generator (namespace cinder_snapext)."""
    return [(GROUP, snapext_opts)]
