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

"""What Cinder's service records already say about a volume's service."""

from cinder.common import constants
from cinder import objects as cinder_objects
from cinder.volume import volume_utils

from cinder_snapext import exception


def require_up(context, volume):
    """VolumeServiceDown unless a service of ``volume`` is up and enabled.

    Read from the services table, as Cinder's scheduler and its manage
    API do, so that a synchronous call is never sent to a service whose
    heartbeat is already stale: the caller answers at once instead of
    after the RPC timeout. An up service that stays silent still meets
    that timeout. In a cluster, any up member will do.
    """
    if volume.cluster_name:
        where = {'cluster_name': volume_utils.extract_host(
            volume.cluster_name, 'backend')}
    else:
        where = {'host': volume_utils.extract_host(volume.host, 'backend')}
    services = cinder_objects.ServiceList.get_all(
        context.elevated(), filters=dict(where,
                                         binary=constants.VOLUME_BINARY))
    if not any(service.is_up and not _disabled(service)
               for service in services):
        raise exception.VolumeServiceDown(
            host=volume.cluster_name or volume.host)


def _disabled(service):
    # Cinder's rule: a disabled member of an enabled cluster still serves.
    return service.disabled and (not service.cluster_name or
                                 service.cluster.disabled)
