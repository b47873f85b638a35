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

"""cinder-snapext-manage exports: the recorded exports, and syncing them."""

from cinder.common import constants
from cinder import context as cinder_context
from cinder import objects as cinder_objects
from cinder import rpc
from oslo_config import cfg

from cinder_snapext import exception
from cinder_snapext import objects
from cinder_snapext.objects import snapshot_export
from cinder_snapext.volume import rpcapi

CONF = cfg.CONF


def _list(args):
    context = cinder_context.get_admin_context()
    volume_ids = args.volume or None
    exports = snapshot_export.SnapextSnapshotExportList.get_all_by_volumes(
        context, volume_ids)
    print('%-36s  %-36s  %s' % ('volume', 'snapshot', 'backend name'))
    for item in exports:
        print('%-36s  %-36s  %s' % (item.volume_id, item.snapshot_id or '-',
                                    item.name))


def _sync(args):
    """Ask every up volume service to record what its backend holds."""
    cinder_objects.register_all()
    objects.register_all()
    rpc.init(CONF)
    context = cinder_context.get_admin_context()
    services = cinder_objects.ServiceList.get_all(
        context, filters={'binary': constants.VOLUME_BINARY})
    client = rpcapi.SnapextVolumeAPI()
    failed = 0
    for service in services:
        if args.service and service.host != args.service:
            continue
        if not service.is_up or service.disabled:
            print('%s: down or disabled, skipped' % service.host)
            failed += 1
            continue
        try:
            counts = client.sync_snapshot_exports(context, service.host,
                                                  args.timeout)
        except exception.VolumeServiceTimeout as e:
            print('%s: %s' % (service.host, e))
            failed += 1
            continue
        if counts is None:
            print('%s: runs no cinder-snapext 1.4 endpoint, or its driver '
                  'cannot list snapshots' % service.host)
            continue
        print('%(host)s: %(volumes)s volumes, %(added)s recorded, '
              '%(forgotten)s forgotten, %(failed)s not listed'
              % dict(counts, host=service.host))
        failed += 1 if counts['failed'] else 0
    if failed:
        raise exception.ExportSyncIncomplete(count=failed)


def add_commands(subparsers):
    parser = subparsers.add_parser(
        'exports', help='Backend snapshots of volumes that Cinder does not '
                        'manage (exports), which keep their volume.')
    actions = parser.add_subparsers(dest='action', required=True)
    listing = actions.add_parser('list', help='Print the recorded exports.')
    listing.add_argument('--volume', action='append', default=[],
                         help='Only this volume (repeatable).')
    listing.set_defaults(func=_list)
    sync = actions.add_parser(
        'sync', help='Have each up volume service record the unmanaged '
                     'snapshots its backend holds and forget those gone.')
    sync.add_argument('--service', default=None,
                      help='Only this volume service (host@backend).')
    sync.add_argument('--timeout', type=int, default=600,
                      help='Seconds to wait for each service (default 600).')
    sync.set_defaults(func=_sync)
