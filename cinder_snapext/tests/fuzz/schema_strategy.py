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

"""Hypothesis strategies for documents valid against a JSON schema.

Only the parts of JSON Schema that Cinder's and our request schemas use:
types, properties, required, enum, string lengths and patterns, the
formats Cinder's validator knows, oneOf/anyOf. A keyword we do not read
only makes the document less likely to be valid, which a fuzzer accepts:
the point is a document close to valid, which the mutations then break.
"""

from hypothesis import strategies as st

_TEXT = st.text(st.characters(codec='utf-8', exclude_categories=('Cs',)),
                max_size=20)
_FORMATS = {
    'uuid': st.uuids().map(str),
    'name': st.text(st.characters(min_codepoint=33, max_codepoint=126),
                    min_size=1, max_size=20),
    'date-time': st.datetimes().map(lambda d: d.isoformat() + 'Z'),
    'progress': st.integers(0, 100).map(lambda n: '%d%%' % n),
    'mysql_text': _TEXT,
    'base64': st.binary(max_size=12).map(lambda b: b.hex()),
    'key_size': st.sampled_from(['128', 256, None]),
}


def from_schema(schema, ids=None):
    """A strategy for documents valid (or nearly) against ``schema``.

    ``ids`` maps a property name to a strategy of its own, for ids the
    fuzzer fills in with real resources.
    """
    ids = ids or {}
    if not isinstance(schema, dict):
        # Cinder's schemas hold 'type': 'object' among properties.
        return st.none()
    if 'enum' in schema:
        return st.sampled_from(schema['enum'])
    for key in ('oneOf', 'anyOf'):
        if key in schema:
            merged = [dict(schema, **part) for part in schema[key]]
            for part in merged:
                part.pop(key, None)
            return st.one_of([from_schema(part, ids) for part in merged])
    kinds = schema.get('type', 'string')
    if isinstance(kinds, list):
        return st.one_of([from_schema(dict(schema, type=kind), ids)
                          for kind in kinds])
    return _BY_TYPE.get(kinds, lambda s, i: st.none())(schema, ids)


def _object(schema, ids):
    properties = {name: sub for name, sub in
                  schema.get('properties', {}).items()
                  if isinstance(sub, dict)}
    required = [name for name in schema.get('required', [])
                if name in properties]
    optional = [name for name in properties if name not in required]

    def field(name):
        return ids.get(name, from_schema(properties[name], ids))

    @st.composite
    def build(draw):
        document = {name: draw(field(name)) for name in required}
        for name in draw(st.lists(st.sampled_from(optional), unique=True)
                         if optional else st.just([])):
            document[name] = draw(field(name))
        return document
    return build()


def _string(schema, ids):
    if schema.get('format') in _FORMATS:
        return _FORMATS[schema['format']]
    low = schema.get('minLength', 0)
    high = min(schema.get('maxLength', 40), 40)
    if 'pattern' in schema and schema['pattern'].startswith('^['):
        # Cinder's patterns are one character class, repeated.
        pattern = schema['pattern']
        chars = st.from_regex(pattern[1:pattern.index(']') + 1],
                              fullmatch=True)
        return st.lists(chars, min_size=low, max_size=max(low, high)).map(
            ''.join)
    return st.text(st.characters(codec='utf-8', exclude_categories=('Cs',)),
                   min_size=low, max_size=max(low, high))


_BY_TYPE = {
    'object': _object,
    'string': _string,
    'integer': lambda s, i: st.integers(s.get('minimum', -10),
                                        s.get('maximum', 10 ** 6)),
    'number': lambda s, i: st.floats(allow_nan=False),
    'boolean': lambda s, i: st.booleans(),
    'null': lambda s, i: st.none(),
    'array': lambda s, i: st.lists(from_schema(s.get('items', {}), i),
                                   max_size=3),
}
