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

"""Base for scenarios on the real stack, driven by the stock cinder CLI.

Every step goes through processes, as an operator would: the ``cinder``
client of the stack's venv (noauth, settings from ``<state>/openrc``) and,
for data, ``tools/stack/rbdtool.py`` (librbd as client.cinder). Waits
and the clean-up read statuses through the REST API (``cleanup.py``): a
CLI process per poll cost more than the work awaited. Every wait has a
deadline. A scenario is a class whose ``test_NN_*`` steps run
in name order, serially, and share state on the class; a step that fails
makes the later ones skip, except the ``always`` steps (clean-up).
"""

import functools
import json
import os
import time
import urllib.error
import urllib.request
import uuid

import testtools
from testtools import content

from cinder_snapext.tests.integration import cleanup
from cinder_snapext.tests.integration import cli
from cinder_snapext.tests.integration import rbd_data
from cinder_snapext.tests.integration import stack

TIMEOUT = int(os.environ.get('SNAPEXT_IT_TIMEOUT', '180'))
POLL = 0.5

def step(func=None, always=False):
    """Mark a scenario step: skipped once an earlier step failed."""
    if func is None:
        return functools.partial(step, always=always)

    @functools.wraps(func)
    def wrapper(self):
        cls = type(self)
        if cls.failed_step and not always:
            self.skipTest('an earlier step failed: %s' % cls.failed_step)
        try:
            func(self)
        except self.skipException:
            raise
        except BaseException:
            if not cls.failed_step:
                cls.failed_step = func.__name__
            raise
    return wrapper


def alive(pid):
    """A process runs with that pid (a zombie has finished)."""
    try:
        with open('/proc/%s/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


class ScenarioTestCase(cleanup.CleanupMixin, rbd_data.RbdDataMixin,
                       testtools.TestCase):
    """Steps of one scenario on the stack, sharing state on the class."""

    failed_step = None
    stack = None
    # A Cinder project of the class's own under noauth (Stack.own_project);
    # the fault and lifecycle scenarios run alone and keep openrc's.
    own_project = True
    timeout = TIMEOUT
    poll = POLL

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stack = stack.Stack.locate()
        cls.run_id = uuid.uuid4().hex[:8]
        # Each class in a project of its own (noauth), its names with a
        # prefix of its own: classes run side by side on one stack.
        if cls.own_project:
            cls.stack.own_project(uuid.uuid4().hex)
        cls.env = cls.stack.cli_env()
        cls.failed_step = None
        # Every id the class's sweeps deleted: kind -> [id, ...].
        cls.swept = {'volume': [], 'snapshot': [], 'backup': []}
        cls.ctx = {}
        # What the scenario made, for clean-up: kind -> [id, ...].
        cls.made = {'volume': [], 'snapshot': [], 'backup': []}

    # -- the cinder CLI ------------------------------------------------

    def cinder(self, *args, check=True):
        """Run the stock cinder CLI; return its stdout."""
        rc, out, err = cli.run([self.stack.cinder_bin] + list(args),
                               env=self.env, check=check)
        return out if check else (rc, out, err)

    def stack_tool(self, *args, timeout=300):
        """Run tools/stack.sh on this stack; return its stdout."""
        # The slot sets the ports: the caller's, or read back from the
        # API's port (noauth: Keystone's catalogue is not in openrc).
        slot = os.environ.get('SNAPEXT_STACK_SLOT')
        if slot is None:
            port = self.env['CINDER_ENDPOINT'].rsplit(':', 1)[1]
            slot = str((int(port.split('/')[0]) - 8776) // 10)
        env = dict(self.env, SNAPEXT_STACK_DIR=self.stack.dir,
                   SNAPEXT_STACK_SLOT=slot)
        tool = os.path.join(stack.REPO, 'tools', 'stack.sh')
        return cli.run([tool] + list(args), env=env, timeout=timeout)[1]

    def api(self, method, path, body=None):
        """A REST call to Cinder as the CLI sends it: (status, body)."""
        request = urllib.request.Request(
            self.env['CINDER_ENDPOINT'] + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={'Content-Type': 'application/json',
                     'X-Auth-Token': '%s:%s' % (self.env['OS_USER_ID'],
                                                self.env['OS_PROJECT_ID']),
                     'OpenStack-API-Version': 'volume 3.71'})
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b'null')
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def show(self, kind, obj_id):
        """cinder show / snapshot-show / backup-show as a dict.

        None when Cinder answers that there is no such object.
        """
        cmd = {'volume': 'show', 'snapshot': 'snapshot-show',
               'backup': 'backup-show'}[kind]
        rc, out, err = self.cinder(cmd, obj_id, check=False)
        if rc == 0:
            return cli.parse_properties(out)
        # "No volume with a name or ID ..." ("volumebackup" for backups).
        if ' with a name or ID of ' in err or '(HTTP 404)' in err:
            return None
        raise cli.CommandFailed(['cinder', cmd, obj_id], rc, out, err)

    def _messages(self, resource_id):
        """The user messages Cinder keeps about one resource."""
        rows = cli.parse_table(self.cinder('message-list'))
        return [r['User Message'] for r in rows
                if r.get('Resource UUID') == resource_id]

    def snapshot_rows_of(self, volume_ids):
        """``snapshot-list --all-tenants``: the rows on these volumes.

        A refused request about a volume may leave no snapshot row on it,
        in any project; rows on other classes' volumes are their work in
        flight (classes run side by side).
        """
        return [r for r in cli.parse_table(self.cinder(
            'snapshot-list', '--all-tenants'))
            if r.get('Volume ID') in volume_ids]

    def name(self, what):
        return 'snapext-it-%s-%s' % (self.run_id, what)

    def create_volume(self, what, volume_type='ceph'):
        """A new 1 GiB volume, available; the sweep deletes it."""
        out = self.cinder('create', '--volume-type', volume_type, '--name',
                          self.name(what), '1')
        volume_id = cli.parse_properties(out)['id']
        self.made['volume'].append(volume_id)
        self.wait_status('volume', volume_id, 'available')
        return volume_id

    # -- waiting -----------------------------------------------------------

    def wait_for(self, what, probe, timeout=TIMEOUT, poll=None):
        """Poll probe() until it returns something true; return that."""
        end = time.monotonic() + timeout
        last = None
        while True:
            last = probe()
            if last:
                return last
            if time.monotonic() >= end:
                self.fail('%s: not reached within %ss' % (what, timeout))
            time.sleep(poll or POLL)

    def wait_status(self, kind, obj_id, status, timeout=TIMEOUT):
        """Wait until the object has status.

        Fail at once on an error status (with Cinder's fail_reason for
        backups).
        """
        seen = {}

        def probe():
            obj = self.lookup(kind, obj_id)
            if obj is None:
                self.fail('%s %s disappeared while waiting for %s' % (
                    kind, obj_id, status))
            seen.update(obj)
            if obj['status'] != status and obj['status'].startswith(
                    'error'):
                self.fail('%s %s went to %s (fail_reason: %s)' % (
                    kind, obj_id, obj['status'], obj.get('fail_reason')))
            if obj['status'] != status:
                return None
            # Reached: the caller gets what the CLI shows (its field
            # names), read once rather than at every poll.
            shown = self.show(kind, obj_id)
            return shown if shown and shown['status'] == status else None

        try:
            return self.wait_for('%s %s status %s' % (kind, obj_id, status),
                                 probe, timeout)
        except self.failureException:
            if seen:
                self.addDetail('last %s' % kind, content.text_content(
                    json.dumps(seen, indent=1)))
            raise

    def wait_gone(self, kind, obj_id, timeout=TIMEOUT):
        def probe():
            obj = self.lookup(kind, obj_id)
            if obj is not None and obj['status'].startswith('error'):
                self.fail('%s %s went to %s' % (kind, obj_id, obj['status']))
            return obj is None
        self.wait_for('%s %s gone' % (kind, obj_id), probe, timeout)

    def export(self, volume_id, what):
        """Snapshot the volume and export (unmanage) it; its reference."""
        out = self.cinder('snapshot-create', '--name', self.name(what),
                          volume_id)
        snap = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap)
        self.wait_status('snapshot', snap, 'available')
        self.cinder('snapshot-unmanage', snap)
        self.wait_gone('snapshot', snap)
        self.made['snapshot'].remove(snap)
        return 'snapshot-%s' % snap

    def take_back(self, volume_id, reference, check=True):
        """Import an exported snapshot again, so a sweep deletes it.

        Returns the new snapshot's id, or None when check is false and
        Cinder refused.
        """
        rc, out, err = self.cinder(
            'snapshot-manage', '--id-type', 'source-name', '--name',
            self.name('cleanup'), volume_id, reference, check=False)
        if rc != 0:
            if check:
                raise cli.CommandFailed(['cinder', 'snapshot-manage'], rc,
                                        out, err)
            return None
        snap = cli.parse_properties(out)['id']
        self.made['snapshot'].append(snap)
        self.wait_for('managed snapshot', lambda: self.lookup(
            'snapshot', snap)['status'] != 'creating')
        return snap
