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

"""Server errors in a cinder-api log, grouped by where they came from."""

import os

import fixtures
import testtools

from cinder_snapext.tests.fuzz import tracebacks

_LOG = '''\
2026-12-06 13:40:26.371 19593 INFO eventlet.wsgi.server [-] GET /v3
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault [req-1] \
Caught error: <class 'ValueError'> boom
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault \
Traceback (most recent call last):
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault   File \
"/v/site-packages/cinder_snapext/api/ids.py", line 3, in volume_id
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault   File \
"/v/site-packages/sqlalchemy/engine/default.py", line 9, in do_execute
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault \
ValueError: NUL
2026-12-06 13:40:26.371 19593 ERROR cinder.api.middleware.fault %s
2026-12-06 13:40:27.000 19593 ERROR cinder.api.middleware.fault [req-2] \
no traceback here
''' % ' '


class ClassesTestCase(testtools.TestCase):

    def test_records_grouped_by_our_frame_last_frame_and_error(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, 'log')
        with open(path, 'w') as f:
            f.write(_LOG + _LOG.replace('13:40:26', '13:41:00'))
        found = tracebacks.classes(path)
        self.assertEqual({('cinder_snapext/api/ids.py:volume_id',
                           'sqlalchemy/engine/default.py:do_execute',
                           'ValueError: NUL'): 2}, dict(found))
        self.assertEqual({}, dict(tracebacks.classes(path, len(_LOG) * 2)))
