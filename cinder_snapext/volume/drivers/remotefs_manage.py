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

"""Import and export of qcow2 snapshots of RemoteFS volumes.

A snapshot is known on the share by its overlay, the file that ``.info``
maps it to (``volume-<id>.<snapshot id>`` when Cinder made it). Exporting
(unmanaging) keeps both the file and its ``.info`` entry: the entry is
what Cinder's merge logic needs to keep the chain right while other
snapshots come and go, and it is how an import finds the file again.
"""

import math
import os

from cinder import context as cinder_context
from cinder import exception as cinder_exception
from oslo_log import log as logging
from oslo_utils import units

from cinder_snapext.internals import remotefs
from cinder_snapext.volume.drivers import qcow2_chain
from cinder_snapext.volume import manageable

LOG = logging.getLogger(__name__)


def reference(driver, snapshot):
    """``{'source-name': <overlay>}``: what imports the snapshot again."""
    info = qcow2_chain.read_info(driver, snapshot.volume)
    return {'source-name': info.get(
        snapshot.id,
        qcow2_chain.default_snapshot_file(snapshot.volume, snapshot.id))}


def backend_snapshots(driver, volume):
    """Overlays in the volume's chain, managed or not, bottom last."""
    return qcow2_chain.overlays(driver, volume)


def unmanaged_overlays(driver, volume):
    """Overlays in the chain that no snapshot Cinder manages owns."""
    info = qcow2_chain.read_info(driver, volume)
    live = qcow2_chain.live_snapshot_ids(
        cinder_context.get_admin_context(), volume.id)
    return [name for name in backend_snapshots(driver, volume)
            if not set(qcow2_chain.owners(info, name)) & live]


def current_file(driver, volume, name):
    """The file that an export's reference ``name`` stands for now.

    Deleting the snapshot just above an exported one while the volume is
    attached makes Nova pull the exported overlay into the active file;
    Cinder then deletes that overlay and maps the exported snapshot's
    ``.info`` entry to the active file. The reference given at export,
    ``volume-<id>.<exported snapshot id>``, then names no file, but the
    entry it ends with still says where the snapshot's data went.
    """
    if os.path.exists(qcow2_chain.path_of(driver, volume, name)):
        return name
    prefix = volume.name + '.'
    if not name.startswith(prefix):
        return name
    info = qcow2_chain.read_info(driver, volume)
    key = name[len(prefix):]
    if key in qcow2_chain.snapshot_ids(info):
        return info[key]
    return name


def check_reference(driver, snapshot, existing_ref):
    """The overlay that ``existing_ref`` names, if it may become ``snapshot``.

    It must be a qcow2 overlay in the chain of ``snapshot.volume`` that no
    snapshot Cinder manages owns.

    :returns: ``(file name, size in GiB rounded up)``
    :raises ManageExistingInvalidReference: otherwise, saying why.
    """
    volume = snapshot.volume
    if not isinstance(existing_ref, dict):
        existing_ref = {'source-name': existing_ref}
    name = existing_ref.get('source-name')

    def refuse(why):
        raise cinder_exception.ManageExistingInvalidReference(
            existing_ref=existing_ref,
            reason='file %s cannot become a snapshot of volume %s: %s'
                   % (name, volume.id, why))

    if not isinstance(name, str) or not name:
        refuse('a reference is {"source-name": <overlay file name>}')
    if os.path.basename(name) != name or name in ('.', '..'):
        refuse('give the file name alone, without a directory')
    name = current_file(driver, volume, name)
    if not os.path.isfile(qcow2_chain.path_of(driver, volume, name)):
        refuse('there is no such file beside %s on share %s'
               % (volume.name, volume.provider_location))
    try:
        files = dict(qcow2_chain.chain(driver, volume))
    except cinder_exception.RemoteFSInvalidBackingFile as e:
        refuse('the chain of the volume has a foreign backing file (%s)'
               % e.msg)
    if name not in files:
        refuse('it is not in the chain of the volume (%s)'
               % ' <- '.join(reversed(list(files))))
    if not files[name]:
        refuse('it is the bottom of the chain, the volume itself')
    info = qcow2_chain.read_info(driver, volume)
    live = qcow2_chain.live_snapshot_ids(
        cinder_context.get_admin_context(), volume.id)
    managed = sorted(set(qcow2_chain.owners(info, name)) & live)
    if managed:
        refuse('Cinder already manages it as snapshot %s' % managed[0])
    image = remotefs.qemu_img_info(
        driver, qcow2_chain.path_of(driver, volume, name), volume.name)
    if image.file_format != qcow2_chain.QCOW2:
        refuse('it is %s, not qcow2' % image.file_format)
    return name, int(math.ceil(float(image.virtual_size) / units.Gi))


def manage(driver, snapshot, existing_ref):
    """Make the overlay ``snapshot``'s in ``.info``; the file stays put.

    Renaming it would change a path that a running instance may have
    open; ``.info`` is what maps snapshots to files.
    """
    name, _size = check_reference(driver, snapshot, existing_ref)
    volume = snapshot.volume
    info = qcow2_chain.read_info(driver, volume)
    for stale in qcow2_chain.owners(info, name):
        del info[stale]
    info.setdefault(qcow2_chain.ACTIVE, qcow2_chain.active_file(driver,
                                                                volume))
    info[snapshot.id] = name
    qcow2_chain.write_info(driver, volume, info)


def manageable_overlays(driver, volumes, cinder_snapshots):
    """Entries of Cinder's manageable-snapshot listing for ``volumes``.

    Every overlay in each volume's chain: the ones that ``.info`` maps to
    one of ``cinder_snapshots`` are already managed, the others (what an
    export left) can be imported under that volume. A volume whose chain
    cannot be read is skipped, as one file must not fail the listing.
    """
    snapshot_ids = {snapshot.id for snapshot in cinder_snapshots}
    entries = []
    for volume in volumes:
        try:
            files = [name for name, backing in
                     qcow2_chain.chain(driver, volume) if backing]
            info = qcow2_chain.read_info(driver, volume) if files else {}
            sizes = [qcow2_chain.read_virtual_size(
                qcow2_chain.path_of(driver, volume, name)) for name in files]
        except (OSError, ValueError, cinder_exception.CinderException) as e:
            LOG.debug('Not listing the snapshots of volume %(id)s: '
                      '%(error)s', {'id': volume.id, 'error': e})
            continue
        for name, size in zip(files, sizes):
            owner = sorted(set(qcow2_chain.owners(info, name)) &
                           snapshot_ids)
            entries.append(manageable.snapshot_entry(
                name, size or volume.size * units.Gi, volume.name,
                volume.id, cinder_id=owner[0] if owner else None))
    return entries
