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


"""What every fault scenario checks once the stack is whole again.

Each resource the flow touched reaches ``available``, ``error`` or is
gone within its deadline; quota in use is back to the baseline taken
before the scenario made anything, with nothing reserved; no RBD image,
trash entry or snapshot of the scenario's volumes is left behind; and
every fault, its repair time and the outcome go to
``<state>/faults/results.jsonl`` for the results page (report.py).
"""

import json
import os
import time

import sqlalchemy

from cinder_snapext.tests.faults import inject
from cinder_snapext.tests.integration import backup_base
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import nfs_base

#: A resource a fault interrupted settles within this once the stack
#: is whole again (Cinder's clean-up at a service's start, a retry).
SETTLE_DEADLINE = 300
SETTLED = ('available', 'error', 'gone')
_USAGE = sqlalchemy.text(
    'SELECT resource, in_use, reserved FROM quota_usages '
    'WHERE project_id = :project_id AND deleted = false')


class Aftermath:
    """What a fault scenario on any backend checks once the stack is whole.

    Mixed in before a ScenarioTestCase; ``orphans`` is the backend's.
    """

    # Run alone (tools/faults.sh): openrc's project, as the stack's.
    own_project = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.servers = inject.Servers(cls.stack.dir, cls.env)
        cls.db = cinder_db.CinderDb(cls.stack.dir)
        cls.baseline = None
        cls.volumes = []

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        super().tearDownClass()

    # -- accounting ----------------------------------------------------

    def usage(self):
        """Quota in use and reserved, by resource; open reservations."""
        with self.db.engine.connect() as conn:
            rows = conn.execute(_USAGE,
                                {'project_id': self.env['OS_PROJECT_ID']})
            usage = {r.resource: (r.in_use, r.reserved) for r in rows}
        usage['reservations'] = self.db.quota(
            self.env['OS_PROJECT_ID'])['reservations']
        return usage

    def take_baseline(self):
        type(self).baseline = self.usage()

    def assert_quota_at_baseline(self):
        # Cinder keeps a zero row for a resource once it was used.
        def norm(usage):
            return {k: v for k, v in usage.items() if v not in ((0, 0), 0)}
        self.wait_for('quota back to the baseline', lambda: norm(
            self.usage()) == norm(self.baseline), timeout=60)

    def orphans(self):
        """What the backend keeps of the scenario's volumes."""
        raise NotImplementedError

    # -- waiting ---------------------------------------------------------

    def settle(self, kind, obj_id, deadline=SETTLE_DEADLINE):
        """Wait until the object is available, error or gone; return it."""
        def probe():
            status, body = self.api('GET', '/%ss/%s' % (kind, obj_id))
            if status == 404:
                return 'gone'
            self.assertEqual(200, status, body)
            found = body[kind]['status']
            # error_deleting, error_restoring...: settled, not stuck.
            return found if found.startswith(SETTLED) else None
        return self.wait_for('%s %s settled' % (kind, obj_id), probe,
                             timeout=deadline)

    # -- the record --------------------------------------------------------

    def record(self, fault, flow, started=None, **outcome):
        """Append one fault's outcome to the results file.

        The fault's start, repair time and user messages come from ctx
        (``started``, ``restart``, ``messages``) unless given.
        """
        if started is None:
            started = self.ctx['started']
            outcome.update(restart_s=round(self.ctx['restart'], 1),
                           messages=self.ctx.get('messages'))
        outcome.update(fault=fault, flow=flow,
                       recovery_s=round(time.monotonic() - started, 1),
                       scenario=type(self).__module__.rsplit('.', 1)[-1])
        path = os.path.join(self.stack.dir, 'faults', 'results.jsonl')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'a') as f:
            f.write(json.dumps(outcome, sort_keys=True) + '\n')

    def finish(self):
        """Sweep what the scenario made; no orphan, quota at baseline."""
        self.sweep_made(prefix='snapext-it-%s-' % self.run_id)
        self.assertEqual([], self.orphans())
        if self.baseline is not None:
            self.assert_quota_at_baseline()


class FaultScenario(Aftermath, backup_base.RbdBackupScenario):
    """A scenario that breaks a server mid-flow on the RBD backend."""

    def orphans(self):
        """RBD images, trash entries and snapshots of our volumes left."""
        left = []
        for pool in ('volumes', 'backups'):
            listing = self.rbd('ls', pool)
            for name in listing['images'] + listing['trash']:
                if any(v in name for v in self.volumes):
                    left.append('%s/%s' % (pool, name))
        return left

    def create_volume_for_faults(self, what, writes):
        sha = self._create_volume(what, writes)
        self.volumes.append(self.ctx['volume'])
        return sha

    def volume_backup_snapshot(self, tag, first, before, after):
        """Baseline; a volume, its full backup, a snapshot between writes."""
        self.take_baseline()
        self.create_volume_for_faults('%s-vol' % tag, first)
        self._backup('%s-full' % tag)
        self._snapshot_between('%s-snap' % tag, before, after)

    def snapshot_backup_at(self, tag, text):
        """Start an incremental backup of the snapshot; wait for text.

        Returns the backup's id once cinder-backup has logged text.
        """
        offset = self.servers.log_offset('cinder-backup')
        backup_id = self.api_backup(tag, incremental=True,
                                    snapshot_id=self.ctx['snapshot'])
        self.assertTrue(self.servers.wait_log('cinder-backup', text, offset,
                                              60), 'never reached: ' + text)
        return backup_id

    def restore_at(self, what, backup_id, text):
        """Restore a backup into a new volume; wait for text in the log.

        Returns the new volume's id once cinder-backup has logged text.
        """
        offset = self.servers.log_offset('cinder-backup')
        out = self.cinder('backup-restore', '--name', self.name(what),
                          backup_id)
        vol_id = cli.parse_properties(out)['volume_id']
        self.made['volume'].append(vol_id)
        self.volumes.append(vol_id)
        self.assertTrue(self.servers.wait_log('cinder-backup', text, offset,
                                              60), 'never reached: ' + text)
        return vol_id

    def member_at(self, text, offsets, deadline=60):
        """The server of offsets ({record: log offset}) that logged text.

        Where several services may take the request (a cluster's queue,
        the backup services of a zone), the one that logged the step is
        the one to break.
        """
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            for record, offset in offsets.items():
                if self.servers.wait_log(record, text, offset, 0):
                    return record
            time.sleep(0.05)
        self.fail('never reached: ' + text)

    def exported_again(self):
        """The snapshot given back whole, exported again; its reference."""
        snap = self.ctx['snapshot']
        image = self.volume_image(self.ctx['volume'])
        self.assertEqual(self.ctx['sha_snap'],
                         self.image_sha256(image, 'snapshot-%s' % snap))
        self.cinder('snapshot-unmanage', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        return 'snapshot-%s' % snap

    def managed_back(self, reference):
        """The export managed back, with the snapshot's data."""
        snap = self.take_back(self.ctx['volume'], reference)
        self.wait_status('snapshot', snap, 'available')
        # Managed, the RBD snapshot takes the new snapshot's name.
        self.assertEqual(self.ctx['sha_snap'], self.image_sha256(
            self.volume_image(self.ctx['volume']), 'snapshot-%s' % snap))

    def exported_again_and_managed_back(self):
        self.managed_back(self.exported_again())

    def settled_around(self):
        """The volume and the snapshot are available again."""
        self.assertEqual('available', self.settle('volume',
                                                  self.ctx['volume']))
        if self.ctx.get('snapshot'):
            self.assertEqual('available', self.settle(
                'snapshot', self.ctx['snapshot']))

    def api_backup(self, what, **fields):
        body = {'volume_id': self.ctx['volume'], 'name': self.name(what)}
        body.update(fields)
        status, answer = self.api('POST', '/backups', {'backup': body})
        self.assertEqual(202, status, answer)
        self.made['backup'].append(answer['backup']['id'])
        return answer['backup']['id']


class NfsFaultScenario(Aftermath, nfs_base.NfsScenarioTestCase):
    """A scenario that breaks a server mid-flow on the NFS backend."""

    def orphans(self):
        """Files of the scenario's volumes left on the share."""
        return [name for volume_id in self.volumes
                for name in self.files_of(volume_id)]

    def attached_volume(self, what, byte):
        """Baseline; an NFS volume with 8 MiB of byte, attached (in-use)."""
        self.take_baseline()
        out = self.cinder('create', '--volume-type', nfs_base.BACKEND,
                          '--name', self.name(what), str(nfs_base.SIZE_GB))
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.volumes.append(volume_id)
        self.ctx['volume'] = volume_id
        self.wait_status('volume', volume_id, 'available')
        self.write(0, 8, byte)
        out = self.cinder('attachment-create', *nfs_base.ATTACH_ARGS,
                          volume_id)
        self.ctx['attachment'] = cli.parse_properties(out)['id']
        self.cinder('attachment-complete', self.ctx['attachment'])
        self.wait_status('volume', volume_id, 'in-use')
