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

"""An RBD snapshot handed to the backup driver in place of a device."""

from cinder_snapext.objects import rbd_snapshot_location

# The keyring os-brick reads for an RBD attach; the backup host needs the
# same file for the direct read as for Cinder's own path.
KEYRING = '/etc/ceph/%(cluster)s.client.%(user)s.keyring'


class RBDSnapshotSource:
    """A Cinder snapshot's RBD snapshot, read by the backup driver itself.

    Stands where Cinder puts the attached device (``attach_info['device']
    ['path']``): a backup driver that reads RBD (``snapext_reads_rbd_
    snapshots``) connects to the volumes' cluster with these facts; nothing
    is attached, exported or cloned.
    """

    def __init__(self, wire):
        location = rbd_snapshot_location.from_wire(wire)
        self.rbd_pool = location.pool
        self.rbd_user = location.user
        self.snapext_image = location.image
        self.snapext_snapshot = location.snapshot
        self.snapext_cluster = location.cluster_name or 'ceph'
        # The snapshot's volume as the backup manager loaded it, if given.
        self.snapext_volume = None
        self.snapext_mon_host = ','.join(
            '[%s]:%s' % (host, port) if ':' in host else '%s:%s' % (host,
                                                                    port)
            for host, port in zip(location.hosts, location.ports))

    def rados_args(self):
        """Keyword arguments of rados.Rados for the volumes' cluster."""
        return {'rados_id': self.rbd_user, 'clustername': self.snapext_cluster,
                'conf': {'mon_host': self.snapext_mon_host,
                         'keyring': KEYRING % {'cluster': self.snapext_cluster,
                                               'user': self.rbd_user}}}

    def close(self):
        """Nothing to release: nothing was attached."""


def is_source(volume_file):
    """True for an RBDSnapshotSource, also behind Cinder's tpool proxy."""
    return getattr(volume_file, 'snapext_snapshot', None) is not None
