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

"""The fuzz corpus: reproducible, schema-shaped, every route and mutation."""

import json

from cinder.api.validation import validators
import hypothesis
import testtools

from cinder_snapext.api import schemas
from cinder_snapext.tests.fuzz import corpus
from cinder_snapext.tests.fuzz import routes
from cinder_snapext.tests.fuzz import schema_strategy


class CorpusTestCase(testtools.TestCase):

    # Three cases per (route, mutation) pair: Hypothesis draws the
    # simplest case of each pair first.
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cases = corpus.generate(seed=3, count=1197)

    def test_same_seed_same_corpus(self):
        self.assertEqual(corpus.generate(seed=5, count=399),
                         corpus.generate(seed=5, count=399))

    def test_other_seed_other_corpus(self):
        self.assertNotEqual(self.cases[:399],
                            corpus.generate(seed=4, count=399))

    def test_every_route_and_mutation_is_drawn(self):
        self.assertEqual({r['name'] for r in routes.ROUTES},
                         {c['route'] for c in self.cases})
        self.assertEqual(set(corpus.MUTATIONS),
                         {c['mutation'] for c in self.cases})

    def test_cases_are_bytes_with_placeholders_for_targets(self):
        paths = b' '.join(c['path'] for c in self.cases)
        self.assertIn(b'@@snapshot:available@@', paths)
        self.assertIn(b'@@volume:error@@', paths)
        for case in self.cases:
            self.assertIsInstance(case['path'], bytes)
            self.assertTrue(case['path'].startswith(b'/'))
            self.assertNotIn(b' ', case['path'])
            for value in case['headers'].values():
                self.assertNotIn(b'\n', value)

    def test_deep_and_not_utf8_bodies_are_spliced_in(self):
        bodies = [c['body'] for c in self.cases if c['mutation'] == 'deep']
        self.assertTrue(any(b'[' * 20 + b'null' in b for b in bodies))
        bodies = [c['body'] for c in self.cases
                  if c['mutation'] == 'not_utf8' and c['body']]
        self.assertTrue(all(b'\xff\xfe' in b for b in bodies))


class SchemaStrategyTestCase(testtools.TestCase):

    @hypothesis.settings(max_examples=50, database=None, deadline=None)
    @hypothesis.given(schema_strategy.from_schema(schemas.manage_snapshot))
    def test_manage_documents_are_valid(self, document):
        validators._SchemaValidator(schemas.manage_snapshot).validate(
            json.loads(json.dumps(document)))
