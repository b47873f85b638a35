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

"""Private names of Cinder's LVM driver and os-brick's LVM wrapper."""

from cinder_snapext.internals import Private

_DRIVER = 'cinder.volume.drivers.lvm:LVMVolumeDriver'

USED = (
    Private(_DRIVER, '_escape_snapshot', ('self', 'snapshot_name')),
    Private(_DRIVER, '_unescape_snapshot', ('self', 'snapshot_name')),
    Private('cinder.volume.driver:BaseVD', '_execute', set_in='__init__'),
    Private('os_brick.local_dev.lvm:LVM', '_run_lvm_command',
            ('self', 'cmd_arg_list', 'root_helper', 'run_as_root')),
)


def escape_snapshot(driver, name):
    """The LV name of snapshot ``name`` (LVM reserves 'snapshot*')."""
    return driver._escape_snapshot(name)


def unescape_snapshot(driver, lv_name):
    return driver._unescape_snapshot(lv_name)


def executor(driver):
    return driver._execute


def run_lvm_command(vg, args):
    """An LVM command with os-brick's environment and root helper."""
    return vg._run_lvm_command(vg.LVM_CMD_PREFIX + args)
