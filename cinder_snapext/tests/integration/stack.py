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

"""Where the stack of tools/stack.sh lives, and how its clients reach it."""

import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                     '..', '..', '..'))

# The log of each RBD volume service (part-cluster.sh's second member).
MEMBER_LOGS = {'ci@ceph': 'cinder-volume.log',
               'ci2@ceph': 'cinder-volume-2.log'}


class Stack:
    """Where the stack of tools/stack.sh lives, and how to reach it."""

    def __init__(self, state_dir):
        self.dir = state_dir
        self.venv = os.path.join(state_dir, 'venv')
        self.cinder_bin = os.path.join(self.venv, 'bin', 'cinder')
        self.python = os.path.join(self.venv, 'bin', 'python')
        self.ceph_conf = os.path.join(state_dir, 'ceph', 'ceph.conf')
        self.rbdtool = os.path.join(REPO, 'tools', 'stack', 'rbdtool.py')
        if not os.path.exists(self.rbdtool):
            self.rbdtool = os.path.join(state_dir, 'rbdtool.py')
        self.openrc = os.path.join(state_dir, 'openrc')
        self.clouds_yaml = os.path.join(state_dir, 'clouds.yaml')
        # A Cinder project of the caller's own (own_project), or openrc's.
        self.project_id = None

    @classmethod
    def locate(cls):
        state = os.environ.get('SNAPEXT_STACK_DIR') or os.path.join(
            REPO, '.stack')
        stack = cls(os.path.abspath(state))
        missing = [p for p in (stack.cinder_bin, stack.openrc,
                               stack.ceph_conf, stack.rbdtool)
                   if not os.path.exists(p)]
        if missing:
            raise RuntimeError(
                'no stack at %s (missing %s): run tools/stack.sh up, or set '
                'SNAPEXT_STACK_DIR' % (state, ', '.join(missing)))
        return stack

    def ceph_hosts(self):
        """The volume services (host@backend) that serve the RBD backend.

        One, unless the stack runs as a cluster (CLUSTER=1,
        tools/stack/lib/part-cluster.sh), which lists its members.
        """
        try:
            with open(os.path.join(self.dir, 'cluster', 'ceph-hosts')) as f:
                hosts = [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            hosts = []
        return hosts or ['ci@ceph']

    def clustered(self):
        """Whether the RBD backend runs as an active-active cluster."""
        return len(self.ceph_hosts()) > 1

    def require_cluster(self):
        """Raise unless the stack runs CLUSTER=1 (a scenario's setUpClass)."""
        if not self.clustered():
            raise RuntimeError('the stack at %s is not a cluster: run '
                               'CLUSTER=1 tools/stack.sh up' % self.dir)

    def member_log(self, host):
        """What the cluster member ``host`` (host@backend) logged so far."""
        with open(os.path.join(self.dir, 'logs', MEMBER_LOGS[host])) as f:
            return f.read()

    def cli_env(self):
        """The caller's environment with openrc's settings.

        No other OpenStack settings: an OS_CLOUD of the caller must not
        leak in.
        """
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'CINDER_'))}
        with open(self.openrc) as f:
            for line in f:
                line = line.strip()
                if line.startswith('export ') and '=' in line:
                    key, value = line[len('export '):].split('=', 1)
                    if key != 'PATH':
                        env[key] = value
        env['PATH'] = os.path.join(self.venv, 'bin') + ':' + env.get(
            'PATH', '/usr/bin:/bin')
        if self.project_id:
            env['OS_PROJECT_ID'] = self.project_id
        return env

    def own_project(self, project_id):
        """Act in project_id from now on, when the stack is noauth.

        Noauth Cinder takes any project id from the request: a scenario
        class in a project of its own lists, counts quota for and sweeps
        only what it made, so classes can run side by side on one stack.
        The openstack CLI and openstacksdk get a clouds.yaml of their own
        with that project in the token. Behind Keystone the project is
        the one openrc names; returns whether the project changed.
        """
        env = self.cli_env()
        if env.get('OS_AUTH_TYPE') != 'noauth':
            return False
        token = '%s:%s' % (env['OS_USER_ID'], env['OS_PROJECT_ID'])
        with open(self.clouds_yaml) as f:
            clouds = f.read()
        if clouds.count(token) != 1:
            raise RuntimeError('%s has no token %s to replace' % (
                self.clouds_yaml, token))
        folder = os.path.join(self.dir, 'itest', 'projects')
        os.makedirs(folder, exist_ok=True)
        self.clouds_yaml = os.path.join(folder, '%s.yaml' % project_id)
        with open(self.clouds_yaml, 'w') as f:
            f.write(clouds.replace(token, '%s:%s' % (env['OS_USER_ID'],
                                                     project_id)))
        self.project_id = project_id
        return True
