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

"""Volume delete refused while exported snapshots remain on the backend."""

from cinder.api.openstack import wsgi
from cinder import volume as cinder_volume
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging

from cinder_snapext import exception
from cinder_snapext.volume import rpcapi

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class VolumeDeleteGuardController(wsgi.Controller):
    """Checks on ``DELETE /volumes/{id}`` that must run before Cinder's.

    After an export, the volume's snapshots stay on the backend. Deleting
    the volume then fails in some drivers, trashes the image with its
    snapshots in others, and for an encrypted volume Cinder would already
    have deleted the key. Refusing here, first, keeps everything intact.
    """

    def __init__(self):
        super().__init__()
        self.volume_api = cinder_volume.API()
        self.rpcapi = rpcapi.SnapextVolumeAPI()

    @wsgi.extends
    def delete(self, req, id):
        context = req.environ['cinder.context']
        # Not found exception will be handled at the wsgi level
        volume = self.volume_api.get(context, id)
        if (CONF.snapext.refuse_volume_delete_with_exported_snapshots
                and volume.host):
            self._refuse_with_unmanaged_snapshots(context, volume)
        yield

    def _refuse_with_unmanaged_snapshots(self, context, volume):
        try:
            names = self.rpcapi.get_unmanaged_snapshots(context, volume)
        except (exception.VolumeServiceTimeout, messaging.RemoteError) as e:
            # A delete must stay possible while the service or its backend
            # cannot answer: the driver's own VolumeIsBusy check remains the
            # last line.
            LOG.warning('Could not list backend snapshots of volume %s '
                        '(%s); its driver will check on delete.',
                        volume.id, e)
            return
        if names:
            raise exception.VolumeHasUnmanagedSnapshots(
                volume_id=volume.id, snapshots=', '.join(names))
