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

"""The /dev/disk/by-id/scsi-* links of a node with udev: run in the LVM guest.

The guest runs no udev (guest.sh), so nothing makes the links udev's
persistent-storage rules make for a SCSI disk. After each iSCSI login
os-brick looks for the disk's link there to learn its WWN and, finding
none, waits 10 s before it goes on without one: 10 s of every attach of
the guest's cinder-backup. This daemon listens to the kernel's uevents
and makes the link when a SCSI disk appears and removes it when the disk
goes: ``scsi-`` and the disk's page 0x83 designator as udev writes it,
the designator type's digit then its value (``naa.60...`` is ``360...``).
Usage: scsi_links.py (started by guest.sh; it logs what it links).
"""

import os
import socket
import sys

NETLINK_KOBJECT_UEVENT = 15
# Where the disks are (module attributes: the unit tests point them at
# a directory of their own).
SYS_BLOCK = '/sys/block'
DEV = '/dev'
# The sysfs wwid's prefix: the designator type (SPC) as scsi_id prints it.
TYPES = {'t10.': '1', 'eui.': '2', 'naa.': '3'}


def link_name(dev):
    """scsi-<designator> for the disk DEV, or None (no wwid in sysfs)."""
    try:
        with open(os.path.join(SYS_BLOCK, dev, 'device', 'wwid')) as f:
            wwid = f.read().strip()
    except OSError:
        return None
    if not wwid:
        return None
    return 'scsi-' + TYPES.get(wwid[:4], '8') + wwid[4:]


def add(dev, links):
    name = link_name(dev)
    if name is None:
        return
    path = os.path.join(DEV, 'disk', 'by-id', name)
    tmp = path + '.new'
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink('../../' + dev, tmp)
    os.replace(tmp, path)
    links[dev] = path
    print('linked %s -> %s' % (name, dev), flush=True)


def remove(dev, links):
    path = links.pop(dev, None)
    # Another disk may have the name by now (the same LUN logged in again).
    if path and (os.path.realpath(path) ==
                 os.path.realpath(os.path.join(DEV, dev))):
        os.unlink(path)
        print('unlinked %s' % os.path.basename(path), flush=True)


def scan(links):
    """Link the SCSI disks there already (a restart, a missed event)."""
    for dev in os.listdir(SYS_BLOCK):
        if dev.startswith('sd') and dev not in links:
            add(dev, links)


def handle(data, links):
    """One uevent (the kernel's KEY=VALUE fields, NUL-separated)."""
    env = dict(f.split('=', 1) for f in
               data.decode(errors='replace').split('\0') if '=' in f)
    dev = env.get('DEVNAME', '')
    if (env.get('SUBSYSTEM') != 'block' or env.get('DEVTYPE') != 'disk' or
            not dev.startswith('sd')):
        return
    if env.get('ACTION') == 'add':
        add(dev, links)
    elif env.get('ACTION') == 'remove':
        remove(dev, links)


def main():
    os.makedirs(os.path.join(DEV, 'disk', 'by-id'), exist_ok=True)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                         NETLINK_KOBJECT_UEVENT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    # Group 1: the kernel's own events (udev's are group 2).
    sock.bind((os.getpid(), 1))
    links = {}
    scan(links)
    while True:
        try:
            data = sock.recv(16384)
        except OSError as e:
            # ENOBUFS: events were lost; sysfs still says what is there.
            print('uevents lost (%s): rescanning' % e, flush=True)
            scan(links)
            continue
        handle(data, links)


if __name__ == '__main__':
    sys.exit(main())
