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

"""RabbitMQ killed with -9 mid manage of an exported snapshot.

The flow and its checks are manage_flow's; the broker dies while
cinder-volume manages the reference, and ``tools/stack.sh up`` starts it
again. The manage must end without it, and the volume from the managed
snapshot afterwards proves that every service found the broker again.
"""

from cinder_snapext.tests.faults import manage_flow


class RabbitRestartedManageTest(manage_flow.ManageFaultScenario):
    """RabbitMQ down and back while cinder-volume manages a snapshot."""

    FAULT = 'RabbitMQ killed (-9), started again'
    TAG = 'rm'

    def interrupt(self):
        self.servers.kill9('rabbitmq')
        return self.servers.stack_tool('up')
