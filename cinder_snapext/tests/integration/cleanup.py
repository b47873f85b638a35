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

"""Scenario clean-up and status probes through Cinder's REST API.

Waits and the sweep only read a status or ask for a delete: through the
REST API that is one HTTP request, where a ``cinder`` CLI process costs
a second or more of start-up (most of a clean-up's time, and the demo
runs twice). Every step that a scenario is about still goes through the
CLI; a stack behind Keystone (no noauth endpoint in openrc) keeps the CLI
for these too.
"""

import time

from cinder_snapext.tests.integration import cli

PATHS = {'volume': 'volumes', 'snapshot': 'snapshots', 'backup': 'backups'}
# Statuses from which Cinder refuses a delete until the work ends.
BUSY = ('deleting', 'creating', 'restoring', 'backing-up')


class RestProbeError(AssertionError):
    """Cinder answered a read or a delete with neither success nor 404."""


class CleanupMixin:
    """lookup(), sweep() and sweep_made() for ScenarioTestCase."""

    #: Whether sweep_made checks, on a cluster, that both RBD members
    #: served this class's volumes and snapshots (False for a backend
    #: outside the cluster, and where the check would be chance).
    check_members_served = True

    def rest_ready(self):
        """Whether openrc gives a noauth endpoint the probes can call."""
        return (self.env.get('OS_AUTH_TYPE') == 'noauth'
                and bool(self.env.get('CINDER_ENDPOINT')))

    def lookup(self, kind, obj_id):
        """The object's fields (at least ``status``), or None when gone.

        One REST request when the stack is noauth; ``cinder show``
        otherwise.
        """
        if not self.rest_ready():
            return self.show(kind, obj_id)
        status, body = self.api('GET', '/%s/%s' % (PATHS[kind], obj_id))
        if status == 404:
            return None
        if status != 200:
            raise RestProbeError('GET %s %s: %s %s' % (kind, obj_id, status,
                                                       body))
        return body[kind]

    def _rows(self, kind, prefix):
        """(id, status) of kind named with prefix, newest first."""
        if not self.rest_ready():
            list_cmd = {'backup': 'backup-list', 'snapshot': 'snapshot-list',
                        'volume': 'list'}[kind]
            return [(r['ID'], r['Status']) for r in cli.parse_table(
                self.cinder(list_cmd, '--sort', 'created_at:desc'))
                if r.get('Name', '').startswith(prefix)]
        status, body = self.api('GET', '/%s/detail?sort=created_at:desc' %
                                PATHS[kind])
        if status != 200:
            raise RestProbeError('list %ss: %s %s' % (kind, status, body))
        return [(o['id'], o['status']) for o in body[PATHS[kind]]
                if (o.get('name') or '').startswith(prefix)]

    def _delete(self, kind, obj_id):
        """Ask Cinder to delete; whether it accepted."""
        if not self.rest_ready():
            delete_cmd = {'backup': 'backup-delete',
                          'snapshot': 'snapshot-delete',
                          'volume': 'delete'}[kind]
            return self.cinder(delete_cmd, obj_id, check=False)[0] == 0
        status, _body = self.api('DELETE', '/%s/%s' % (PATHS[kind], obj_id))
        return status in (202, 204)

    def sweep_made(self, prefix=None):
        """Sweep (below), then check that all this class made is gone.

        prefix: the names to sweep, by default the class's own (its
        run_id); the listing is the class's project's (base.py).

        On a cluster (CLUSTER=1), also that both members of the RBD
        backend served some of the volumes and snapshots of this run
        (unless the class says otherwise: check_members_served).
        """
        made = {kind: list(ids) for kind, ids in self.made.items()}
        self.sweep(prefix=prefix or self.name(''))
        for kind, ids in made.items():
            for obj_id in ids:
                self.assertIsNone(self.lookup(kind, obj_id))
            self.made[kind] = []
            self.swept[kind].extend(ids)
        if self.stack.clustered() and self.check_members_served:
            self.assert_members_served(made['volume'] + made['snapshot'])

    def assert_members_served(self, ids):
        """Every member of the RBD cluster logged work on one of ids.

        The member that runs a create, snapshot, export or delete logs
        the resource's id; Cinder hands a cluster's work to its members
        in turn, so a scenario's steps land on both.
        """
        served = {}
        for host in self.stack.ceph_hosts():
            log = self.stack.member_log(host)
            served[host] = [obj_id for obj_id in ids if obj_id in log]
        idle = [host for host, mine in served.items() if not mine]
        self.assertEqual([], idle, 'members that served none of %s: %s' % (
            ids, served))

    def _left_deleting(self, kind, obj_id):
        row = self.lookup(kind, obj_id)
        return row is None or row['status'] != 'deleting'

    def sweep(self, prefix='snapext-it-'):
        """Delete what the scenarios made, this run's and earlier ones'.

        That is every backup, snapshot and volume whose name starts with
        prefix, each wait with a deadline. Backups go newest first, in
        rounds: Cinder refuses to delete a backup that incremental ones
        still depend on.
        """
        for kind in ('backup', 'snapshot', 'volume'):
            end = time.monotonic() + self.timeout
            while True:
                rows = self._rows(kind, prefix)
                if not rows:
                    break
                if time.monotonic() >= end:
                    self.fail('could not delete %ss: %s' % (kind, rows))
                accepted = [obj_id for obj_id, status in rows
                            if status not in BUSY
                            and self._delete(kind, obj_id)]
                for obj_id in accepted:
                    # A delete the backend refused puts the object back
                    # (on a cluster, a volume's clone being deleted by the
                    # other member at that moment): the next round tries
                    # it again, within the same deadline.
                    self.wait_for('%s %s deleted or refused' % (
                        kind, obj_id), lambda i=obj_id: self._left_deleting(
                            kind, i), timeout=max(1, end - time.monotonic()))
                if not accepted:
                    time.sleep(self.poll)
