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

"""The fuzzer's corpus: requests generated from the routes' schemas, mutated.

A case is a request as bytes on the wire, with placeholders (``@@...@@``)
where the runner puts the id of a real resource or the project. The same
seed and count give the same corpus, so stock Cinder and ours answer the
very same requests.
"""

import json
import urllib.parse

import hypothesis
from hypothesis import strategies as st

from cinder_snapext.tests.fuzz import routes
from cinder_snapext.tests.fuzz import schema_strategy

# Markers replaced in the serialized body: JSON cannot hold these.
NOT_UTF8 = '\ue000not-utf8\ue000'
DEEP = '\ue000deep-%d\ue000'
_ANY_TEXT = st.text(st.characters(codec=None), max_size=30)
_SCALARS = {type(None): st.none(), bool: st.booleans(), int: st.integers(),
            float: st.floats(allow_nan=False), str: st.text(max_size=10)}
_JSON = st.recursive(
    st.one_of(list(_SCALARS.values())),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(max_size=5), inner, max_size=3), max_leaves=5)
# Each JSON type: what a wrong type is drawn from, without a filter that
# could discard the case.
_BY_JSON_TYPE = {
    **_SCALARS, list: st.lists(_JSON, max_size=3),
    dict: st.dictionaries(st.text(max_size=5), _JSON, max_size=3)}
_ODD_IDS = st.sampled_from([
    '', 'x\x00y', '\x00', '\x00' + '0' * 36, 'detail', '..', 'a' * 300,
    ' ', '%', '\ud800', '\u202e', '00000000-0000-0000-0000-00000000000',
    '00000000-0000-0000-0000-000000000000\x00'])


def placeholder(name):
    return '@@%s@@' % name


def id_values(kind):
    """An id for a slot of ``kind``: mostly real resources, in any status."""
    real_any = st.sampled_from([placeholder('%s:%s' % (k, s))
                                for k, statuses in routes.TARGETS.items()
                                for s in statuses])
    own = (st.sampled_from([placeholder('%s:%s' % (kind, s))
                            for s in routes.TARGETS[kind]])
           if kind in routes.TARGETS else real_any)
    return st.one_of(own, own, own, real_any, st.uuids().map(str),
                     _ANY_TEXT, _ODD_IDS)


_VERSIONS_ODD = st.sampled_from([
    None, 'volume latest', 'volume', 'volume 3.0 volume 3.70', 'volume 3.',
    'volume 4.0', 'volume 3.999', 'volume 2.0', 'compute 2.1',
    'volume 3.0, volume 3.5', 'VOLUME 3.5', 'volume  3.5', 'volume -3.5',
    'volume 3.07', 'volume \u0663.\u0665', 'volume 3.5 x', ''])
_CONTENT_TYPES = st.sampled_from([
    'text/plain', 'application/xml', '', None,
    'application/json; charset=latin-1', 'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded', 'application/json\x00'])
_DEPTHS = (20, 40, 1000, 5000)
MUTATIONS = ('none',) * 6 + ('drop', 'extra', 'null', 'retype', 'huge',
             'nul', 'control', 'surrogate', 'not_utf8', 'deep',
             'invalid_json', 'empty', 'no_body', 'not_object', 'type_key')


def versions(max_minor):
    good = st.integers(0, max_minor).map(lambda n: 'volume 3.%d' % n)
    return st.one_of(good, good, good, good, _VERSIONS_ODD,
                     _ANY_TEXT.map(lambda t: 'volume ' + t))


@st.composite
def cases(draw, route, mutation, max_minor=71):
    """One request to ``route``, its body changed as ``mutation`` says."""
    project = draw(st.sampled_from(['own'] * 6 + ['foreign', 'mismatch']))
    path = route['path']
    for kind in ('volume', 'snapshot', 'group', 'key'):
        slot = '{%s}' % kind
        if slot in path:
            path = path.replace(slot, _in_path(draw, id_values(kind)))
    query = []
    for name in draw(st.lists(st.sampled_from(route['query']), unique=True)
                     if route['query'] else st.just([])):
        value = draw(st.one_of(st.sampled_from(['true', 'false', '1', '0']),
                               st.integers(-1, 10 ** 12).map(str),
                               id_values('snapshot'), _ANY_TEXT))
        query.append('%s=%s' % (name, _in_path(draw, st.just(value))))
    if query:
        path += '?' + '&'.join(query)
    body = _body(draw, route, mutation)
    headers = {'Accept': 'application/json'}
    version = draw(versions(max_minor))
    if version is not None:
        headers['OpenStack-API-Version'] = version
    content_type = (draw(_CONTENT_TYPES) if draw(st.integers(0, 9)) == 0
                    else 'application/json')
    if content_type is not None:
        headers['Content-Type'] = content_type
    return {'route': route['name'], 'mutation': mutation,
            'method': route['method'], 'project': project,
            'path': path.encode('utf-8', 'surrogatepass'),
            'headers': {k: v.encode('utf-8', 'surrogatepass')
                        .replace(b'\r', b'').replace(b'\n', b'')
                        for k, v in headers.items()},
            'body': body}


def _in_path(draw, values):
    """A value as it goes into a URL: quoted, or now and then raw."""
    value = draw(values)
    if value.startswith('@@'):
        return value
    raw = value.encode('utf-8', 'surrogatepass')
    if draw(st.integers(0, 4)) == 0:
        # Bytes as they are (not UTF-8, NUL...), less what ends a URL.
        return bytes(b for b in raw if b > 0x20 and b not in b'?#/'
                     ).decode('utf-8', 'surrogateescape')
    return urllib.parse.quote(raw, safe='')


def _body(draw, route, mutation):
    if route['schema'] is None:
        if route['method'] == 'GET' or mutation != 'extra':
            return None
        return json.dumps(draw(_JSON)).encode()
    ids = {field: id_values(kind)
           for field, kind in routes.ID_FIELDS.items()}
    document = draw(schema_strategy.from_schema(route['schema'], ids))
    if mutation == 'no_body':
        return None
    if mutation == 'empty':
        return b''
    if mutation == 'not_object':
        return json.dumps(draw(_other_type({}))).encode()
    if mutation == 'type_key':
        document['type'] = draw(_JSON)
    elif mutation not in ('none', 'invalid_json'):
        _mutate(draw, document, mutation)
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    data = text.encode('utf-8', 'surrogatepass')
    if mutation == 'not_utf8':
        data = _splice(data, NOT_UTF8, b'"\xff\xfe"')
    for depth in _DEPTHS:
        data = _splice(data, DEEP % depth,
                       b'[' * depth + b'null' + b']' * depth)
    if mutation == 'invalid_json':
        cut = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:cut] + draw(st.sampled_from([b'', b'}', b"'", b',]']))
    return data


def _mutate(draw, document, mutation):
    """Change one field somewhere in ``document`` as ``mutation`` says."""
    nodes = list(_objects(document))
    node = draw(st.sampled_from(nodes))
    keys = sorted(node, key=str)
    key = draw(st.sampled_from(keys)) if keys and mutation != 'extra' \
        else draw(st.text(max_size=10))
    if mutation == 'drop':
        node.pop(key, None)
        return
    old = node.get(key)
    text = old if isinstance(old, str) else 'x'
    node[key] = {
        'extra': lambda: draw(_JSON),
        'null': lambda: None,
        'retype': lambda: draw(_other_type(old)),
        'huge': lambda: 'x' * draw(st.sampled_from([256, 5000, 70000,
                                                     200000])),
        'nul': lambda: draw(st.sampled_from(
            ['\x00', '\x00' + text, text + '\x00', 'snap\x00shot'])),
        'control': lambda: text + draw(st.text(st.characters(
            max_codepoint=31), min_size=1, max_size=3)),
        'surrogate': lambda: text + '\ud800',
        'not_utf8': lambda: NOT_UTF8,
        'deep': lambda: DEEP % draw(st.sampled_from(_DEPTHS)),
    }[mutation]()


def _other_type(value):
    """A JSON value of another type than ``value``."""
    return st.one_of([strategy for kind, strategy in _BY_JSON_TYPE.items()
                      if not isinstance(value, kind)])


def _objects(document):
    yield document
    for value in document.values():
        if isinstance(value, dict):
            yield from _objects(value)


def _splice(data, marker, raw):
    """``data`` with the JSON string ``marker`` replaced by ``raw``."""
    for quoted in (json.dumps(marker), json.dumps(marker,
                                                  ensure_ascii=False)):
        data = data.replace(quoted.encode(), raw)
    return data


def generate(seed, count, max_minor=71):
    """``count`` cases from ``seed``, every route with every mutation.

    Each (route, mutation) pair gets its share of ``count`` from a
    Hypothesis run of its own, seeded from ``seed`` and the pair, so that
    no pair is left out (one run over all would favour some). Hypothesis
    also draws constants from the loaded modules of the working tree: a
    corpus is the same for the same seed within one process and code
    base, so a run generates it once and sends it to every API.
    """
    pairs = [(route, mutation) for mutation in MUTATIONS
             for route in routes.ROUTES]
    found = []
    for n, (route, mutation) in enumerate(pairs):
        share = count // len(pairs) + (n < count % len(pairs))
        if share:
            found += _generate_pair(seed * len(pairs) + n, share, route,
                                    mutation, max_minor)
    return found


def _generate_pair(seed, count, route, mutation, max_minor):
    found = []

    @hypothesis.seed(seed)
    @hypothesis.settings(max_examples=count, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(cases(route, mutation, max_minor))
    def collect(case):
        found.append(case)

    collect()
    return found
