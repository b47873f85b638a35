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

"""SnapextBackupManager: reads snapshots in place, restores base backups."""

import time

from cinder.backup.drivers import ceph as cinder_ceph
from cinder.backup import manager as backup_manager
from cinder import context as cinder_context
from oslo_config import cfg
from oslo_log import log as logging
from oslo_service import periodic_task
from oslo_utils import importutils

from cinder_snapext.backup import direct_read
from cinder_snapext.backup import endpoint
from cinder_snapext.backup import rados_connections
from cinder_snapext.backup import scrub
from cinder_snapext.backup import takeover
from cinder_snapext.backup import verify_mark
from cinder_snapext import concurrency
from cinder_snapext import mode_record
from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF

LOG = logging.getLogger(__name__)


def made_by_base_of(driver_class, recorded):
    """True when recorded names a driver class driver_class derives from.

    A driver subclass stores its backups as its base class does, so it can
    restore and delete the base class's backups: those made before the
    deployer switched to the subclass.
    """
    if not recorded or not isinstance(driver_class, type):
        return False
    try:
        base = importutils.import_class(recorded)
    except (ImportError, ValueError, AttributeError):
        return False
    return isinstance(base, type) and issubclass(driver_class, base)


class SnapextBackupManager(direct_read.DirectSnapshotReadMixin,
                           backup_manager.BackupManager):
    """Set as ``[DEFAULT] backup_manager`` on the cinder-backup nodes.

    A backup of an RBD snapshot, with a backup driver that reads RBD,
    skips Cinder's temporary volume and attach (``direct_read``).

    Cinder refuses to restore or delete a backup whose recorded driver name
    is not a prefix of the configured one; with
    ``SnapextCephBackupDriver`` configured, that would strand every
    backup Cinder's ``CephBackupDriver`` made before the switch.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A driver that stores backups exactly as a Cinder driver does says
        # so; its backups are then recorded under that driver's name, so
        # an exported record imports into a deployment running the stock
        # driver, and switching back to it strands nothing.
        self.driver_name = (getattr(self.service, 'snapext_record_as', None)
                            or self.driver_name)
        self.additional_endpoints.append(
            endpoint.SnapextBackupEndpoint(self))

    def init_host(self, *args, **kwargs):
        super().init_host(*args, **kwargs)
        mode_record.record(CONF.state_path, 'cinder-backup')
        # A verify that was running died with the last run of this
        # service: its mark would hold the backup until the timeout.
        verify_mark.clear_host(cinder_context.get_admin_context(), self.host)

    def reset(self):
        super().reset()
        # SIGHUP: the cluster's keys or monitors may have changed with the
        # configuration; the next backups connect again.
        concurrency.run_blocking(rados_connections.CONNECTIONS.close)

    def _is_our_backup(self, backup):
        if super()._is_our_backup(backup):
            return True
        recorded = backup if isinstance(backup, str) else backup.service
        return made_by_base_of(self.service, recorded)

    # oslo.service collects periodic tasks from the body of the class it
    # builds: the scrub's task is declared here, its logic is scrub's.
    @periodic_task.periodic_task(
        spacing=CONF.snapext.backup_scrub_interval)
    def _snapext_scrub_backups(self, context):
        share = CONF.snapext.backup_scrub_share_per_day
        if share <= 0 or not (isinstance(self.service, type) and issubclass(
                self.service, cinder_ceph.CephBackupDriver)):
            return
        now = time.monotonic()
        last = getattr(self, '_snapext_scrub_last', None)
        self._snapext_scrub_last = now
        if last is None:
            # The first run only starts the clock: a restart does not
            # verify a whole interval's share at once.
            self._snapext_scrubber = scrub.Scrubber(
                self.host, importutils.import_module('rados'),
                importutils.import_module('rbd'))
            return
        self._snapext_scrubber.run(context, share, now - last)

    # A backup service that dies leaves its backups creating, restoring or
    # deleting until it starts again, if ever: Cinder's clean-up at start
    # looks at its own host only. Any live service of the zone settles them.
    @periodic_task.periodic_task(
        spacing=CONF.snapext.backup_takeover_interval or 60,
        enabled=CONF.snapext.backup_takeover_interval > 0)
    def _snapext_take_over_backups(self, context):
        takeover.TakeOver(self).run(context)
