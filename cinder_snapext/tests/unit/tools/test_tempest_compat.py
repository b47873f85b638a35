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

"""The compat pass's volumes as tools/tempest_compat.py reads them."""

import datetime
import importlib.util
import os

import fixtures
import sqlalchemy
import testtools

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    '..', '..', '..', '..'))
_spec = importlib.util.spec_from_file_location(
    'tempest_compat', os.path.join(REPO, 'tools', 'tempest_compat.py'))
tempest_compat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tempest_compat)

# A pass that began at 12:00:00 UTC.
SINCE = int(datetime.datetime(2026, 1, 2, 12, 0, 0,
                              tzinfo=datetime.UTC).timestamp())


class CreatedSinceTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        url = 'sqlite:///' + os.path.join(tmp, 'cinder.sqlite')
        self.conf = os.path.join(tmp, 'cinder.conf')
        # Like the stack's cinder.conf: repeated and unknown options.
        with open(self.conf, 'w') as f:
            f.write('[DEFAULT]\nosapi_volume_extension = a\n'
                    'osapi_volume_extension = b\nhost = ci\n\n'
                    '[ceph]\nrbd_pool = volumes\n\n'
                    '[database]\nconnection = %s\n' % url)
        engine = sqlalchemy.create_engine(url)
        self.addCleanup(engine.dispose)
        with engine.begin() as db:
            db.execute(sqlalchemy.text(
                'CREATE TABLE volumes (id TEXT, host TEXT, status TEXT, '
                'deleted BOOLEAN, created_at DATETIME)'))
            rows = [
                ('before', 'ci@ceph#ceph', 'available', False, (11, 59, 59)),
                ('first', 'ci-compat@ceph-compat#ceph-compat', 'deleted',
                 True, (12, 0, 0)),
                ('unplaced', None, 'error', False, (12, 3, 0)),
                ('second', 'ci-compat@ceph-compat#ceph-compat', 'available',
                 False, (12, 1, 0)),
            ]
            for vid, host, status, deleted, hms in rows:
                db.execute(sqlalchemy.text(
                    'INSERT INTO volumes VALUES (:i, :h, :s, :d, :c)'),
                    {'i': vid, 'h': host, 's': status, 'd': deleted,
                     'c': datetime.datetime(2026, 1, 2, *hms)})

    def test_volumes_created_since_in_order_deleted_included(self):
        self.assertEqual(
            [('first', 'ci-compat@ceph-compat#ceph-compat', 'deleted', 1),
             ('second', 'ci-compat@ceph-compat#ceph-compat', 'available',
              0),
             ('unplaced', '-', 'error', 0)],
            tempest_compat.created_since(self.conf, SINCE))

    def test_nothing_created_since(self):
        self.assertEqual(
            [], tempest_compat.created_since(self.conf, SINCE + 3600))
