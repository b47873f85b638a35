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

"""LVM snapshot LVs exported through the target helper, for backups."""

import functools

from cinder import context as cinder_context
from cinder.volume.targets import tgt
from oslo_log import log as logging

from cinder_snapext.internals import lvm as internal_lvm

LOG = logging.getLogger(__name__)


class ReadOnlyTgtAdm(tgt.TgtAdm):
    """tgt targets whose logical unit refuses writes.

    tgt-admin turns ``readonly 1`` in a target block into the LUN's
    Readonly flag; Cinder's template has no place for it.
    """

    VOLUME_CONF = tgt.TgtAdm.VOLUME_CONF.replace(
        '</target>', '    readonly 1\n</target>')


# Target helpers that can export read-only, by target_helper name. The
# others (lioadm's cinder-rtstool, scstadmin, nvmet...) offer no read-only
# export in Cinder 29: the snapshot goes out through the volume helper.
READ_ONLY_TARGETS = {'tgtadm': ReadOnlyTgtAdm}


class SnapextLVMSnapshotExportMixin:
    """Cinder's snapshot attach interface for LVM, thick and thin.

    The backup service attaches the snapshot LV itself, instead of a
    temporary volume copied from it.
    """

    snapext_exports_snapshots = True

    @functools.cached_property
    def snapext_snapshot_target(self):
        """The target helper that exports this backend's snapshots."""
        helper = self.configuration.safe_get('target_helper')
        read_only = READ_ONLY_TARGETS.get(helper)
        if read_only is None:
            LOG.info('Target helper %s cannot export read-only: snapshots '
                     'are exported like volumes, read-write.', helper)
            return self.target_driver
        return read_only(configuration=self.configuration,
                         executor=internal_lvm.executor(self))

    def snapext_snapshot_path(self, snapshot):
        """The device of the snapshot's own LV."""
        lv_name = internal_lvm.escape_snapshot(self, snapshot.name)
        return '/dev/%s/%s' % (self.configuration.volume_group, lv_name)

    def create_export_snapshot(self, context, snapshot, connector):
        # lvcreate -s of a thin LV sets LVM's activation skip flag: the
        # snapshot has no device until activated, as Cinder does before it
        # copies from one. A thick snapshot is active already.
        self.vg.activate_lv(snapshot.name, is_snapshot=True)
        export = self.snapext_snapshot_target.create_export(
            context, snapshot, self.snapext_snapshot_path(snapshot))
        return {'provider_location': export['location'],
                'provider_auth': export['auth']}

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        connection = self.snapext_snapshot_target.initialize_connection(
            snapshot, connector)
        connection['data']['access_mode'] = 'ro'
        return connection

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        self.snapext_snapshot_target.terminate_connection(
            snapshot, connector, **kwargs)
        if kwargs.get('force'):
            # The backup service forces termination when it lets the
            # snapshot go. When attaching failed, that is all it calls:
            # without this, the target would stay exported.
            self.remove_export_snapshot(cinder_context.get_admin_context(),
                                        snapshot)

    def remove_export_snapshot(self, context, snapshot):
        # Cinder's iSCSI helpers skip a target that is no longer there,
        # so a second removal after a forced termination is harmless.
        self.snapext_snapshot_target.remove_export(context, snapshot)
