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

"""A snapshot backup on thick LVM: Cinder 29's LVMVolumeDriver vs ours.

On the LVM node of ``LVM=1 LVM_STOCK=1 tools/stack.sh up`` (a qemu guest
under TCG), one backup of a snapshot of a --size-gib volume on each
backend, in the same run: ``lvm-stock`` (Cinder's own driver on the
thick volume group, Cinder's defaults) and ``lvm-thick``
(``SnapextLVMVolumeDriver`` on the same volume group). The measurement
of one backup is tools/stack/lvm/bench-backup.sh: bytes read and
written on each of the guest's virtual disks (its kernel's block
statistics), the wall time until the backup is available and until
whatever the backend made for it is gone, the LVM and dd commands its
cinder-volume ran, and the MD5 of what the backup restores to compared
with what was written before the snapshot: its chunk files read on the
host, or with --restore the backup restored into a new volume and read
in the guest. A backup that differs fails the run.

Usage: python3 benchmarks/lvm_snapshot_backup.py [--size-gib 1]
       [--backends lvm-stock,lvm-thick] [--repeat 1] [--restore]
Environment: SNAPEXT_STACK_SLOT / SNAPEXT_STACK_DIR as for tools/stack.sh.
"""

import argparse
import collections
import datetime
import os
import subprocess
import sys

import bench_stack

MEASURE = os.path.join(bench_stack.REPO, 'tools', 'stack', 'lvm',
                       'bench-backup.sh')
MiB = 1024 * 1024
LABEL = {'lvm-stock': "Cinder 29's LVMVolumeDriver",
         'lvm-thick': 'SnapextLVMVolumeDriver (in place)',
         'lvm-thin': 'SnapextLVMVolumeDriver, thin'}


def in_place(state):
    """The guest cinder-volume's [snapext] backup_snapshot_in_place."""
    path = os.path.join(state, 'lvm', 'cinder-volume.conf')
    with open(path) as f:
        for line in f:
            if line.startswith('backup_snapshot_in_place'):
                return line.split('=', 1)[1].strip() == 'true'
    return True


def measure(state, backend, size, restore):
    """One backup of a snapshot on backend: the script's facts, parsed."""
    env = bench_stack.stack_env(state,
                                SNAPEXT_BENCH_RESTORE='1' if restore else '0')
    out = subprocess.run(  # noqa: S603 (this repository's own tool)
        [MEASURE, backend, str(size)], env=env, check=True,
        stdout=subprocess.PIPE, text=True).stdout
    facts = {'disks': [], 'seconds': {}, 'commands': {}, 'md5': {}}
    for line in out.splitlines():
        kind, *rest = line.split()
        if kind == 'disk':
            name, vg, read, written = rest
            facts['disks'].append((name, vg, int(read), int(written)))
        elif kind in ('seconds', 'commands', 'md5'):
            key, value = rest
            facts[kind][key] = value
    if facts['md5'].get('restored') != facts['md5'].get('expected'):
        raise SystemExit('%s: the restored backup differs from the '
                         'snapshot (%s)' % (backend, facts['md5']))
    return facts


def row(backend, facts):
    """One line of the table: per VG, MiB read and written."""
    by_vg = collections.defaultdict(lambda: [0, 0])
    for _, vg, read, written in facts['disks']:
        by_vg[vg][0] += read
        by_vg[vg][1] += written
    io = '  '.join('%s %7.1f r %7.1f w' % (vg, r / MiB, w / MiB)
                   for vg, (r, w) in sorted(by_vg.items()))
    cmds = ' '.join('%s=%s' % kv for kv in sorted(facts['commands'].items()))
    return ('%-10s %8.1f s %8.1f s  %s  %s  md5 ok'
            % (backend, float(facts['seconds']['available']),
               float(facts['seconds']['settled']), io, cmds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size-gib', type=int, default=1)
    parser.add_argument('--backends', default='lvm-stock,lvm-thick')
    parser.add_argument('--repeat', type=int, default=1)
    parser.add_argument('--restore', action='store_true',
                        help='verify by a restore in the guest, not by '
                        'reading the backup files on the host')
    args = parser.parse_args()
    state = bench_stack.state_dir()
    backends = [b for b in args.backends.split(',') if b]
    print('%s  stack %s  in place: %s  load before: %.2f %.2f %.2f'
          % (datetime.datetime.now(datetime.UTC)
             .strftime('%Y-%m-%d %H:%M UTC'), state, in_place(state),
             *os.getloadavg()))
    for name in backends:
        print('  %-10s %s' % (name, LABEL.get(name, name)))
    print('%-10s %10s %10s  %s' % ('backend', 'available', 'settled',
                                   'guest disks (MiB), commands'))
    for _ in range(args.repeat):
        for backend in backends:
            facts = measure(state, backend, args.size_gib, args.restore)
            print(row(backend, facts), flush=True)
            print('  load %.2f %.2f %.2f' % os.getloadavg(), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
