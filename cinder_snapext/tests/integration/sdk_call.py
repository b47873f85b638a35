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

"""openstacksdk as a library: one block-storage call, the outcome as JSON.

Run by the scenarios with the stack venv's python (the test process runs
under Cinder's test package, which patches eventlet), cloud ``snapext``
of ``<state>/clouds.yaml`` (OS_CLIENT_CONFIG_FILE, OS_CLOUD). Prints
``{"ok": true, "result": {...}}`` or, when the cloud refuses,
``{"ok": false, "status": <HTTP status>, "message": "..."}``.

Usage: sdk_call.py manage VOLUME REF NAME
       sdk_call.py manage-raw ROUTE MICROVERSION VOLUME REF NAME [HOST]
       sdk_call.py unmanage SNAPSHOT
       sdk_call.py delete-volume VOLUME [cascade] [force]
       sdk_call.py backup VOLUME SNAPSHOT NAME
       sdk_call.py restore BACKUP NAME
"""

import json
import sys

import openstack
from openstack import exceptions


def manage(conn, volume_id, ref, name):
    """Proxy.manage_snapshot: /manageable_snapshots when the cloud has 3.8."""
    snap = conn.block_storage.manage_snapshot(
        volume_id=volume_id, ref={'source-name': ref}, name=name)
    return {'id': snap.id, 'status': snap.status}


def manage_raw(conn, route, microversion, volume_id, ref, name, host=None):
    """A manage body the proxy cannot send (``host``), on either route."""
    body = {'volume_id': volume_id, 'ref': {'source-name': ref},
            'name': name}
    if host:
        body['host'] = host
    resp = conn.block_storage.post(
        '/' + route, json={'snapshot': body}, microversion=microversion)
    exceptions.raise_from_response(resp)
    snap = resp.json()['snapshot']
    return {'id': snap['id'], 'status': snap['status'],
            'http_status': resp.status_code}


def unmanage(conn, snapshot_id):
    conn.block_storage.unmanage_snapshot(snapshot_id)
    return {}


def delete_volume(conn, volume_id, *flags):
    """DELETE /volumes/{id}, with cascade and force as the proxy sends them."""
    conn.block_storage.delete_volume(
        volume_id, ignore_missing=False, cascade='cascade' in flags,
        force='force' in flags)
    return {}


def backup(conn, volume_id, snapshot_id, name):
    made = conn.block_storage.create_backup(
        volume_id=volume_id, snapshot_id=snapshot_id, name=name)
    return {'id': made.id}


def restore(conn, backup_id, name):
    done = conn.block_storage.restore_backup(backup_id, name=name)
    return {'volume_id': done.volume_id}


OPS = {'manage': manage, 'manage-raw': manage_raw, 'unmanage': unmanage,
       'delete-volume': delete_volume, 'backup': backup, 'restore': restore}


def main(argv):
    conn = openstack.connect()
    try:
        result = OPS[argv[0]](conn, *argv[1:])
    except exceptions.HttpException as e:
        print(json.dumps({'ok': False, 'status': e.status_code,
                          'message': str(e)}))
        return 0
    print(json.dumps({'ok': True, 'result': result}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
