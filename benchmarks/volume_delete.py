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

"""Volume delete latency: our cinder-api vs a stock one, same stack, same run.

The answer to ``DELETE /v3/volumes/{id}`` (not the deletion itself) of
plain RBD volumes, through the stack's cinder-api (cinder-snapext's
extension loaded) and through a second cinder-api started here with the
stack's cinder.conf minus our extension (``osapi_volume_extension =
cinder.api.contrib.standard_extensions`` only), on a free port, same
database and RabbitMQ, one worker each, stopped by its pid at the end.
Volumes are created in bulk first, --batch per API at a time (the
scheduler's capacity filter allows about 180 GiB of thin RBD volumes on
the stack); deletes alternate between the two APIs (A B, then B A), each
over a kept-alive HTTP connection, and the next batch waits until the
volume service has deleted this one. Then the same with
cinder-volume stopped (``tools/stack.sh stop volume``), with a time
budget per API: a delete that waits for the volume service would
otherwise take the RPC timeout each. cinder-volume is started again and
deletes what was accepted.

Usage: python benchmarks/volume_delete.py [--count 200] [--down-count 100]
       [--down-budget 120] [--batch 50]
Environment: SNAPEXT_STACK_SLOT / SNAPEXT_STACK_DIR as for tools/stack.sh.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import bench_stack
import volume_delete_report as report

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
HEADERS = {'Content-Type': 'application/json', 'Accept': 'application/json',
           'X-Auth-Token': 'admin:admin',
           'OpenStack-API-Version': 'volume 3.71'}
OURS = 'cinder_snapext.api.extension.SnapextExtension'


def conf_lines(state):
    with open(os.path.join(state, 'cinder.conf')) as f:
        return f.read().splitlines()


def conf_value(lines, key):
    for line in lines:
        if line.startswith(key + ' ='):
            return line.split('=', 1)[1].strip()
    return None


class Api:
    """One cinder-api, one kept-alive connection."""

    def __init__(self, name, port):
        self.name, self.port = name, port
        self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=90)

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body)
        self.conn.request(method, '/v3' + path, body=data, headers=HEADERS)
        resp = self.conn.getresponse()
        text = resp.read()
        return resp.status, (json.loads(text) if text else None)

    def timed_delete(self, volume_id):
        start = time.perf_counter()
        status, body = self.call('DELETE', '/volumes/%s' % volume_id)
        took = time.perf_counter() - start
        if status != 202:
            raise RuntimeError('%s: DELETE %s answered %s %s' % (
                self.name, volume_id, status, body))
        return took


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_stock_api(state, lines):
    """A stock cinder-api on the stack's cinder.conf; (process, port)."""
    port = free_port()
    bench = os.path.join(state, 'bench')
    os.makedirs(bench, exist_ok=True)
    conf = os.path.join(bench, 'cinder-stock-api.conf')
    with open(conf, 'w') as f:
        for line in lines:
            if line == 'osapi_volume_extension = ' + OURS:
                continue
            if line.startswith('osapi_volume_listen_port ='):
                line = 'osapi_volume_listen_port = %d' % port
            f.write(line + '\n')
            if line == '[DEFAULT]':
                f.write('log_file = %s\n' % os.path.join(
                    state, 'logs', 'bench-stock-cinder-api.log'))
    proc = subprocess.Popen(  # noqa: S603 (the stack's own cinder-api)
        [os.path.join(state, 'venv', 'bin', 'cinder-api'),
         '--config-file', conf], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 120
    while True:
        try:
            status, body = Api('probe', port).call('GET', '/extensions')
            aliases = {e['alias'] for e in body['extensions']}
            if 'os-snapext' in aliases:
                raise RuntimeError('the stock cinder-api loaded our extension')
            return proc, port
        except (OSError, http.client.HTTPException):
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError('stock cinder-api did not start: see '
                                   'logs/bench-stock-cinder-api.log')
            time.sleep(0.5)


def stop_process(proc):
    """TERM the session we started (its API workers too), then KILL."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def stack_tool(*args):
    subprocess.run(  # noqa: S603 (this repository's own tool)
        [os.path.join(REPO, 'tools', 'stack.sh')] + list(args), check=True)


class Db:
    def __init__(self, url):
        import sqlalchemy
        self.engine = sqlalchemy.create_engine(url)
        self.sql = sqlalchemy.text(
            'SELECT id, status, deleted FROM volumes WHERE display_name '
            'LIKE :prefix')

    def volumes(self, prefix):
        with self.engine.connect() as conn:
            return {r.id: ('deleted' if r.deleted else r.status)
                    for r in conn.execute(self.sql, {'prefix': prefix + '%'})}


def create_volumes(api, db, prefix, count, timeout):
    for i in range(count):
        api.call('POST', '/volumes', {'volume': {
            'size': 1, 'volume_type': 'ceph', 'name': '%s%05d' % (prefix, i)}})
    end = time.monotonic() + timeout
    while True:
        rows = db.volumes(prefix)
        states = sorted(set(rows.values()))
        if len(rows) == count and states == ['available']:
            return sorted(rows)
        if any(s.startswith('error') for s in states):
            raise RuntimeError('volume creation failed: %s' % states)
        if time.monotonic() > end:
            raise RuntimeError('volumes not available in %ss: %s' % (
                timeout, states))
        time.sleep(1)


def alternate(apis, volumes, budget=None):
    """Delete volumes[api][i] through api, alternating; seconds per API.

    The order flips every round (A B, B A, ...): neither API always goes
    first after the other's request.
    """
    samples = {api.name: [] for api in apis}
    spent = dict.fromkeys(samples, 0.0)
    for i in range(max(len(v) for v in volumes.values())):
        for api in (apis if i % 2 == 0 else apis[::-1]):
            if i >= len(volumes[api.name]):
                continue
            if budget is not None and spent[api.name] > budget:
                continue
            took = api.timed_delete(volumes[api.name][i])
            samples[api.name].append(took)
            spent[api.name] += took
    return samples


def main():
    bench_stack.in_stack_venv()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=200,
                        help='deletes per API with cinder-volume up')
    parser.add_argument('--down-count', type=int, default=100,
                        help='deletes per API with cinder-volume stopped')
    parser.add_argument('--down-budget', type=float, default=120,
                        help='seconds of deletes per API and batch while '
                        'cinder-volume is stopped')
    parser.add_argument('--batch', type=int, default=50,
                        help='volumes per API made at a time (the RBD '
                        'pool\'s thin capacity limits how many exist)')
    args = parser.parse_args()
    state = bench_stack.state_dir()
    lines = conf_lines(state)
    db = Db(conf_value(lines, 'connection'))
    ours = Api('cinder-snapext', int(conf_value(
        lines, 'osapi_volume_listen_port')))
    run_id = time.strftime('%H%M%S')
    prefix = 'bench-del-%s-' % run_id
    proc, port = start_stock_api(state, lines)
    stock = Api('stock', port)
    apis = (ours, stock)
    results, stopped = {}, False
    try:
        for phase, count in (('up', args.count), ('stopped', args.down_count)):
            if not count:
                continue
            samples = {api.name: [] for api in apis}
            for first in range(0, count, args.batch):
                batch = min(args.batch, count - first)
                volumes = {}
                for api in apis:
                    pre = '%s%s-%s-%d-' % (prefix, phase, api.name, first)
                    volumes[api.name] = create_volumes(ours, db, pre, batch,
                                                       120 + batch * 2)
                print('%s: %d volumes per API created' % (phase, batch),
                      flush=True)
                if phase == 'stopped':
                    stack_tool('stop', 'volume')
                    stopped = True
                for name, took in alternate(apis, volumes, args.down_budget
                                            if stopped else None).items():
                    samples[name] += took
                if stopped:
                    stack_tool('start', 'volume')
                    stopped = False
                # The next batch fits the backend's capacity once these
                # are gone (and cinder-volume works on nothing else).
                wait_gone(db, prefix, 120 + batch * 4)
            results[phase] = {name: report.summary(v)
                              for name, v in samples.items()}
            for name, s in results[phase].items():
                print('  %-8s %-15s %s' % (phase, name, json.dumps(s)),
                      flush=True)
    finally:
        if stopped:
            stack_tool('start', 'volume')
        stop_process(proc)
        clean_up(ours, db, prefix)
    print(report.table(results))
    raw = os.path.join(state, 'logs', 'bench-volume-delete-%s.json' % run_id)
    with open(raw, 'w') as f:
        json.dump({'results': results, 'args': vars(args),
                   'loadavg': os.getloadavg()}, f)
    print('raw: %s' % raw)
    return 0


def wait_gone(db, prefix, timeout):
    end = time.monotonic() + timeout
    while True:
        left = {i: s for i, s in db.volumes(prefix).items() if s != 'deleted'}
        if not left:
            return
        if any(s.startswith('error') for s in left.values()):
            raise RuntimeError('a volume went to %s' % sorted(
                set(left.values())))
        if time.monotonic() > end:
            raise RuntimeError('%d volumes left after %ss: %s' % (
                len(left), timeout, sorted(set(left.values()))))
        time.sleep(1)


def clean_up(api, db, prefix, timeout=600):
    """Delete what is left (an interrupted run), wait for all to go."""
    for volume_id, status in db.volumes(prefix).items():
        if status == 'available' or status.startswith('error'):
            api.call('DELETE', '/volumes/%s' % volume_id)
    try:
        wait_gone(db, prefix, timeout)
    except RuntimeError as e:
        print('clean-up: %s' % e, file=sys.stderr)


if __name__ == '__main__':
    sys.exit(main())
