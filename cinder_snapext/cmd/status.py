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

"""cinder-snapext-status upgrade check: what cinder-status cannot see."""

import sys
import urllib.parse

from cinder.common import config
from cinder import context as cinder_context
from cinder import coordination
from cinder import objects as cinder_objects
from cinder.volume import volume_utils
from oslo_config import cfg
from oslo_db import options as db_options
from oslo_upgradecheck import upgradecheck as uc
from oslo_utils import importutils

from cinder_snapext.cmd import service_modes
from cinder_snapext.db import migration
from cinder_snapext import mode_record
from cinder_snapext import opts as snapext_options
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.assisted import slots

CONF = cfg.CONF
STANDARD_EXTENSIONS = 'cinder.api.contrib.standard_extensions'
EXTENSION = 'cinder_snapext.api.extension.SnapextExtension'
BACKUP_DRIVER = 'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver'
BACKUP_MANAGER = 'cinder_snapext.backup.manager.SnapextBackupManager'
BACKUP_API = 'cinder_snapext.backup.api.SnapextBackupAPI'
# cinder-volume registers it in its command module, which patches eventlet
# on import: a copy for this command alone.
_CLUSTER = cfg.StrOpt('cluster', help='Name of the volume cluster.')


def register_opts(conf):
    # Cinder's managers, which hold the options of their drivers, can only
    # be imported once Cinder's objects are registered.
    cinder_objects.register_all()
    from cinder.backup import manager as backup_manager
    conf.register_cli_opts(config.core_opts)
    for opts in (config.api_opts, config.global_opts, config.backup_opts):
        conf.register_opts(opts)
    conf.register_opts(coordination.coordination_opts, group='coordination')
    conf.register_opts(backup_manager.backup_manager_opts)
    conf.register_opts(snapext_options.snapext_opts,
                       group=snapext_options.GROUP)
    db_options.set_defaults(conf)
    if 'cluster' not in conf:
        conf.register_opt(_CLUSTER)


class Checks(uc.UpgradeCommands):
    """Each check returns a result whose details say what to do."""

    def __init__(self, conf=CONF, proc='/proc'):
        super().__init__()
        self.conf = conf
        self.proc = proc
        register_opts(conf)

    def _check_schema(self):
        head = migration.head_revision()
        try:
            current = migration.db_version()
        except Exception as e:
            return uc.Result(uc.Code.FAILURE,
                             'Cannot read the database: %s' % e)
        if current == head:
            return uc.Result(uc.Code.SUCCESS)
        if current is None:
            detail = 'The cinder-snapext tables are missing.'
        else:
            detail = ('The cinder-snapext schema is at %s, this release '
                      'needs %s.' % (current, head))
        return uc.Result(uc.Code.FAILURE, detail + ' Run "cinder-snapext-'
                         'manage db sync" after "cinder-manage db sync".')

    def _check_extensions(self):
        listed = list(self.conf.osapi_volume_extension)
        if EXTENSION not in listed:
            return uc.Result(uc.Code.WARNING,
                             '%s is not in osapi_volume_extension: cinder-'
                             'api serves none of the cinder-snapext API.'
                             % EXTENSION)
        if (STANDARD_EXTENSIONS not in listed or
                listed.index(STANDARD_EXTENSIONS) > listed.index(EXTENSION)):
            return uc.Result(uc.Code.FAILURE,
                             'osapi_volume_extension must list %s first, '
                             'then %s: setting the option replaces Cinder\'s '
                             'own extensions.' % (STANDARD_EXTENSIONS,
                                                  EXTENSION))
        return uc.Result(uc.Code.SUCCESS)

    def _check_backup_classes(self):
        driver = self.conf.backup_driver == BACKUP_DRIVER
        manager = self.conf.backup_manager == BACKUP_MANAGER
        if driver and not manager:
            return uc.Result(uc.Code.FAILURE,
                             'backup_driver is %s but backup_manager is not '
                             '%s: its backups would be recorded under a name '
                             'that Cinder\'s own Ceph driver cannot restore.'
                             % (BACKUP_DRIVER, BACKUP_MANAGER))
        if manager and not driver:
            return uc.Result(uc.Code.WARNING,
                             'backup_manager is %s without backup_driver %s: '
                             'it changes nothing.' % (BACKUP_MANAGER,
                                                      BACKUP_DRIVER))
        if driver and self.conf.backup_api_class != BACKUP_API:
            return uc.Result(uc.Code.WARNING,
                             'backup_api_class is not %s: cinder-api builds '
                             'an incremental backup of a snapshot on a newer '
                             'parent instead of refusing it.' % BACKUP_API)
        return uc.Result(uc.Code.SUCCESS)

    def _check_coordination(self):
        if not self.conf.cluster:
            return uc.Result(uc.Code.SUCCESS)
        url = self.conf.coordination.backend_url or ''
        if urllib.parse.urlsplit(url).scheme in ('', 'file'):
            return uc.Result(uc.Code.FAILURE,
                             'cluster is set but [coordination] backend_url '
                             'is %r, a lock of this host only: assisted '
                             'snapshots of a volume could run on two members '
                             'at once. Set a distributed lock manager (etcd3gw'
                             ', redis).' % url)
        return uc.Result(uc.Code.SUCCESS)

    def _check_threading_modes(self):
        modes = service_modes.running_modes(
            self.proc, mode_record.recorded(self.conf.state_path))
        bad = sorted(b for b, found in modes.items() if None in found)
        mixed = sorted(b for b, found in modes.items()
                       if len(found - {service_modes.UNREADABLE}) > 1)
        summary = ', '.join('%s: %s' % (binary, '/'.join(
            sorted(m or 'invalid' for m in found)))
            for binary, found in sorted(modes.items()))
        if bad:
            return uc.Result(uc.Code.FAILURE,
                             'OS_CINDER_DISABLE_EVENTLET_PATCHING has a value '
                             'Cinder refuses for %s (%s).'
                             % (', '.join(bad), summary))
        if mixed:
            return uc.Result(uc.Code.WARNING,
                             'Services of one kind run in both modes (%s): '
                             'set OS_CINDER_DISABLE_EVENTLET_PATCHING alike '
                             'for every %s.' % (summary, ', '.join(mixed)))
        return uc.Result(uc.Code.SUCCESS,
                         summary or 'No Cinder service runs on this host.')

    def _check_assisted_phases(self):
        ctxt = cinder_context.get_admin_context()
        try:
            hosts = {s.host for s in cinder_objects.ServiceList.get_all(
                ctxt, {'topic': 'cinder-volume'})}
            open_phases = list(phases.snapshots_in_open_phases(ctxt, None))
        except Exception as e:
            return uc.Result(uc.Code.FAILURE,
                             'Cannot read the database: %s' % e)
        stranded = []
        for snapshot, metadata in open_phases:
            host = volume_utils.extract_host(
                metadata.get(phases.HOST_KEY) or snapshot.service_topic_queue)
            if host not in hosts or not self._assists(host):
                stranded.append('%s (%s on %s)' % (
                    snapshot.id, metadata.get(phases.PHASE_KEY), host))
        if stranded:
            return uc.Result(uc.Code.FAILURE,
                             'Assisted snapshot phases are open on backends '
                             'that no longer run an assisted driver: %s. '
                             'Finish them first, or reset the snapshots\' '
                             'status.' % ', '.join(stranded))
        return uc.Result(uc.Code.SUCCESS)

    def _check_assisted_workers(self):
        workers = self.conf.snapext.assisted_snapshot_workers
        connections = slots.pool_connections(self.conf)
        if workers and connections is not None and workers >= connections:
            return uc.Result(uc.Code.WARNING,
                             '[snapext] assisted_snapshot_workers is %d, not '
                             'below the %d connections of [database] '
                             'max_pool_size + max_overflow: a burst of '
                             'assisted snapshots can take every connection '
                             'of a volume service, its heartbeat\'s too. Set '
                             'it lower, or 0 (half the pool).'
                             % (workers, connections))
        return uc.Result(uc.Code.SUCCESS)

    def _assists(self, host):
        """False if host is a backend of this node whose driver cannot."""
        node, _, backend = host.partition('@')
        if node != self.conf.host or backend not in (
                self.conf.enabled_backends or []):
            return True  # another node's: its own check sees it
        from cinder.volume import manager as volume_manager
        self.conf.register_opts(volume_manager.volume_backend_opts,
                                group=backend)
        driver = importutils.import_class(self.conf[backend].volume_driver)
        return bool(getattr(driver, 'supports_assisted_snapshots', False))

    _upgrade_checks = (
        ('cinder-snapext schema', _check_schema),
        ('API extension order', _check_extensions),
        ('Backup classes', _check_backup_classes),
        ('Coordination for clusters', _check_coordination),
        ('Native threads', _check_threading_modes),
        ('Open assisted phases', _check_assisted_phases),
        ('Assisted snapshot workers', _check_assisted_workers),
    )


def main():
    try:
        return uc.main(CONF, 'cinder', Checks())
    except cfg.ConfigDirNotFoundError:
        return ('ERROR: cannot read the cinder configuration directory; run '
                'again with a valid --config-dir.')


if __name__ == '__main__':
    sys.exit(main())
