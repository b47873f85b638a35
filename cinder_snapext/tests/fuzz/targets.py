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

"""The real resources a fuzz run aims at, kept in their statuses.

A volume, snapshots and backups are created once through the stack's
API; after each batch, what an accepted request deleted is made again,
what it moved is reset (Cinder's admin os-reset_status), and what it
created is deleted. At the end everything the run made goes, snapshots
it exported included: they are imported again, then deleted.
"""

import http.client
import json
import time

from cinder_snapext.tests.fuzz import routes
from cinder_snapext.tests.fuzz import wire

_TABLE = {'volume': 'volumes', 'snapshot': 'snapshots', 'backup': 'backups'}
_GONE = object()


class Client:
    """JSON calls to the stack's own cinder-api, in the fuzzer's project."""

    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                          timeout=120)
        try:
            conn.request(method, '/v3/%s%s' % (wire.OWN_PROJECT, path),
                         body=None if body is None else json.dumps(body),
                         headers={'X-Auth-Token': 'admin:' + wire.OWN_PROJECT,
                                  'Content-Type': 'application/json',
                                  'OpenStack-API-Version': 'volume 3.71'})
            resp = conn.getresponse()
            text = resp.read()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(text) if text else None
        except ValueError:
            return resp.status, text


class Targets:
    """Ids by ``kind:status``; ``kept`` the status each target holds."""

    def __init__(self, client, ledger, deadline=300):
        self.client, self.ledger, self.deadline = client, ledger, deadline
        self.ids = {}
        self.kept = {}
        self.skipped = []
        self.ours = set()
        self.before_run = ledger.look()

    def placeholders(self):
        """What the corpus' placeholders stand for.

        A target Cinder would not take the status of stands as an id that
        nothing has.
        """
        filled = {'%s:%s' % (kind, status): '00000000-0000-4000-8000-%012d'
                  % n for n, (kind, status) in enumerate(
                      (k, s) for k, ss in routes.TARGETS.items() for s in ss)}
        filled.update(self.ids)
        return filled

    def ensure(self):
        """Every target present, in its status; the run's extras gone."""
        self.drop_extras()
        seen = self.ledger.look()
        for kind in ('volume', 'snapshot', 'backup'):
            for status in routes.TARGETS[kind]:
                self._ensure(kind, status, seen)
        self.wait_settled()

    def _ensure(self, kind, status, seen):
        key = '%s:%s' % (kind, status)
        if key in self.skipped:
            return
        rid = self.ids.get(key)
        row = seen[_TABLE[kind]].get(rid)
        parent = self.ids.get('volume:available')
        if row is not None and kind != 'volume' and row.volume_id != parent:
            self._delete(kind, rid)
            row = None
        if row is None:
            rid = self._create(kind, key, parent)
            self.ids[key] = rid
            self.ours.add(rid)
            row = self.ledger.look()[_TABLE[kind]][rid]
        if row.status != status:
            body = {'status': status}
            if status == 'in-use':
                body['attach_status'] = 'attached'
            code, answer = self.client.call(
                'POST', '/%ss/%s/action' % (kind, rid),
                {'os-reset_status': body})
            if code != 202:
                # Cinder refuses this status for this kind: the corpus
                # keeps naming it, and gets an id nothing has.
                self.skipped.append(key)
                del self.ids[key]
                return
        self.kept[rid] = status

    def _create(self, kind, key, parent):
        name = 'fuzz-' + key.replace(':', '-')
        body = {'volume': {'size': 1, 'name': name},
                'snapshot': {'volume_id': parent, 'name': name},
                'backup': {'volume_id': parent, 'name': name}}[kind]
        code, answer = self.client.call('POST', '/%ss' % kind, {kind: body})
        if code not in (200, 202):
            raise RuntimeError('creating %s: %s %s' % (key, code, answer))
        rid = answer[kind]['id']
        self._wait(kind, rid, ('available',))
        return rid

    def drop_extras(self):
        """Delete what accepted requests made (not targets, not earlier)."""
        seen = self.ledger.look()
        mine = set(self.ids.values())
        for kind in ('backup', 'snapshot', 'volume'):
            table = _TABLE[kind]
            for rid, row in seen[table].items():
                if rid in mine or rid in self.before_run[table]:
                    continue
                self._delete(kind, rid)

    def _delete(self, kind, rid):
        path = '/%ss/%s' % (kind, rid)
        code, answer = self.client.call('DELETE', path + (
            '?cascade=true' if kind == 'volume' else ''))
        if code == 400 or code == 409:
            # Reset what an accepted request left in a status that cannot
            # be deleted, then delete.
            self.client.call('POST', path + '/action',
                             {'os-reset_status': {'status': 'error'}})
            code, answer = self.client.call('DELETE', path)
        if code not in (202, 204, 404):
            raise RuntimeError('deleting %s %s: %s %s'
                               % (kind, rid, code, answer))
        self._wait(kind, rid, (_GONE,))

    def _wait(self, kind, rid, wanted):
        end = time.monotonic() + self.deadline
        while time.monotonic() < end:
            row = self.ledger.look()[_TABLE[kind]].get(rid)
            status = _GONE if row is None else row.status
            if status in wanted:
                return
            if status == 'error' and 'error' not in wanted:
                break
            time.sleep(0.3)
        raise RuntimeError('%s %s: not %s within %ds (%s)' % (
            kind, rid, wanted, self.deadline, status))

    def wait_settled(self):
        """Wait until nothing moves but the targets kept moving.

        :returns: what still moves at the deadline
        """
        end = time.monotonic() + self.deadline
        while True:
            moving = self.ledger.moving(self.kept)
            if not moving or time.monotonic() > end:
                return moving
            time.sleep(0.5)

    def teardown(self):
        """Delete everything the run made, exported snapshots included."""
        for kind in ('backup', 'snapshot'):
            for key in [k for k in self.ids if k.startswith(kind)]:
                self._delete(kind, self.ids.pop(key))
        self.drop_extras()
        volumes = [v for k, v in self.ids.items() if k.startswith('volume')]
        for volume_id, name in self.ledger.look()['exports']:
            if volume_id not in volumes:
                continue
            code, answer = self.client.call('POST', '/os-snapshot-manage', {
                'snapshot': {'volume_id': volume_id,
                             'ref': {'source-name': name}}})
            if code == 202:
                self._wait('snapshot', answer['snapshot']['id'],
                           ('available',))
                self._delete('snapshot', answer['snapshot']['id'])
        for key in [k for k in self.ids if k.startswith('volume')]:
            self._delete('volume', self.ids.pop(key))
        self.kept.clear()

