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

"""Data on the stack's Ceph cluster through librbd, as client.cinder.

No kernel mapping: everything goes through librbd in user space. Run it
with the stack's venv Python (it imports Debian's rados/rbd modules).
Every command prints one JSON document on stdout.

  rbdtool.py [--conf C] [--id cinder] write POOL IMAGE OFF_MIB LEN_MIB SEED
  rbdtool.py [--conf C] [--id cinder] sum POOL IMAGE [SNAP]
  rbdtool.py [--conf C] [--id cinder] snaps POOL IMAGE
  rbdtool.py [--conf C] [--id cinder] ls POOL

The data written for SEED is pattern(SEED, LEN_MIB * MiB), a SHAKE-256
stream, so a test can compute the expected image checksum on its own.
"""

import argparse
import hashlib
import json
import os
import sys

import rados
import rbd

MiB = 1024 * 1024
CHUNK = 4 * MiB


def pattern(seed, length):
    """The bytes written for seed: the same on every Python and machine."""
    return hashlib.shake_256(('snapext-%s' % seed).encode()).digest(length)


def _write(ioctx, args):
    data = pattern(args.seed, args.len_mib * MiB)
    with rbd.Image(ioctx, args.image) as image:
        off = args.off_mib * MiB
        for i in range(0, len(data), CHUNK):
            image.write(data[i:i + CHUNK], off + i)
        image.flush()
    return {'image': args.image, 'offset': off, 'length': len(data)}


def _sum(ioctx, args):
    digest = hashlib.sha256()
    with rbd.Image(ioctx, args.image, snapshot=args.snap,
                   read_only=True) as image:
        size = image.size()
        for off in range(0, size, CHUNK):
            digest.update(image.read(off, min(CHUNK, size - off)))
    return {'image': args.image, 'snap': args.snap, 'size': size,
            'sha256': digest.hexdigest()}


def _snaps(ioctx, args):
    with rbd.Image(ioctx, args.image, read_only=True) as image:
        return {'image': args.image,
                'snaps': sorted(s['name'] for s in image.list_snaps())}


def _ls(ioctx, args):
    rbd_inst = rbd.RBD()
    return {'pool': args.pool,
            'images': sorted(rbd_inst.list(ioctx)),
            'trash': sorted(t['name'] for t in rbd_inst.trash_list(ioctx))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--conf', default=os.environ.get('CEPH_CONF'),
                        required='CEPH_CONF' not in os.environ)
    parser.add_argument('--id',
                        default=os.environ.get('SNAPEXT_CEPH_ID', 'cinder'))
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('write')
    p.add_argument('pool')
    p.add_argument('image')
    p.add_argument('off_mib', type=int)
    p.add_argument('len_mib', type=int)
    p.add_argument('seed')
    p.set_defaults(func=_write)
    p = sub.add_parser('sum')
    p.add_argument('pool')
    p.add_argument('image')
    p.add_argument('snap', nargs='?')
    p.set_defaults(func=_sum)
    p = sub.add_parser('snaps')
    p.add_argument('pool')
    p.add_argument('image')
    p.set_defaults(func=_snaps)
    p = sub.add_parser('ls')
    p.add_argument('pool')
    p.set_defaults(func=_ls)
    args = parser.parse_args(argv)

    cluster = rados.Rados(conffile=args.conf, rados_id=args.id)
    cluster.connect(timeout=30)
    try:
        with cluster.open_ioctx(args.pool) as ioctx:
            result = args.func(ioctx, args)
    except rbd.ImageNotFound as e:
        print(json.dumps({'error': 'ImageNotFound: %s' % e}))
        return 2
    finally:
        cluster.shutdown()
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
