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

"""Cinder's scheduler, choosing only backup services that are up."""

from cinder.common import constants
from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.scheduler import host_manager
from oslo_log import log as logging

LOG = logging.getLogger(__name__)


def up_backup_hosts(context):
    """Hosts of the backup services Cinder's service records show up."""
    services = cinder_objects.ServiceList.get_all_by_topic(
        context, constants.BACKUP_TOPIC, disabled=False)
    return {service.host for service in services if service.is_up}


class SnapextHostManager(host_manager.HostManager):
    """Set as ``[DEFAULT] scheduler_host_manager`` on cinder-scheduler.

    Cinder 29's scheduler picks the host of a new backup at random among
    every backup service that ever reported its capabilities to it, and
    forgets none: after a backup service dies (and until cinder-scheduler
    restarts) about one new backup in N is sent to the dead one and stays
    ``creating`` (or is failed by a live peer's take-over,
    backup/takeover.py). Before each choice, the services that Cinder's
    own records show down or disabled are dropped from that list; a
    service that comes back is listed again at its next report.
    """

    def get_backup_host(self, volume, availability_zone, driver=None):
        up = up_backup_hosts(cinder_context.get_admin_context())
        for backend in list(self.backup_service_states):
            if backend not in up:
                LOG.info('Backup service %s is down or disabled: no new '
                         'backup goes to it until it reports again.',
                         backend)
                self.backup_service_states.pop(backend, None)
        return super().get_backup_host(volume, availability_zone,
                                       driver=driver)
