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

"""Unit test base: Cinder's TestCase plus our tables, objects and rules."""

import os
import sys

from cinder.db import api as cinder_db_api
from cinder.tests.unit import test

from cinder_snapext.db import migration
from cinder_snapext import objects
from cinder_snapext import policies
from cinder_snapext.tests import file_database

objects.register_all()

# Pip-installed Cinder keeps its etc/ files under sys.prefix, not beside
# the package where Cinder's test base looks for them.
CINDER_ETC = os.path.join(sys.prefix, 'etc', 'cinder')


class TestCase(test.TestCase):
    """Cinder's unit TestCase with cinder-snapext's schema applied."""

    RESOURCE_FILTER_PATH = os.path.join(CINDER_ETC, 'resource_filters.json')

    def setUp(self):
        file_database.use_an_empty_file()
        super().setUp()
        # Cinder's fixture rebuilds only Cinder's tables for each test.
        migration.db_sync(engine=cinder_db_api.get_engine())
        policies.register()
