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

"""What the NFS scenarios share: the stack's share, its files, Nova.

The NFS backend's share is a bind-mounted folder of the stack
(part-nfs.sh); the scenarios read and write its files directly, with
``qemu-io``/``qemu-img`` once a qcow2 overlay is active, and drive the
stack's emulated Nova through its control API.
"""

import hashlib
import json
import os
import urllib.request

from cinder_snapext.tests.integration import base
from cinder_snapext.tests.integration import cinder_db
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import data

SIZE_GB = 1
BACKEND = 'nfs'
HOST = 'ci@nfs'
ATTACH_ARGS = ['--connect', 'True', '--initiator', 'iqn.2026-11.it:snapext',
               '--ip', '127.0.0.1', '--host', 'ci', '--platform', 'x86_64',
               '--ostype', 'linux', '--mode', 'rw']


class NfsScenarioTestCase(base.ScenarioTestCase):
    """A scenario on the stack's NFS backend, one volume in ctx['volume']."""

    # NFS runs in a volume service of its own, outside the RBD cluster.
    check_members_served = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        shares = os.path.join(cls.stack.dir, 'nfs', 'shares-' + BACKEND)
        try:
            with open(os.path.join(cls.stack.dir, 'nfs.enabled')) as f:
                enabled = f.read().strip()
        except OSError:
            enabled = None
        if enabled == '0':
            raise cls.skipException(
                'the stack was brought up with NFS=0: no NFS backend')
        if not os.path.exists(shares):
            raise RuntimeError('the stack at %s has no NFS share file %s: '
                               'run tools/stack.sh up (part-nfs.sh)'
                               % (cls.stack.dir, shares))
        with open(shares) as f:
            share = f.read().split()[0]
        cls.share_dir = os.path.join(
            cls.stack.dir, 'nfs', 'mnt',
            hashlib.md5(share.encode()).hexdigest())
        with open(os.path.join(cls.stack.dir, 'cinder.conf')) as f:
            endpoint = [line.split('=', 1)[1].strip() for line in f
                        if line.startswith('endpoint = http')]
        cls.nova_url = endpoint[-1].rsplit('/v2.1', 1)[0]
        cls.writes = []

    def nova(self, method, path, body=None):
        """Call the control API of the stack's emulated Nova."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.nova_url + path, data=data, method=method,
            headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as resp:
            text = resp.read()
        return json.loads(text) if text else None

    def behave(self, **behaviour):
        self.nova('DELETE', '/emulator/behaviour')
        if behaviour:
            self.nova('PUT', '/emulator/behaviour', behaviour)

    def nova_events(self, snapshot_id):
        return self.nova('GET', '/emulator/events?snapshot_id=%s'
                         % snapshot_id)['events']

    def callbacks(self, snapshot_id, count):
        """The first event's callbacks once there are count of them."""
        found = self.nova_events(snapshot_id)[0]['callbacks']
        return found if len(found) >= count else None

    def admin_metadata(self, snapshot_id):
        """The snapshot's admin metadata, through cinder-snapext's API."""
        request = urllib.request.Request(
            '%s/snapshots/%s/snapext-admin-metadata' % (
                self.env['CINDER_ENDPOINT'], snapshot_id),
            headers={'X-Auth-Token': '%s:%s' % (self.env['OS_USER_ID'],
                                                self.env['OS_PROJECT_ID']),
                     'OpenStack-API-Version': 'volume 3.71'})
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.loads(resp.read())['admin_metadata']

    def pass_deadline(self, snapshot_id):
        """Move the phase's deadline to the past: the clock, not Nova.

        The only way to let the stack's real periodic check find an overdue
        phase without waiting out assisted_snapshot_create_timeout.
        """
        database = cinder_db.CinderDb(self.stack.dir)
        try:
            changed = database.update(
                "UPDATE snapext_snapshot_admin_metadata SET value = "
                "'2000-01-01T00:00:00Z' WHERE snapshot_id = :id AND "
                "key = 'snapext:phase_deadline' AND NOT deleted",
                {'id': snapshot_id})
        finally:
            database.close()
        self.assertEqual(1, changed)

    def path(self, name):
        """A file of the share (an absolute name stays as it is)."""
        return os.path.join(self.share_dir, name)

    def info(self, volume_id=None):
        """The driver's .info file of a volume: snapshot id -> overlay."""
        volume_id = volume_id or self.ctx['volume']
        path = self.path('volume-%s.info' % volume_id)
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f)

    def active(self):
        return self.info().get('active', 'volume-%s' % self.ctx['volume'])

    def image_info(self, name):
        out = cli.run(['qemu-img', 'info', '-U', '--output=json',
                        self.path(name)], env=self.env)[1]
        return json.loads(out)

    def files_of(self, volume_id):
        prefix = 'volume-%s' % volume_id
        return sorted(n for n in os.listdir(self.share_dir)
                      if n == prefix or n.startswith(prefix + '.'))

    def write(self, off_mib, len_mib, byte):
        """Write into the active file, as the instance would."""
        active = self.path(self.active())
        if self.image_info(active)['format'] == 'raw':
            with open(active, 'r+b') as f:
                f.seek(off_mib * data.MiB)
                f.write(bytes([byte]) * (len_mib * data.MiB))
        else:
            cli.run(['qemu-io', '-f', 'qcow2', '-c', 'write -P 0x%02x %dM '
                      '%dM' % (byte, off_mib, len_mib), active],
                     env=self.env)
        self.writes.append((off_mib, len_mib, byte))

    def expected(self):
        """SHA-256 the volume should have after self.writes."""
        return data.fill_sha256(SIZE_GB * data.GiB, self.writes)

    def sha_of(self, name):
        """SHA-256 of the whole virtual disk of a file's chain."""
        tmp = os.path.join(self.stack.dir, 'nfs', 'it-%s.raw' % self.run_id)
        try:
            cli.run(['qemu-img', 'convert', '-U', '-O', 'raw',
                      self.path(name), tmp], env=self.env)
            digest = hashlib.sha256()
            with open(tmp, 'rb') as f:
                for block in iter(lambda: f.read(4 * data.MiB), b''):
                    digest.update(block)
            return digest.hexdigest()
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def overlay_sha(self, overlay):
        """The data an overlay's snapshot holds: its backing chain."""
        return self.sha_of(self.image_info(overlay)['backing-filename'])

    def snapshot_sha(self, snapshot_id):
        """The data a snapshot holds: its overlay's backing chain."""
        overlay = self.info()[snapshot_id]
        return self.overlay_sha(overlay)

    def snapshot(self, what, volume_id=None, status='available'):
        """Create a snapshot with the cinder CLI; wait for status."""
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          volume_id or self.ctx['volume'])
        snapshot_id = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snapshot_id)
        if status == 'available':
            self.wait_status('snapshot', snapshot_id, status)
        else:
            self.wait_for('snapshot %s %s' % (snapshot_id, status),
                          lambda: self.show('snapshot', snapshot_id)[
                              'status'] == status)
        return snapshot_id
