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

"""Volumes and RBD trash of tempest's compat pass (tools/tempest.sh).

Usage: tempest_compat.py volumes CINDER_CONF SINCE
       tempest_compat.py purge-trash CEPH_CONF CEPH_ID POOL VOLUME_ID...

``volumes``: one line "<id> <host> <status> <deleted>" per volume created
at or after SINCE (seconds since the epoch), deleted ones included, read
from the database that CINDER_CONF names.

``purge-trash``: with [snapext] refuse_volume_delete_with_exported_snapshots
= False, the RBD driver moves an image whose snapshots Cinder no longer
manages to the RBD trash, snapshots included, and the trash keeps it
(a trashed image with snapshots cannot be removed). For each trash entry
of one of those volumes (image volume-<id>): restore it under a name of
its own, remove its snapshots and the image. Prints one line per image
removed; exit status 1 if one could not be removed.

Runs with the stack's venv python (oslo.config, SQLAlchemy, Debian's
rados and rbd modules).
"""

import datetime
import sys


def created_since(cinder_conf, since):
    """[(id, host, status, deleted)] of volumes created since an epoch."""
    from oslo_config import cfg
    from oslo_db import options
    import sqlalchemy

    conf = cfg.ConfigOpts()
    options.set_defaults(conf)
    conf(['--config-file', cinder_conf], project='cinder',
         default_config_files=[])
    # Cinder stores naive UTC datetimes.
    when = datetime.datetime.fromtimestamp(
        since, datetime.UTC).replace(tzinfo=None)
    engine = sqlalchemy.create_engine(conf.database.connection)
    query = sqlalchemy.text(
        'SELECT id, host, status, deleted FROM volumes '
        'WHERE created_at >= :since ORDER BY created_at')
    try:
        with engine.connect() as db:
            return [(r.id, r.host or '-', r.status, int(bool(r.deleted)))
                    for r in db.execute(query, {'since': when})]
    finally:
        engine.dispose()


def _remove_restored(rbd, ioctx, name):
    with rbd.Image(ioctx, name) as image:
        for snap in list(image.list_snaps()):
            if image.is_protected_snap(snap['name']):
                image.unprotect_snap(snap['name'])
            image.remove_snap(snap['name'])
    rbd.RBD().remove(ioctx, name)


def purge_trash(ceph_conf, ceph_id, pool, volume_ids):
    """Remove the trash entries of those volumes' images; failures."""
    import rados
    import rbd

    wanted = {'volume-%s' % v for v in volume_ids}
    failures = 0
    with rados.Rados(conffile=ceph_conf, rados_id=ceph_id) as cluster:
        with cluster.open_ioctx(pool) as ioctx:
            for entry in list(rbd.RBD().trash_list(ioctx)):
                if entry['name'] not in wanted:
                    continue
                # The original name may be taken again by then.
                name = 'tempest-compat-%s' % entry['id']
                try:
                    rbd.RBD().trash_restore(ioctx, entry['id'], name)
                    _remove_restored(rbd, ioctx, name)
                except rbd.Error as e:
                    failures += 1
                    print('could not remove %s (trash id %s): %s'
                          % (entry['name'], entry['id'], e))
                    continue
                print('removed %s (trash id %s) and its snapshots'
                      % (entry['name'], entry['id']))
    return failures


def main(argv):
    if len(argv) == 3 and argv[0] == 'volumes':
        for row in created_since(argv[1], int(argv[2])):
            print('%s %s %s %d' % row)
        return 0
    if len(argv) >= 4 and argv[0] == 'purge-trash':
        return 1 if purge_trash(argv[1], argv[2], argv[3], argv[4:]) else 0
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
