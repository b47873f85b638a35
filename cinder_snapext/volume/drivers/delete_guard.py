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

"""The drivers' last check before a volume with exported snapshots goes."""

from cinder import exception
from oslo_config import cfg
from oslo_log import log as logging

from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def refuse_with_backend_snapshots(volume, snapshots):
    """VolumeIsBusy while ``snapshots`` (backend names) remain, if asked.

    The API refuses such a delete first; this covers a snapshot exported
    in the meantime and the API's own fallback when the volume service
    could not answer. With ``[snapext]
    refuse_volume_delete_with_exported_snapshots = False`` the driver
    deletes as Cinder's own does.
    """
    if not snapshots:
        return
    if not CONF.snapext.refuse_volume_delete_with_exported_snapshots:
        LOG.warning('Deleting volume %(id)s although %(snaps)s remain on '
                    'its backend ([snapext] refuse_volume_delete_with_'
                    'exported_snapshots = False).',
                    {'id': volume.id, 'snaps': snapshots})
        return
    LOG.error('Not deleting volume %(id)s: %(snaps)s still hold snapshots '
              'of it on its backend.', {'id': volume.id, 'snaps': snapshots})
    raise exception.VolumeIsBusy(volume_name=volume.name)
