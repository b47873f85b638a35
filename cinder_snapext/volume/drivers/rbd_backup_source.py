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

"""Where an RBD snapshot lives, for a backup service that reads it itself."""

import json
import time

from cinder import exception

from cinder_snapext.objects import rbd_snapshot_location

# Seconds the monitors get to answer; the driver is already connected.
MON_COMMAND_TIMEOUT = 30
# Seconds a monitor list is handed out again without asking. Monitors move
# only by an operator's hand, and the backup service's librados needs one
# listed monitor to answer: it learns the current monmap from it. Asking
# costs a connection and a monitor command, a tenth of a second of every
# backup of a snapshot.
MONITORS_MAX_AGE = 300


def monitors(cluster):
    """(host, port) of each monitor, from the connected cluster's monmap.

    Asked through the driver's own librados connection: Cinder's driver
    runs the ``ceph`` command for this on every attach, a new process that
    costs half a second on a busy host.
    """
    ret, out, err = cluster.mon_command(
        json.dumps({'prefix': 'mon dump', 'format': 'json'}), b'',
        timeout=MON_COMMAND_TIMEOUT)
    if ret:
        raise exception.VolumeBackendAPIException(
            data='mon dump failed (%s): %s' % (ret, err))
    found = []
    for mon in json.loads(out)['mons']:
        # 'addr' is the legacy address, 'host:port/nonce', which is what
        # os-brick and the backup service's librados take.
        host_port = mon['addr'].rsplit('/', 1)[0]
        host, port = host_port.rsplit(':', 1)
        found.append((host.strip('[]'), port))
    return found


class MonitorCache:
    """A backend's monitors, asked again once they are MONITORS_MAX_AGE old."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._mons = None
        self._asked_at = None

    def get(self, connect):
        """The monitors; connect() gives a connected client when asking.

        Two backups starting at once may both ask: harmless, the answer
        is the same.
        """
        now = self._clock()
        if self._mons is None or now - self._asked_at >= MONITORS_MAX_AGE:
            with connect() as client:
                self._mons = monitors(client.cluster)
            self._asked_at = now
        return self._mons


def snapshot_source(pool, image, snapshot, cluster_name, user, mons):
    """What a backup service needs to open the snapshot through librbd.

    The same facts Cinder's RBD driver gives os-brick for an attach, plus
    the snapshot's name; the backup service reads the cluster's keyring
    for ``user`` from its own ``/etc/ceph``, as os-brick does.
    """
    return rbd_snapshot_location.to_wire(
        rbd_snapshot_location.RBDSnapshotLocation(
            pool=pool, image=image, snapshot=snapshot,
            cluster_name=cluster_name, user=user,
            hosts=[host for host, _ in mons],
            ports=[port for _, port in mons]))
