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

"""Verify a Ceph backup against its source snapshot, and mark a mismatch."""

import collections

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import context as cinder_context
from cinder import exception as cinder_exception
from cinder.message import api as message_api
from cinder.message import message_field
from cinder import objects
from cinder.objects import fields
from cinder.volume import configuration
from cinder.volume.drivers import rbd as rbd_driver
from cinder.volume import volume_utils
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from cinder_snapext.backup import rbd_compare
from cinder_snapext.backup import verify_points
from cinder_snapext.internals import backup as internal_backup
from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

MATCH = 'match'
MISMATCH = 'mismatch'
# The source is gone (snapshot deleted, volume point pruned): nothing to
# compare with. Not a fault of the backup: it is left as it is.
UNVERIFIABLE = 'unverifiable'

# Backup metadata written by verify (Cinder shows it with the backup).
META_RESULT = 'snapext_verify'
META_AT = 'snapext_verified_at'
META_DETAIL = 'snapext_verify_detail'

CEPH_SERVICES = ('cinder.backup.drivers.ceph.CephBackupDriver',
                 'cinder_snapext.backup.drivers.ceph.SnapextCephBackupDriver')

Outcome = collections.namedtuple('Outcome', 'result detail comparison')
_Unverifiable = verify_points.Unverifiable


def _mismatch_detail(comparison):
    if comparison.copy_size < comparison.source_size:
        return ('the restore point holds %d bytes, the source %d' %
                (comparison.copy_size, comparison.source_size))
    return ('%d of %d chunks of %d bytes differ from the source, the first '
            'at byte %d (SHA-256 source %s, backup %s)' % (
                comparison.differing_chunks,
                -(-comparison.compared // comparison.chunk),
                comparison.chunk, comparison.first_offsets[0],
                comparison.source_sha256, comparison.copy_sha256))


def _volume_cluster(volume):
    """rados.Rados arguments and pool of the volume's RBD backend."""
    backend = volume_utils.extract_host(volume.host, 'backend') or ''
    if '@' not in backend:
        raise _Unverifiable('volume %s has no backend host' % volume.id)
    conf = configuration.Configuration(rbd_driver.RBD_OPTS,
                                       config_group=backend.split('@')[1])
    return ({'rados_id': conf.rbd_user, 'conffile': conf.rbd_ceph_conf,
             'clustername': conf.rbd_cluster_name}, conf.rbd_pool)


def _backup_cluster(backup):
    return ({'rados_id': CONF.backup_ceph_user,
             'conffile': CONF.backup_ceph_conf},
            backup.container or CONF.backup_ceph_pool)


def plan(ctxt, backup):
    """Where backup's restore point and its source are (database only)."""
    try:
        volume = objects.Volume.get_by_id(ctxt, backup.volume_id)
    except cinder_exception.VolumeNotFound:
        raise _Unverifiable('its volume no longer exists')
    source_snap = None
    if backup.snapshot_id:
        try:
            source_snap = objects.Snapshot.get_by_id(
                ctxt, backup.snapshot_id).name
        except cinder_exception.SnapshotNotFound:
            raise _Unverifiable('its snapshot %s no longer exists' %
                                backup.snapshot_id)
    volume_args, volume_pool = _volume_cluster(volume)
    backup_args, backup_pool = _backup_cluster(backup)
    return verify_points.Plan(
        backup.id, volume_args, volume_pool, volume.name,
        source_snap, backup_args, backup_pool,
        internal_backup.base_image_name(
            cinder_ceph.CephBackupDriver, backup.volume_id, backup))


def _vanished_in_db(ctxt, backup):
    """Why a mismatch of backup may come from a delete, or None."""
    try:
        now = objects.Backup.get_by_id(ctxt, backup.id)
    except cinder_exception.BackupNotFound:
        return 'the backup was deleted while it was being verified'
    if now.status not in (fields.BackupStatus.AVAILABLE,
                          fields.BackupStatus.ERROR):
        return 'the backup became %s while it was being verified' % (
            now.status)
    if backup.snapshot_id:
        try:
            snapshot = objects.Snapshot.get_by_id(ctxt, backup.snapshot_id)
        except cinder_exception.SnapshotNotFound:
            snapshot = None
        if snapshot is None or snapshot.status in (
                fields.SnapshotStatus.DELETING,
                fields.SnapshotStatus.DELETED,
                fields.SnapshotStatus.ERROR_DELETING):
            return ('its snapshot %s was deleted while it was being '
                    'verified' % backup.snapshot_id)
    return None


def _in_line(func, *args):
    return func(*args)


def check_state(backup):
    """Whether an earlier mismatch put backup in error; else InvalidBackup.

    Only an available backup is verified, or one in error by verify's own
    finding (so that a repaired backup can come back).
    """
    ours_before = (backup.metadata or {}).get(META_RESULT) == MISMATCH
    if backup.status != fields.BackupStatus.AVAILABLE and not (
            ours_before and backup.status == fields.BackupStatus.ERROR):
        raise cinder_exception.InvalidBackup(
            reason='backup %s is %s, not available' % (backup.id,
                                                       backup.status))
    return ours_before


def verify(ctxt, backup_id, rados, rbd, in_flight=8, mark=True,
           run=_in_line, mark_unverifiable=False):
    """Compare backup_id's restore point with its source; return Outcome.

    A mismatch (data differs, or the backup image is gone) sets an
    available backup to error with a fail_reason, records the result in
    the backup's metadata and leaves the project a user message; a backup
    set to error by an earlier mismatch returns to available once it
    matches again. An unverifiable backup keeps its status; its metadata
    records why only with mark_unverifiable. run(compare,
    ...) runs the comparison: in line (a command), or in a native thread
    (a service under eventlet).
    """
    backup = objects.Backup.get_by_id(ctxt, backup_id)
    ours_before = check_state(backup)
    try:
        if backup.service not in CEPH_SERVICES:
            raise _Unverifiable('not a Ceph backup (%s)' % backup.service)
        if rados is None or rbd is None:
            raise _Unverifiable('the Python modules rados and rbd are '
                                'missing on this node (python3-rados, '
                                'python3-rbd)')
        comparison = run(verify_points.compare, plan(ctxt, backup), rados,
                         rbd, in_flight)
    except _Unverifiable as e:
        return _unverifiable(backup, str(e), mark_unverifiable)
    except rbd.ImageNotFound as e:
        outcome = Outcome(MISMATCH, 'the backup image is gone: %s' % e,
                          None)
    else:
        outcome = (Outcome(MATCH, 'SHA-256 %s over %d bytes' % (
            comparison.source_sha256, comparison.compared), comparison)
            if rbd_compare.matches(comparison) else
            Outcome(MISMATCH, _mismatch_detail(comparison), comparison))
    if outcome.result == MISMATCH:
        # A delete of the backup or its snapshot that landed during the
        # reads, seen in the database: not the backup's fault.
        why = _vanished_in_db(ctxt, backup)
        if why:
            return _unverifiable(backup, why, mark_unverifiable)
    if mark:
        _mark(ctxt, backup, outcome, ours_before)
    return outcome


def _unverifiable(backup, why, record):
    outcome = Outcome(UNVERIFIABLE, why, None)
    if record:
        # Asked for through the API: the metadata is the only answer the
        # operator gets. The status stays: not the backup's fault.
        try:
            _record(backup, outcome)
        except cinder_exception.BackupNotFound:
            pass  # deleted meanwhile: nobody left to tell
    return outcome


def _record(backup, outcome):
    metadata = dict(backup.metadata or {})
    metadata.update({META_RESULT: outcome.result,
                     META_AT: timeutils.utcnow().isoformat(
                         timespec='seconds'),
                     META_DETAIL: outcome.detail[:255]})
    backup.metadata = metadata
    backup.save()


def _mark(ctxt, backup, outcome, ours_before):
    _record(backup, outcome)
    if outcome.result == MATCH and ours_before:
        backup.conditional_update(
            {'status': fields.BackupStatus.AVAILABLE, 'fail_reason': None},
            {'status': fields.BackupStatus.ERROR})
        return
    if outcome.result != MISMATCH:
        return
    LOG.error('Backup %(id)s does not match its source: %(detail)s',
              {'id': backup.id, 'detail': outcome.detail})
    # Error keeps it from being restored or chosen as the parent of an
    # incremental backup without anyone noticing; an admin may reset it.
    backup.conditional_update(
        {'status': fields.BackupStatus.ERROR,
         'fail_reason': ('cinder-snapext verify: ' + outcome.detail)[:255]},
        {'status': fields.BackupStatus.AVAILABLE})
    # Cinder's catalogue of user messages is closed: "create backup:
    # Backup driver failed to create backup." is the nearest; the backup's
    # fail_reason says what verify found.
    owner = cinder_context.RequestContext(
        user_id=backup.user_id, project_id=backup.project_id, is_admin=True)
    message_api.API().create(
        owner, message_field.Action.BACKUP_CREATE,
        resource_type=message_field.Resource.VOLUME_BACKUP,
        resource_uuid=backup.id,
        detail=message_field.Detail.BACKUP_CREATE_DRIVER_ERROR)
