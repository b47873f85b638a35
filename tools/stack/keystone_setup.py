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

"""Idempotent Keystone registrations of tools/stack.sh, in one process.

``register``: the service project, the cinder service user (admin and
service roles there), the block-storage v3 service with its public
endpoint, and the member user demo in project demo.

``network-standin``: a ``network`` endpoint that answers 404, for tempest
(see doc/source/contributor/tempest.rst); ``compat-endpoint``: the
``block-storage-compat`` service with its public endpoint, the second
cinder-api of tempest's compat pass (tools/tempest.sh);
``cleanup-tempest``: delete the projects and users tempest's dynamic
credentials left behind.

Settings come from SNAPEXT_KS_* environment variables (part-keystone.sh).
"""

import os
import sys

import openstack


def _connect():
    return openstack.connect(
        auth_url=os.environ['SNAPEXT_KS_URL'], username='admin',
        password=os.environ['SNAPEXT_KS_ADMIN_PASSWORD'],
        project_name='admin', user_domain_name='Default',
        project_domain_name='Default', region_name='RegionOne')


def _project(ident, name, description):
    found = ident.find_project(name, domain_id='default')
    return found or ident.create_project(
        name=name, domain_id='default', description=description)


def _user(ident, name, password, project):
    user = ident.find_user(name, domain_id='default')
    if user is None:
        return ident.create_user(name=name, password=password,
                                 domain_id='default',
                                 default_project_id=project.id)
    # The password the stack writes into its configs is the one that works.
    return ident.update_user(user, password=password)


def _grant(ident, project, user, role_name):
    role = ident.find_role(role_name)
    if role is None:
        sys.exit('role %s missing: keystone-manage bootstrap makes it'
                 % role_name)
    if not ident.validate_user_has_project_role(project, user, role):
        ident.assign_project_role_to_user(project, user, role)


def _service_endpoint(ident, service_type, name, description, url):
    services = [s for s in ident.services() if s.type == service_type]
    service = services[0] if services else ident.create_service(
        type=service_type, name=name, description=description)
    for endpoint in ident.endpoints(service_id=service.id):
        if endpoint.interface == 'public':
            if endpoint.url != url:
                ident.update_endpoint(endpoint, url=url)
            return
    ident.create_endpoint(service_id=service.id, interface='public',
                          url=url, region_id='RegionOne')


def register(conn):
    ident = conn.identity
    service = _project(ident, 'service', 'Service users')
    cinder = _user(ident, 'cinder',
                   os.environ['SNAPEXT_KS_CINDER_PASSWORD'], service)
    _grant(ident, service, cinder, 'admin')
    _grant(ident, service, cinder, 'service')
    _service_endpoint(ident, 'block-storage', 'cinderv3',
                      'Cinder with cinder-snapext',
                      os.environ['SNAPEXT_KS_VOLUME_URL'])
    demo = _project(ident, 'demo', 'A member project for the CLIs')
    user = _user(ident, 'demo', os.environ['SNAPEXT_KS_DEMO_PASSWORD'],
                 demo)
    _grant(ident, demo, user, 'member')


def network_standin(conn):
    # Tempest's credential clean-up asks the network service for the
    # default security group and only catches NotFound: without any
    # network endpoint it raises before deleting the project.
    _service_endpoint(conn.identity, 'network', 'no-neutron',
                      '404 for tempest: this stack has no Neutron',
                      os.environ['SNAPEXT_KS_URL'].rsplit('/v3', 1)[0] +
                      '/no-neutron')


def compat_endpoint(conn):
    # A service type of its own: stock clients keep finding the stack's
    # cinder-api under block-storage; only a tempest.conf that asks for
    # this type reaches the second one.
    _service_endpoint(conn.identity, 'block-storage-compat',
                      'cinderv3-compat',
                      "cinder-api with Cinder's own behaviour, for tempest",
                      os.environ['SNAPEXT_KS_COMPAT_URL'])


def cleanup_tempest(conn):
    ident = conn.identity
    for user in list(ident.users(domain_id='default')):
        if user.name.startswith('tempest-'):
            ident.delete_user(user)
    for project in list(ident.projects(domain_id='default')):
        if project.name.startswith('tempest-'):
            ident.delete_project(project)


def main():
    actions = {'register': register, 'network-standin': network_standin,
               'compat-endpoint': compat_endpoint,
               'cleanup-tempest': cleanup_tempest}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        sys.exit('usage: %s %s' % (sys.argv[0], '|'.join(actions)))
    actions[sys.argv[1]](_connect())


if __name__ == '__main__':
    main()
