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

"""cinder-volume killed with -9 mid manage of an exported snapshot.

The flow and its checks are manage_flow's; the fault is SIGKILL of every
process of cinder-volume, then ``tools/stack.sh start volume``: Cinder's
clean-up at start must find the interrupted manage (its workers row).
"""

from cinder_snapext.tests.faults import manage_flow


class VolumeServiceKilledTest(manage_flow.ManageFaultScenario):
    """kill -9 of cinder-volume while it manages a snapshot."""

    FAULT = 'cinder-volume killed (-9), restarted'
    TAG = 'kv'

    def interrupt(self):
        self.servers.kill9('cinder-volume')
        return self.servers.stack_tool('start', 'volume')
