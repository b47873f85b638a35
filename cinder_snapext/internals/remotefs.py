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

"""Private names of Cinder's RemoteFS snapshot drivers (NFS among them)."""

from cinder_snapext.internals import Private

_BASE = 'cinder.volume.drivers.remotefs:RemoteFSSnapDriverBase'
_DISTRIBUTED = 'cinder.volume.drivers.remotefs:RemoteFSSnapDriverDistributed'

USED = (
    Private(_BASE, '_do_create_snapshot',
            ('self', 'snapshot', 'backing_filename', 'new_snap_path')),
    Private(_BASE, '_get_new_snap_path', ('self', 'snapshot')),
    Private(_BASE, '_validate_state',
            ('current_state', 'acceptable_states', 'obj_description',
             'invalid_exc')),
    Private(_BASE, '_is_volume_attached', ('self', 'volume')),
    Private(_BASE, '_local_path_volume_info', ('self', 'volume')),
    Private(_BASE, '_local_volume_dir', ('self', 'volume')),
    Private(_BASE, '_qemu_img_info', ('self', 'path', 'volume_name')),
    Private(_BASE, '_read_info_file', ('self', 'info_path',
                                       'empty_if_missing')),
    Private(_BASE, '_write_info_file', ('self', 'info_path', 'snap_info')),
    Private(_BASE, '_get_mount_point_base', ('self',)),
    Private(_BASE, '_delete', ('self', 'path')),
    Private('cinder.volume.drivers.nfs:NfsDriver', '_check_snapshot_support',
            ('self', 'setup_checking')),
    Private('cinder.volume.drivers.remotefs:RemoteFSDriver',
            '_execute_as_root', set_in='__init__'),
    Private('cinder.volume.driver:BaseVD', '_execute', set_in='__init__'),
    Private(_DISTRIBUTED, '_nova', set_in='do_setup'),
)


def do_create_snapshot(driver, snapshot, backing_filename, new_snap_path):
    driver._do_create_snapshot(snapshot, backing_filename, new_snap_path)


def new_snap_path(driver, snapshot):
    return driver._get_new_snap_path(snapshot)


def validate_state(driver, current_state, acceptable_states):
    driver._validate_state(current_state, acceptable_states)


def is_volume_attached(driver, volume):
    return driver._is_volume_attached(volume)


def read_info(driver, volume):
    return driver._read_info_file(driver._local_path_volume_info(volume),
                                  empty_if_missing=True)


def write_info(driver, volume, info):
    driver._write_info_file(driver._local_path_volume_info(volume), info)


def volume_dir(driver, volume):
    return driver._local_volume_dir(volume)


def qemu_img_info(driver, path, volume_name):
    return driver._qemu_img_info(path, volume_name)


def mount_point_base(driver):
    return driver._get_mount_point_base()


def delete(driver, path):
    driver._delete(path)


def check_snapshot_support(driver):
    driver._check_snapshot_support()


def execute(driver, *cmd, **kwargs):
    """The driver's executor, as root where the driver runs as root."""
    return driver._execute(*cmd, run_as_root=driver._execute_as_root,
                           **kwargs)


def nova(driver):
    """The driver's client of Nova's assisted snapshot API."""
    return driver._nova
