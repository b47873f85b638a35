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

"""Policy rules of cinder-snapext and their registration into Cinder's."""

from cinder.policies import base
from cinder import policy as cinder_policy
from oslo_policy import policy

from cinder_snapext.internals import policy as internal_policy

ADMIN_METADATA_GET = 'snapext:snapshot_admin_metadata:get'
ADMIN_METADATA_UPDATE = 'snapext:snapshot_admin_metadata:update'
ADMIN_METADATA_DELETE = 'snapext:snapshot_admin_metadata:delete'
ASSISTED_PHASE_GET = 'snapext:assisted_phase:get'
BACKUP_VERIFY = 'snapext:backup:verify'

_ADMIN_METADATA_PATH = '/snapshots/{snapshot_id}/snapext-admin-metadata'
_ASSISTED_PHASES_PATH = '/snapext-assisted-phases'


def _admin_rule(name, description, operations):
    return policy.DocumentedRuleDefault(
        name=name, check_str=base.RULE_ADMIN_API, description=description,
        operations=[{'method': method, 'path': path}
                    for method, path in operations])


rules = [
    _admin_rule(
        ADMIN_METADATA_GET,
        'Show the admin metadata of a snapshot: the internal state that '
        'cinder-snapext keeps for it, such as the phase of an assisted '
        'snapshot.',
        [('GET', _ADMIN_METADATA_PATH),
         ('GET', _ADMIN_METADATA_PATH + '/{key}')]),
    _admin_rule(
        ADMIN_METADATA_UPDATE,
        'Set keys of the admin metadata of a snapshot, for operators\' own '
        'bookkeeping. Keys starting with "snapext:" stay cinder-snapext\'s '
        'own.',
        [('POST', _ADMIN_METADATA_PATH),
         ('PUT', _ADMIN_METADATA_PATH + '/{key}')]),
    _admin_rule(
        ADMIN_METADATA_DELETE,
        'Delete a key of the admin metadata of a snapshot. Keys starting '
        'with "snapext:" stay cinder-snapext\'s own.',
        [('DELETE', _ADMIN_METADATA_PATH + '/{key}')]),
    _admin_rule(
        ASSISTED_PHASE_GET,
        'List and show the phases of assisted snapshots in every project: '
        'phase, volume service, deadline, and whether the phase is stuck '
        'past its deadline.',
        [('GET', _ASSISTED_PHASES_PATH),
         ('GET', _ASSISTED_PHASES_PATH + '/{snapshot_id}')]),
    _admin_rule(
        BACKUP_VERIFY,
        'Verify a Ceph backup against its source snapshot (action '
        'snapext-verify): its backup service reads both in full; a '
        'mismatch puts the backup in error with a user message.',
        [('POST', '/backups/{backup_id}/action (snapext-verify)')]),
]


def list_rules():
    """Rules for oslopolicy-sample-generator (namespace cinder_snapext)."""
    return rules


def register(enforcer=None):
    """Register our defaults into Cinder's enforcer, once per enforcer.

    Cinder's enforcer only knows Cinder's rules, and ``cinder.policy.reset``
    throws it away (tests do), so this runs before every check: after the
    first time it is a dictionary lookup per rule.
    """
    if enforcer is None:
        cinder_policy.init()
        enforcer = internal_policy.enforcer()
    for rule in rules:
        if rule.name not in enforcer.registered_rules:
            enforcer.register_default(rule)
    return enforcer


def authorize(context, action, target_obj=None):
    """Authorize ``action`` like Cinder does, with our rules registered."""
    register()
    return context.authorize(action, target_obj=target_obj)
