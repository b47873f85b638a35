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

"""Nova-assisted RemoteFS snapshots in two halves, nothing waiting between.

Cinder's RemoteFSSnapDriverBase does each online snapshot operation in one
call: file work, a request to Nova, a database poll until Nova reports,
then the bookkeeping. Here ``*_begin`` ends with the request to Nova, and
``*_complete`` does the bookkeeping when the volume manager hears Nova's
callback. What ``complete`` needs from ``begin`` travels in the
snapshot's admin metadata, under keys prefixed with the driver's prefix.
"""

import os

from cinder import exception as cinder_exception
from cinder.objects import fields
from oslo_concurrency import processutils
from oslo_log import log as logging

from cinder_snapext import exception
from cinder_snapext.internals import remotefs
from cinder_snapext.volume.assisted import phases
from cinder_snapext.volume.drivers import qcow2_chain

LOG = logging.getLogger(__name__)

QCOW2 = qcow2_chain.QCOW2
# Volume states in which Cinder's driver snapshots a volume.
_CREATE_STATES = ['available', 'in-use', 'backing-up']
_DELETE_STATES = ['available', 'in-use', 'backing-up', 'deleting',
                  'downloading']
# The two shapes of an online delete (NFS-NOTES 3.3): libvirt pulls the
# base into the active file, or commits an inner overlay into its base.
PULL = 'pull'
COMMIT = 'commit'


def key(driver, name):
    """An admin metadata key of this driver, e.g. ``nfs:new_file``."""
    return '%s:%s' % (driver.driver_prefix, name)


def needs_compute(driver, snapshot):
    """Whether Nova must act: the volume is attached, as Cinder decides.

    A delete needs Nova only if the snapshot has an overlay to merge; one
    whose create never completed has none, and Cinder's own delete just
    forgets it.
    """
    volume = snapshot.volume
    if not remotefs.is_volume_attached(driver, volume):
        return False
    if snapshot.status == fields.SnapshotStatus.DELETING:
        return snapshot.id in qcow2_chain.read_info(driver, volume)
    return True


def refuse_while_open(context, volume, snapshot_id=None):
    """Keep the chain still while Nova works on an assisted snapshot.

    The volume manager and the API refuse snapshot requests while a phase
    is open; this covers what reaches the driver without them (Cinder's
    backup of an attached volume, clones, extend, revert), since the
    per-volume lock no longer spans the wait for Nova.
    """
    busy = phases.find_open_phase(context, volume.id)
    if busy is not None and busy[0] != snapshot_id:
        raise exception.AssistedSnapshotInProgress(
            volume_id=volume.id, snapshot_id=busy[0], phase=busy[1])


def create_begin(driver, context, snapshot):
    """Create the new overlay on the active file and hand it to Nova."""
    volume = snapshot.volume
    remotefs.validate_state(driver, volume.status, _CREATE_STATES)
    backing_file = qcow2_chain.active_file(driver, volume)
    new_path = remotefs.new_snap_path(driver, snapshot)
    new_file = os.path.basename(new_path)
    remotefs.do_create_snapshot(driver, snapshot, backing_file, new_path)
    create_info = {'type': QCOW2, 'new_file': new_file,
                   'snapshot_id': snapshot.id}
    try:
        remotefs.nova(driver).create_volume_snapshot(context, volume.id,
                                                     create_info)
    except Exception:
        # Nova refused, so no instance uses the new file.
        LOG.exception('Nova refused to snapshot volume %s.', volume.id)
        remotefs.delete(driver, new_path)
        raise
    return {'admin_metadata': {key(driver, 'new_file'): new_file,
                               key(driver, 'backing_file'): backing_file}}


def create_complete(driver, context, snapshot, metadata):
    """Nova switched the instance to the new overlay: record it."""
    volume = snapshot.volume
    new_file = metadata[key(driver, 'new_file')]
    backing_file = metadata[key(driver, 'backing_file')]
    info = qcow2_chain.read_info(driver, volume)
    active = info.get(qcow2_chain.ACTIVE, volume.name)
    found = qcow2_chain.backing_of(driver, volume, new_file)
    if active != backing_file or found != backing_file:
        raise cinder_exception.RemoteFSException(
            'the chain of volume %s changed while Nova worked: %s now backs '
            'on %s and the active file is %s, expected both %s'
            % (volume.id, new_file, found, active, backing_file))
    _point_attachments_at(volume, new_file)
    _set_volume_format(volume, had_snapshots=bool(
        qcow2_chain.snapshot_ids(info)))
    info[qcow2_chain.ACTIVE] = new_file
    info[snapshot.id] = new_file
    qcow2_chain.write_info(driver, volume, info)


def create_abort(driver, context, snapshot, metadata, reason):
    """Remove the new overlay if Nova cannot be using it.

    Nova reported an error: unless a process still holds the file open
    (qemu locks the images it runs on), the instance stayed on the old
    file. A timeout or a restart leaves the file where it is, since Nova
    may yet switch to it; the admin metadata names it for the operator.
    """
    new_file = metadata.get(key(driver, 'new_file'))
    if not new_file:
        return None
    path = qcow2_chain.path_of(driver, snapshot.volume, new_file)
    if not os.path.exists(path):
        return None
    if reason == phases.REASON_COMPUTE_ERROR and not _held_open(driver,
                                                               path):
        remotefs.delete(driver, path)
        return None
    LOG.warning('Leaving %(path)s of failed snapshot %(id)s in place '
                '(%(reason)s): an instance may be using it.',
                {'path': path, 'id': snapshot.id, 'reason': reason})
    return {'admin_metadata': {key(driver, 'left_file'): new_file}}


def delete_begin(driver, context, snapshot):
    """Tell Nova which overlay to merge into which; do not wait."""
    volume = snapshot.volume
    remotefs.validate_state(driver, volume.status, _DELETE_STATES)
    info = qcow2_chain.read_info(driver, volume)
    snapshot_file = info.get(snapshot.id)
    if snapshot_file is None:
        raise cinder_exception.RemoteFSException(
            'snapshot %s has no overlay in %s.info' % (snapshot.id,
                                                       volume.name))
    base_file = qcow2_chain.backing_of(driver, volume, snapshot_file)
    if base_file is None:
        raise cinder_exception.RemoteFSException(
            'overlay %s of snapshot %s has no backing file'
            % (snapshot_file, snapshot.id))
    # The snapshot whose data the base file holds, if that is one.
    base_id = next(iter(qcow2_chain.owners(info, base_file)), None)
    if info[qcow2_chain.ACTIVE] == snapshot_file:
        # Pull the base into the active file: onto the base's own backing
        # file, or flatten when the base is the bottom of the chain.
        merge = PULL
        file_to_delete = base_file
        new_base = (qcow2_chain.backing_of(driver, volume, base_file)
                    if base_id is not None else None)
        delete_info = {'file_to_merge': new_base, 'merge_target_file': None}
    else:
        merge = COMMIT
        file_to_delete = snapshot_file
        delete_info = {'file_to_merge': snapshot_file,
                       'merge_target_file': base_file}
    delete_info.update(type=QCOW2, volume_id=volume.id)
    metadata = {key(driver, 'merge'): merge,
                key(driver, 'snapshot_file'): snapshot_file,
                key(driver, 'file_to_delete'): file_to_delete}
    if base_id is not None:
        # Admin metadata values cannot be empty: no key, no base snapshot.
        metadata[key(driver, 'base_id')] = base_id
    remotefs.nova(driver).delete_volume_snapshot(context, snapshot.id,
                                                 delete_info)
    return {'admin_metadata': metadata}


def delete_complete(driver, context, snapshot, metadata):
    """Nova merged: forget the snapshot and remove the merged-away file."""
    volume = snapshot.volume
    merge = metadata[key(driver, 'merge')]
    snapshot_file = metadata[key(driver, 'snapshot_file')]
    file_to_delete = metadata[key(driver, 'file_to_delete')]
    base_id = metadata.get(key(driver, 'base_id'))
    still_used = [name for name, backing in qcow2_chain.chain(driver, volume)
                  if file_to_delete in (name, backing)]
    if still_used:
        raise cinder_exception.RemoteFSException(
            'Nova reported snapshot %s merged, but %s is still in the chain '
            'of volume %s; nothing was deleted'
            % (snapshot.id, file_to_delete, volume.id))
    info = qcow2_chain.read_info(driver, volume)
    info.pop(snapshot.id, None)
    if merge == PULL:
        if base_id:
            # The base snapshot's data now sits under the active file.
            info[base_id] = snapshot_file
        else:
            # The active file is now the whole volume, in its format.
            _set_volume_base_format(volume)
    qcow2_chain.write_info(driver, volume, info)
    _remove(driver, qcow2_chain.path_of(driver, volume, file_to_delete))


def _remove(driver, path):
    """Remove a merged-away file, without a process when we may.

    Cinder's ``_delete`` runs ``rm`` (as root where files are root's):
    tens of milliseconds on the way to the snapshot's end.
    """
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except PermissionError:
        remotefs.delete(driver, path)


def _point_attachments_at(volume, active_file):
    """Attachments connect to the new active file from now on.

    Cinder's driver sets ``name`` and ``format`` at the top of the stored
    connection info; the ``data`` that os-brick reads gets them too.
    """
    for attachment in volume.volume_attachment:
        if not attachment.connection_info:
            continue
        connection_info = dict(attachment.connection_info)
        connection_info.update(name=active_file, format=QCOW2)
        if isinstance(connection_info.get('data'), dict):
            connection_info['data'] = dict(connection_info['data'],
                                           name=active_file, format=QCOW2)
        attachment.connection_info = connection_info
        attachment.save()


def _set_volume_format(volume, had_snapshots):
    with volume.obj_as_admin():
        metadata = volume.admin_metadata
        changed = {}
        if not had_snapshots and 'base_format' not in metadata:
            # Restored when the last snapshot is deleted offline.
            changed['base_format'] = metadata.get('format', 'raw')
        if metadata.get('format') != QCOW2:
            changed['format'] = QCOW2
        if changed:
            metadata.update(changed)
            volume.admin_metadata = metadata
            volume.save()


def _set_volume_base_format(volume):
    with volume.obj_as_admin():
        metadata = volume.admin_metadata
        if 'format' in metadata and (metadata.get('base_format') !=
                                     metadata['format']):
            metadata['base_format'] = metadata['format']
            volume.admin_metadata = metadata
            volume.save()


def _held_open(driver, path):
    """Whether a running qemu holds ``path`` (it takes image locks)."""
    try:
        remotefs.execute(driver, 'qemu-img', 'info', '--output=json', path)
    except processutils.ProcessExecutionError as e:
        return 'lock' in (e.stderr or '')
    return False
