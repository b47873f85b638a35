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

"""Client side of the 'snapext' RPC namespace served by backup services."""

from cinder.common import constants

from cinder_snapext import rpc_namespace

NAMESPACE = rpc_namespace.NAMESPACE


class SnapextBackupAPI:
    """Client of SnapextBackupEndpoint, beside Cinder's own BackupAPI.

    Its versions are ours, independent of Cinder's backup RPC version and
    of the volume services' snapext namespace.

    API version history:

    .. code-block:: none

        1.0 - verify_backup
    """

    RPC_API_VERSION = '1.0'

    def __init__(self):
        self.client = rpc_namespace.client(constants.BACKUP_TOPIC,
                                           self.RPC_API_VERSION)

    def verify_backup(self, context, backup_id, host):
        """Have the backup service ``host`` verify a backup (a cast).

        Only the service holding the backup is asked: it has the backups
        pool's keyring, and its scrub verifies the same backups.
        """
        cctxt = self.client.prepare(server=host, version='1.0')
        cctxt.cast(context, 'verify_backup', backup_id=backup_id)
