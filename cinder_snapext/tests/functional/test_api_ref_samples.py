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

"""The samples of api-ref/, replayed against the live API.

Each request sample is sent as it is written (only ids and names that
must point at live objects are filled in), and the answer must have the
structure of its response sample: the same keys at every level and the
same JSON types; values (ids, timestamps) may differ. A sample that no
test replays fails the suite too, so the reference cannot drift.
"""

import json
import os

from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder.tests.unit import utils as test_utils
import testtools

from cinder_snapext.objects import snapshot_admin_metadata
from cinder_snapext.tests.functional import base
from cinder_snapext.volume.assisted import phases

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLES = os.path.join(_REPO, 'api-ref', 'source', 'samples')
_List = snapshot_admin_metadata.SnapextSnapshotAdminMetadataList


def sample(name):
    with open(os.path.join(SAMPLES, name)) as f:
        return json.load(f)


def structure(value):
    """Keys and JSON types of ``value``; a list by its first item."""
    if isinstance(value, dict):
        return {key: structure(item) for key, item in value.items()}
    if isinstance(value, list):
        return [structure(value[0])] if value else []
    return type(value).__name__


class ApiRefSamplesTestCase(base.FunctionalTestCase):
    """Every sample of api-ref/source/samples, in one live sequence."""

    _osapi_version = '3.0'

    def setUp(self):
        super().setUp()
        self.replayed = set()
        self.snapshot = self.create_volume_and_snapshot()
        self.volume = self.api.get_volume(self.snapshot['volume_id'])

    def request(self, method, path, request=None, microversion=None,
                fill=None):
        """Send the request sample named ``request``, filled by ``fill``."""
        body = None
        if request is not None:
            self.replayed.add(request)
            body = sample(request)
            for keys, value in (fill or {}).items():
                target = body
                for key in keys[:-1]:
                    target = target[key]
                # Only values the sample already has are replaced.
                self.assertIn(keys[-1], target, request)
                target[keys[-1]] = value
        headers = {}
        if body is not None:
            headers['Content-Type'] = 'application/json'
        # The client sends its own microversion header with every request.
        self.api.api_version = microversion or self._osapi_version
        try:
            return self.api.api_request(
                path, method=method,
                body=json.dumps(body) if body is not None else None,
                headers=headers)
        finally:
            self.api.api_version = self._osapi_version

    def replay(self, method, path, status, request=None, response=None,
               **kwargs):
        """Send, check the status; compare with ``response``'s structure."""
        answer = self.request(method, path, request, **kwargs)
        self.assertEqual(status, answer.status_code, answer.text)
        if response is None:
            self.assertEqual(b'', answer.content)
            return None
        self.replayed.add(response)
        live = answer.json()
        self.assertEqual(structure(sample(response)), structure(live),
                         '%s %s: live answer %s' % (method, path, live))
        return live

    def test_every_sample_matches_the_live_api(self):
        ctxt = cinder_context.get_admin_context()
        snap = self.snapshot['id']
        meta = '/snapshots/%s/snapext-admin-metadata' % snap

        self.replay('GET', '/extensions/os-snapext', 200,
                    response='extension-show-response.json')

        # A closed assisted phase, as the volume service records it.
        _List.set_for_snapshot(ctxt, snap, {
            phases.PHASE_KEY: phases.CREATE_DONE,
            phases.DEADLINE_KEY: '2026-12-06T10:40:00Z',
            phases.HOST_KEY: 'node1@nfs'})
        self.replay('POST', meta, 200, 'admin-metadata-set-request.json',
                    'admin-metadata-set-response.json')
        self.replay('PUT', meta + '/ticket', 200,
                    'admin-metadata-update-request.json',
                    'admin-metadata-update-response.json')
        self.replay('GET', meta, 200,
                    response='admin-metadata-list-response.json')
        self.replay('GET', meta + '/ticket', 200,
                    response='admin-metadata-show-response.json')
        self.replay('DELETE', meta + '/owner', 204)

        # An open phase past its deadline: stuck.
        _List.set_for_snapshot(ctxt, snap, {
            phases.PHASE_KEY: phases.CREATE_WAITING,
            phases.DEADLINE_KEY: '2001-01-01T00:00:00Z'})
        listed = self.replay('GET', '/snapext-assisted-phases?stuck=true',
                             200,
                             response='assisted-phases-list-response.json')
        self.assertEqual([snap], [p['snapshot_id']
                                  for p in listed['assisted_phases']])
        self.replay('GET', '/snapext-assisted-phases/%s' % snap, 200,
                    response='assisted-phase-show-response.json')
        _List.delete_for_snapshot(ctxt, snap, phases.PHASE_KEY)

        self.replay_status_update(ctxt)
        self.replay_backup_verify(ctxt)
        self.replay_export_and_import()
        self.assertEqual(sorted(os.listdir(SAMPLES)), sorted(self.replayed))

    def replay_status_update(self, ctxt):
        # Nova reports on a snapshot that is being created.
        other = self.api.post_snapshot(
            {'snapshot': {'volume_id': self.volume['id']}})
        self.wait_for(lambda: self.api.get_snapshot(other['id']),
                      lambda s: s['status'] == 'available')
        snapshot = cinder_objects.Snapshot.get_by_id(ctxt, other['id'])
        snapshot.status = 'creating'
        snapshot.save()
        self.replay('POST', '/snapshots/%s/action' % other['id'], 202,
                    'snapshot-status-update-request.json')
        self.assertEqual(
            phases.CREATING_COMPUTE_COMPLETE,
            phases.read(ctxt, other['id'])[phases.COMPUTE_STATUS_KEY])

    def replay_backup_verify(self, ctxt):
        # A Ceph backup on a backup service that is up; the cast that the
        # answer follows has no listener in this test.
        service = test_utils.create_service(ctxt, {
            'host': 'backup-node', 'binary': 'cinder-backup',
            'topic': 'cinder-backup'})
        backup = test_utils.create_backup(
            ctxt, self.volume['id'], host=service.host,
            status='available')
        backup.service = 'cinder.backup.drivers.ceph.CephBackupDriver'
        backup.save()
        self.replay('POST', '/backups/%s/action' % backup.id, 202,
                    'backup-verify-request.json')

    def export(self, snapshot_id):
        exported = self.replay(
            'POST', '/os-snapshot-manage/%s/action' % snapshot_id, 202,
            'snapshot-export-request.json',
            'snapshot-export-response.json')
        self.wait_for(lambda: self.api.get_snapshot(snapshot_id),
                      lambda s: s is None)
        return exported['snapshot']['reference']

    def replay_export_and_import(self):
        second = self.api.post_snapshot(
            {'snapshot': {'volume_id': self.volume['id']}})
        self.wait_for(lambda: self.api.get_snapshot(second['id']),
                      lambda s: s['status'] == 'available')
        host = self.volume['os-vol-host-attr:host']
        # Both import routes take the same body, host included.
        for snapshot_id, route, microversion, response in (
                (self.snapshot['id'], '/os-snapshot-manage', None,
                 'snapshot-manage-response.json'),
                (second['id'], '/manageable_snapshots', '3.8',
                 'snapshot-manage-response.json')):
            reference = self.export(snapshot_id)
            self.replay('POST', route, 202, 'snapshot-manage-request.json',
                        response, microversion=microversion,
                        fill={('snapshot', 'volume_id'): self.volume['id'],
                              ('snapshot', 'ref'): reference,
                              ('snapshot', 'host'): host})


class StructureTestCase(testtools.TestCase):
    """The comparison itself: it must see a changed key or type."""

    def test_structure_tells_types_and_keys_apart(self):
        self.assertNotEqual(structure({'a': 1}), structure({'a': '1'}))
        self.assertNotEqual(structure({'a': None}), structure({'b': None}))
        self.assertNotEqual(structure({'a': {}}), structure({'a': []}))
        self.assertEqual(structure({'a': [{'b': 'x'}]}),
                         structure({'a': [{'b': 'y'}, {'b': 'z'}]}))
