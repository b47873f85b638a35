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

"""Client side of the 'snapext' RPC namespace served by volume services."""

from cinder.common import constants
from cinder.volume import volume_utils
from oslo_config import cfg
import oslo_messaging as messaging

from cinder_snapext import exception
from cinder_snapext import rpc_namespace

CONF = cfg.CONF

NAMESPACE = rpc_namespace.NAMESPACE


class SnapextVolumeAPI:
    """Client of SnapextVolumeEndpoint, beside Cinder's own VolumeAPI.

    Its versions are ours and independent of Cinder's RPC_API_VERSION.

    API version history:

    .. code-block:: none

        1.0 - get_capabilities, update_snapshot_admin_metadata,
              check_snapshot_reference, get_snapshot_reference,
              get_unmanaged_snapshots
        1.1 - continue_assisted_snapshot
        1.2 - continue_assisted_snapshot takes the snapshot's id
        1.3 - get_backup_source
        1.4 - sync_snapshot_exports
    """

    RPC_API_VERSION = '1.4'

    def __init__(self):
        self.client = rpc_namespace.client(constants.VOLUME_TOPIC,
                                           self.RPC_API_VERSION)

    def _prepare(self, queue, **kwargs):
        # Same addressing as Cinder's VolumeAPI since 3.6: the topic names
        # the backend (or cluster), the server names the host.
        backend = volume_utils.extract_host(queue)
        return self.client.prepare(
            topic='%s.%s' % (constants.VOLUME_TOPIC, backend),
            server=volume_utils.extract_host(backend, 'host'), **kwargs)

    def get_capabilities(self, context, host):
        """What the snapext endpoint of ``host`` offers, or None.

        None means the service answered but runs Cinder's stock manager:
        callers then keep Cinder's own behaviour instead of failing.
        """
        return self._call(context, host, 'get_capabilities')

    def check_snapshot_reference(self, context, volume, ref):
        """Ask the volume's service whether ``ref`` can be managed.

        :returns: ``{'size': <GiB>}``, or None from a stock service.

        :raises cinder.exception.ManageExistingInvalidReference: the backend
            has no such snapshot of this volume.
        """
        return self._call(context, volume.service_topic_queue,
                          'check_snapshot_reference', volume=volume, ref=ref)

    def get_snapshot_reference(self, context, snapshot):
        """The backend reference of ``snapshot``, or None (stock service)."""
        return self._call(context, snapshot.service_topic_queue,
                          'get_snapshot_reference', snapshot=snapshot)

    def get_backup_source(self, context, snapshot):
        """Where a backup service can read ``snapshot`` itself, or None.

        None from a stock or older (< 1.3) service, or a driver that does
        not say: the backup then takes Cinder's own path.
        """
        return self._call(context, snapshot.service_topic_queue,
                          'get_backup_source', version='1.3',
                          snapshot=snapshot)

    def sync_snapshot_exports(self, context, host, timeout):
        """Have ``host`` record its backend's exports; its counts, or None.

        None from a stock or older (< 1.4) service. ``timeout`` is the
        caller's: one image listing per volume can take longer than an
        API call may wait.
        """
        return self._call(context, host, 'sync_snapshot_exports',
                          version='1.4', timeout=timeout)

    def _call(self, context, queue, method, version='1.0', timeout=None,
              **kwargs):
        # A stock volume service has no snapext endpoint and answers
        # UnsupportedVersion: callers then keep Cinder's own behaviour.
        timeout = timeout or CONF.snapext.rpc_call_timeout
        # Calls ask for the version that brought their method, so that
        # an older service still answers the older ones.
        cctxt = self._prepare(queue, timeout=timeout, version=version)
        try:
            return cctxt.call(context, method, **kwargs)
        except messaging.UnsupportedVersion:
            return None
        except messaging.RemoteError as e:
            if e.exc_type == 'UnsupportedVersion':
                return None
            raise
        except messaging.MessagingTimeout as e:
            raise exception.VolumeServiceTimeout(
                host=queue, method=method, timeout=timeout) from e

    def update_snapshot_admin_metadata(self, context, snapshot, metadata,
                                       delete=False):
        """Ask the snapshot's volume service to set its admin metadata."""
        cctxt = self._prepare(snapshot.service_topic_queue, version='1.0')
        cctxt.cast(context, 'update_snapshot_admin_metadata',
                   snapshot=snapshot, metadata=metadata, delete=delete)

    def continue_assisted_snapshot(self, context, snapshot_id, host):
        """Wake the volume service that waits for the compute service.

        What it reported is already in the snapshot's admin metadata, and
        ``host`` (host@backend) is the service that opened the phase: Nova's
        callback costs no snapshot or volume load in the API this way.
        """
        cctxt = self._prepare(host, version='1.2')
        cctxt.cast(context, 'continue_assisted_snapshot',
                   snapshot_id=snapshot_id)
