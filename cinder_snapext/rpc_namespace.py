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

"""The 'snapext' RPC namespace: its name and how its clients are made."""

from cinder.objects import base as objects_base
from cinder import rpc
import oslo_messaging as messaging

# Served next to Cinder's managers (additional_endpoints) by volume and
# backup services; each service kind keeps its own version history.
NAMESPACE = 'snapext'


def client(topic, version):
    """An RPC client of the namespace on topic, capped at version."""
    target = messaging.Target(topic=topic, namespace=NAMESPACE,
                              version=version)
    return rpc.get_client(target, version_cap=version,
                          serializer=objects_base.CinderObjectSerializer())
