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

"""Server side of the 'snapext' RPC namespace of backup services."""

from cinder import exception as cinder_exception
from cinder import objects
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import importutils

from cinder_snapext.backup import rpcapi
from cinder_snapext.backup import verify
from cinder_snapext.backup import verify_mark
from cinder_snapext import concurrency

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


class SnapextBackupEndpoint:
    """RPC methods of cinder-snapext on a backup service.

    Served next to Cinder's backup manager (``additional_endpoints``), on
    the same ``cinder-backup`` topic and host, without any change to
    Cinder's backup RPC version.
    """

    target = messaging.Target(namespace=rpcapi.NAMESPACE,
                              version=rpcapi.SnapextBackupAPI.RPC_API_VERSION)

    def __init__(self, manager):
        self.manager = manager

    def verify_backup(self, context, backup_id):
        """Verify one backup; the result lands in its metadata.

        A cast: reading the whole volume twice takes far longer than an
        API request may wait.
        """
        try:
            # Marked again from now: the timeout counts from the start,
            # not from a request that waited in the queue.
            verify_mark.start(objects.Backup.get_by_id(context, backup_id))
            # Missing modules make the backup unverifiable, with a reason
            # in its metadata that the operator who asked can read.
            outcome = verify.verify(
                context, backup_id, importutils.try_import('rados'),
                importutils.try_import('rbd'),
                in_flight=CONF.snapext.backup_copy_ops_in_flight,
                run=concurrency.run_blocking, mark_unverifiable=True)
        except (cinder_exception.BackupNotFound,
                cinder_exception.InvalidBackup) as e:
            # Deleted or busy since the API accepted the request.
            LOG.warning('Verify of backup %(id)s not done: %(why)s',
                        {'id': backup_id, 'why': e})
            return
        except Exception:
            LOG.exception('Verifying backup %s failed', backup_id)
            return
        finally:
            verify_mark.finish(context, backup_id)
        LOG.info('Verify: backup %(id)s %(result)s: %(detail)s',
                 {'id': backup_id, 'result': outcome.result,
                  'detail': outcome.detail})
