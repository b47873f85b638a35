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

"""Stands in for Nova's assisted volume snapshot API on the stack.

There is no Nova and no running instance on the stack, so this small
server answers the two calls Cinder's RemoteFS drivers make to Nova::

  POST   /v2.1/os-assisted-volume-snapshots
  DELETE /v2.1/os-assisted-volume-snapshots/<snapshot id>?delete_info=<json>

and does offline, with ``qemu-img`` on the share, what libvirt would do
to the running instance's disk chain: check the new overlay (create;
libvirt reuses the file Cinder made), ``blockRebase`` (pull into the
active file: ``qemu-img rebase``) or ``blockCommit`` (``qemu-img commit``
then ``rebase -u`` of the child). Backing names stay relative, as the
RemoteFS drivers require. Then, after the configured delay, it calls
back Cinder exactly as Nova's ``update_snapshot_status`` does::

  POST /v3/snapshots/<id>/action
  {"os-update_snapshot_status": {"status": "creating", "progress": "90%"}}

optionally with the spec's ``compute_snapshot_status`` beside them.

Behaviour is set at run time, for every volume or for one volume, with
``PUT /emulator/behaviour`` (JSON: ``delay`` seconds, ``jitter`` (each
delay is drawn from delay x (1 +/- jitter)), ``failure`` one of
``error`` (call back with the error status), ``no_callback``,
``http_error`` (answer Cinder's call with ``http_code``),
``compute_snapshot_status`` (true: send the new field), ``duplicates``
(extra identical callbacks, ``duplicate_delay`` seconds apart) and
``volume_id``). ``DELETE /emulator/behaviour`` restores the start-up
defaults; ``GET /emulator/events[?snapshot_id=ID]`` lists what was asked
and done, with wall-clock times of every callback; ``POST
/emulator/callback`` (``snapshot_id``, ``status``, optional
``compute_snapshot_status``) sends one callback now. It listens on
127.0.0.1 only.

Over 300 lines on purpose: the stack runs it as one script that needs
nothing of this repository.
"""

import argparse
import http.server
import json
import logging
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

LOG = logging.getLogger('nova-emulator')

API_PREFIX = '/v2.1/os-assisted-volume-snapshots'
FAILURES = (None, 'error', 'no_callback', 'http_error')
BEHAVIOUR_KEYS = {'delay': (int, float), 'jitter': (int, float),
                  'failure': (str, type(None)),
                  'http_code': int, 'compute_snapshot_status': bool,
                  'duplicates': int, 'duplicate_delay': (int, float)}
QEMU_TIMEOUT = 300
CALLBACK_TIMEOUT = 30

# What Nova reports in each case: (status, compute_snapshot_status).
RESULTS = {('create', True): ('creating', 'creating_compute_complete'),
           ('create', False): ('error', 'creating_compute_error'),
           ('delete', True): ('deleting', 'delete_compute_complete'),
           ('delete', False): ('error_deleting', 'delete_compute_error')}


class BadRequest(Exception):
    """The caller sent something this server (or Nova) would refuse."""


class Emulator:
    """Behaviour settings, the event log and the emulated compute work."""

    def __init__(self, cinder_url, shares, defaults, auth_token):
        self.cinder_url = cinder_url.rstrip('/')
        self.shares = shares
        self.defaults = dict(defaults)
        self.auth_token = auth_token
        self.lock = threading.Lock()
        self.behaviour = {'default': dict(defaults), 'volumes': {}}
        self.events = []

    # -- settings -----------------------------------------------------------

    def set_behaviour(self, body):
        if not isinstance(body, dict):
            raise BadRequest('the body must be a JSON object')
        volume_id = body.pop('volume_id', None)
        unknown = sorted(set(body) - set(BEHAVIOUR_KEYS))
        if unknown:
            raise BadRequest('unknown keys %s; allowed: %s' % (
                ', '.join(unknown), ', '.join(sorted(BEHAVIOUR_KEYS))))
        for key, value in body.items():
            if not isinstance(value, BEHAVIOUR_KEYS[key]) or (
                    isinstance(value, bool) and key != 'compute_snapshot_'
                    'status'):
                raise BadRequest('%s: bad value %r' % (key, value))
        if body.get('failure', None) not in FAILURES:
            raise BadRequest('failure must be one of %s' % ', '.join(
                str(f) for f in FAILURES))
        if body.get('delay', 0) < 0 or body.get('duplicates', 0) < 0:
            raise BadRequest('delay and duplicates must not be negative')
        if not 0 <= body.get('jitter', 0) <= 1:
            raise BadRequest('jitter is a fraction of delay, 0 to 1')
        with self.lock:
            if volume_id:
                merged = dict(self.behaviour['default'])
                merged.update(self.behaviour['volumes'].get(volume_id, {}))
                merged.update(body)
                self.behaviour['volumes'][volume_id] = merged
            else:
                self.behaviour['default'].update(body)
            return json.loads(json.dumps(self.behaviour))

    def reset(self):
        with self.lock:
            self.behaviour = {'default': dict(self.defaults), 'volumes': {}}

    def behaviour_for(self, volume_id):
        with self.lock:
            return dict(self.behaviour['volumes'].get(
                volume_id, self.behaviour['default']))

    def record(self, **event):
        with self.lock:
            self.events.append(event)
        return event

    def list_events(self, snapshot_id=None):
        with self.lock:
            return [dict(e) for e in self.events
                    if snapshot_id in (None, e['snapshot_id'])]

    # -- the compute side ---------------------------------------------------

    def volume_dir(self, volume_id):
        name = 'volume-%s' % volume_id
        for share in self.shares:
            try:
                entries = os.listdir(share)
            except OSError:
                continue
            if any(e == name or e.startswith(name + '.') for e in entries):
                return share
        raise RuntimeError('no file of volume %s on %s' % (
            volume_id, ', '.join(self.shares)))

    def start(self, op, snapshot_id, volume_id, info):
        """Accept a request: work and call back in a thread of its own."""
        behaviour = self.behaviour_for(volume_id)
        event = self.record(op=op, snapshot_id=snapshot_id,
                            volume_id=volume_id, info=info,
                            behaviour=behaviour, received=time.time(),
                            callbacks=[], error=None)
        if behaviour['failure'] == 'http_error':
            event['error'] = 'answered HTTP %s' % behaviour['http_code']
            return behaviour['http_code']
        thread = threading.Thread(target=self._work, args=(event,),
                                  daemon=True)
        thread.start()
        return None

    def _work(self, event):
        behaviour = event['behaviour']
        ok = False
        if behaviour['failure'] == 'no_callback':
            event['error'] = 'no callback, as configured'
            return
        if behaviour['failure'] != 'error':
            try:
                directory = self.volume_dir(event['volume_id'])
                if event['op'] == 'create':
                    snapshot_create(directory, event['volume_id'],
                                    event['info'])
                else:
                    snapshot_delete(directory, event['volume_id'],
                                    event['info'])
                ok = True
            except Exception as e:
                LOG.exception('%s of %s failed', event['op'],
                              event['snapshot_id'])
                event['error'] = str(e)
        event['compute_done'] = time.time()
        # Real durations vary; a fixed one would meet a poller's fixed
        # schedule at the same point every time.
        event['delay'] = behaviour['delay'] * random.uniform(  # noqa: S311
            1 - behaviour['jitter'], 1 + behaviour['jitter'])
        rest = event['delay'] - (time.time() - event['received'])
        if rest > 0:
            time.sleep(rest)
        status, compute_status = RESULTS[(event['op'], ok)]
        for i in range(1 + behaviour['duplicates']):
            if i:
                time.sleep(behaviour['duplicate_delay'])
            event['callbacks'].append(self.callback(
                event['snapshot_id'], status,
                compute_status if behaviour['compute_snapshot_status']
                else None))

    def callback(self, snapshot_id, status, compute_status=None):
        """POST os-update_snapshot_status to Cinder, as Nova does."""
        update = {'status': status, 'progress': '90%'}
        if compute_status:
            update['compute_snapshot_status'] = compute_status
        body = json.dumps({'os-update_snapshot_status': update}).encode()
        # cinder_url is checked to be http(s) at start-up.
        request = urllib.request.Request(  # noqa: S310
            '%s/snapshots/%s/action' % (self.cinder_url, snapshot_id),
            data=body, method='POST',
            headers={'Content-Type': 'application/json',
                     'Accept': 'application/json',
                     'X-Auth-Token': self.auth_token})
        sent = time.time()
        try:
            with urllib.request.urlopen(  # noqa: S310
                    request, timeout=CALLBACK_TIMEOUT) as resp:
                code, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            code, text = e.code, e.read().decode(errors='replace')
        except OSError as e:
            code, text = None, str(e)
        answered = time.time()
        LOG.info('callback %s %s -> %s %s', snapshot_id, update, code,
                 text[:200])
        return {'update': update, 'sent': sent, 'answered': answered,
                'code': code, 'answer': text[:500]}


# -- qemu-img, as libvirt would change the chain ------------------------------

def qemu_img(directory, *args):
    # A fixed program, no shell; file names are checked_name()s.
    proc = subprocess.run(('qemu-img',) + args, cwd=directory,  # noqa: S603
                          capture_output=True, text=True,
                          timeout=QEMU_TIMEOUT)
    if proc.returncode:
        raise RuntimeError('qemu-img %s: %s' % (' '.join(args),
                                                proc.stderr.strip()))
    return proc.stdout


def image_info(directory, name, chain=False):
    # -U: Cinder may hold the image open (force-share, as Cinder reads).
    args = ['info', '-U', '--output=json'] + (
        ['--backing-chain'] if chain else []) + [name]
    return json.loads(qemu_img(directory, *args))


def active_file(directory, volume_id):
    """The file the instance would be writing to now."""
    try:
        with open(os.path.join(directory,
                               'volume-%s.info' % volume_id)) as f:
            return json.load(f)['active']
    except (OSError, ValueError, KeyError):
        return 'volume-%s' % volume_id


def checked_name(volume_id, name):
    """Only plain file names of this volume, never paths."""
    if not isinstance(name, str) or os.path.basename(name) != name or (
            not name.startswith('volume-%s' % volume_id)):
        raise RuntimeError('not a file of volume %s: %r' % (volume_id, name))
    return name


def snapshot_create(directory, volume_id, create_info):
    """libvirt's snapshot with REUSE_EXT: the guest moves onto new_file."""
    new_file = checked_name(volume_id, create_info['new_file'])
    current = active_file(directory, volume_id)
    if not os.path.exists(os.path.join(directory, new_file)):
        fmt = image_info(directory, current)['format']
        qemu_img(directory, 'create', '-f', 'qcow2', '-b', current,
                 '-F', fmt, new_file)
    backing = image_info(directory, new_file).get('backing-filename')
    if backing != current:
        raise RuntimeError('%s is backed by %r, not by the active file %s'
                           % (new_file, backing, current))


def snapshot_delete(directory, volume_id, delete_info):
    """blockRebase (merge_target_file null) or blockCommit."""
    merge = delete_info.get('file_to_merge')
    target = delete_info.get('merge_target_file')
    active = active_file(directory, volume_id)
    if target is None:
        # Pull everything above file_to_merge into the active file; null
        # flattens it.
        if merge is None:
            qemu_img(directory, 'rebase', '-f', 'qcow2', '-b', '', active)
        else:
            merge = checked_name(volume_id, merge)
            fmt = image_info(directory, merge)['format']
            qemu_img(directory, 'rebase', '-f', 'qcow2', '-b', merge,
                     '-F', fmt, active)
        return
    merge = checked_name(volume_id, merge)
    target = checked_name(volume_id, target)
    if image_info(directory, merge).get('backing-filename') != target:
        raise RuntimeError('%s is not backed by %s' % (merge, target))
    chain = image_info(directory, active, chain=True)
    child = [i['filename'] for i in chain
             if i.get('backing-filename') == merge]
    if len(child) != 1:
        raise RuntimeError('no single image above %s in %s' % (
            merge, [i['filename'] for i in chain]))
    qemu_img(directory, 'commit', '-f', 'qcow2', '-d', merge)
    fmt = image_info(directory, target)['format']
    qemu_img(directory, 'rebase', '-u', '-f', 'qcow2', '-b', target,
             '-F', fmt, os.path.basename(child[0]))


# -- HTTP ---------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    server_version = 'snapext-nova-emulator/1'
    emulator = None

    def log_message(self, fmt, *args):
        LOG.info('%s %s', self.address_string(), fmt % args)

    def _reply(self, code, body=None):
        data = b'' if body is None else json.dumps(body).encode()
        self.send_response(code)
        if data:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        try:
            return json.loads(self.rfile.read(length) or b'null')
        except ValueError:
            raise BadRequest('the body is not JSON')

    def _handle(self, method):
        url = urllib.parse.urlsplit(self.path)
        try:
            self._route(method, url.path, urllib.parse.parse_qs(url.query))
        except BadRequest as e:
            self._reply(400, {'badRequest': {'code': 400,
                                             'message': str(e)}})

    def _route(self, method, path, query):
        em = self.emulator
        if path == API_PREFIX and method == 'POST':
            return self._create(self._body())
        if path.startswith(API_PREFIX + '/') and method == 'DELETE':
            return self._delete(path[len(API_PREFIX) + 1:], query)
        if path == '/emulator/behaviour':
            if method == 'GET':
                return self._reply(200, em.set_behaviour({}))
            if method == 'PUT':
                return self._reply(200, em.set_behaviour(self._body()))
            if method == 'DELETE':
                em.reset()
                return self._reply(204)
        if path == '/emulator/events' and method == 'GET':
            return self._reply(200, {'events': em.list_events(
                (query.get('snapshot_id') or [None])[0])})
        if path == '/emulator/callback' and method == 'POST':
            body = self._body()
            if not isinstance(body, dict) or not {
                    'snapshot_id', 'status'} <= set(body):
                raise BadRequest('snapshot_id and status are required')
            return self._reply(200, em.callback(
                body['snapshot_id'], body['status'],
                body.get('compute_snapshot_status')))
        self._reply(404, {'itemNotFound': {'code': 404,
                                           'message': 'no %s %s' % (
                                               method, path)}})

    def _create(self, body):
        try:
            snap = body['snapshot']
            volume_id = snap['volume_id']
            info = snap['create_info']
            snapshot_id = info['snapshot_id']
            if info.get('type') != 'qcow2' or not info.get('new_file'):
                raise KeyError('type/new_file')
        except (KeyError, TypeError) as e:
            raise BadRequest('snapshot.volume_id and snapshot.create_info '
                             '(type qcow2, new_file, snapshot_id) are '
                             'required: %s' % e)
        code = self.emulator.start('create', snapshot_id, volume_id, info)
        if code:
            return self._reply(code, {'computeFault': {
                'code': code, 'message': 'emulated failure'}})
        self._reply(200, {'snapshot': {'id': snapshot_id,
                                       'volumeId': volume_id}})

    def _delete(self, snapshot_id, query):
        try:
            info = json.loads(query['delete_info'][0])
            volume_id = info['volume_id']
            if info.get('type') != 'qcow2':
                raise KeyError('type')
        except (KeyError, ValueError, TypeError) as e:
            raise BadRequest('delete_info (JSON with type qcow2 and '
                             'volume_id) is required: %s' % e)
        code = self.emulator.start('delete', snapshot_id, volume_id, info)
        if code:
            return self._reply(code, {'computeFault': {
                'code': code, 'message': 'emulated failure'}})
        self._reply(204)

    def do_GET(self):
        self._handle('GET')

    def do_POST(self):
        self._handle('POST')

    def do_PUT(self):
        self._handle('PUT')

    def do_DELETE(self):
        self._handle('DELETE')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--cinder-url', required=True,
                        help='Cinder API base, e.g. http://127.0.0.1:8776/v3'
                        ' (no project id under noauth)')
    parser.add_argument('--share', action='append', required=True,
                        help='a directory where volume files live '
                        '(repeatable)')
    parser.add_argument('--delay', type=float, default=0.5,
                        help='default seconds from request to callback')
    parser.add_argument('--auth-token', default='admin:admin',
                        help='X-Auth-Token of callbacks (noauth: '
                        'user:project)')
    args = parser.parse_args()
    if not args.cinder_url.startswith(('http://', 'https://')):
        parser.error('--cinder-url must be an http(s) URL')
    logging.basicConfig(level=logging.INFO,
                        format='%(asctime)s %(levelname)s %(message)s')
    defaults = {'delay': args.delay, 'jitter': 0.0, 'failure': None,
                'http_code': 500,
                'compute_snapshot_status': False, 'duplicates': 0,
                'duplicate_delay': 1.0}
    Handler.emulator = Emulator(args.cinder_url, args.share, defaults,
                                args.auth_token)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port),
                                             Handler)
    server.daemon_threads = True
    LOG.info('Nova emulator on 127.0.0.1:%s, Cinder at %s, shares %s',
             args.port, args.cinder_url, args.share)
    server.serve_forever()


if __name__ == '__main__':
    main()
