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

"""Protect, restore, delete and verify of one volume, as Karbor runs them.

Slightly over 300 lines on purpose: Karbor's plugin contract groups the
four operations, and each reads the others' bank records.
"""

import functools

from oslo_log import log as logging

from cinder_snapext.protection import client
from cinder_snapext.protection import exception
from cinder_snapext.protection import interface
from cinder_snapext.protection import removal
from cinder_snapext.protection import schemas
from cinder_snapext.protection import statuses
from cinder_snapext.protection import waiter

LOG = logging.getLogger(__name__)

# Bank section keys, as Karbor's own volume plugins name them.
STATUS_KEY = 'status'
METADATA_KEY = 'metadata'


class Runtime:
    """What every operation needs: a Cinder client and bounded waits.

    :param settings: our option group (``opts.GROUP``) of the plugin's
        configuration
    :param client_factory: ``context -> resources.Client``
    """

    def __init__(self, settings, client_factory, clock=None, sleep=None,
                 progress=None):
        self.settings = settings
        self._client_factory = client_factory
        self._clock = clock
        self._sleep = sleep
        self._progress = progress

    def client(self, context):
        return self._client_factory(context)

    def waiter(self, timeout):
        return waiter.Waiter(timeout, self.settings.poll_interval,
                             clock=self._clock, sleep=self._sleep,
                             progress=self._progress,
                             is_transient=client.is_transient)


class ProtectOperation(interface.Operation):
    """Snapshot the volume and record the snapshot in the checkpoint.

    The bank section gets ``status`` (protecting, then available or
    error) and ``metadata`` = ``{volume_id, snapshot_id, size}``. The
    metadata is written as soon as Cinder accepted the snapshot, before
    waiting for it, so that deleting a failed checkpoint still removes it.
    """

    def __init__(self, runtime):
        self._runtime = runtime

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        volume_id = resource.id
        section = checkpoint.get_resource_bank_section(volume_id)
        section.update_object(STATUS_KEY,
                              interface.RESOURCE_STATUS_PROTECTING)
        try:
            options = schemas.protect_parameters(parameters, checkpoint.id,
                                                 volume_id)
            saved = self._protect(checkpoint, volume_id, context, options,
                                  section)
        except Exception as e:
            LOG.error('Protecting volume %(volume)s in checkpoint '
                      '%(checkpoint)s failed: %(error)s',
                      {'volume': volume_id, 'checkpoint': checkpoint.id,
                       'error': e})
            section.update_object(STATUS_KEY,
                                  interface.RESOURCE_STATUS_ERROR)
            raise exception.ProtectFailed(volume_id=volume_id,
                                          reason=e) from e
        section.update_object(STATUS_KEY, interface.RESOURCE_STATUS_AVAILABLE)
        LOG.info('Protected volume %(volume)s by snapshot %(snapshot)s',
                 {'volume': volume_id, 'snapshot': saved['snapshot_id']})

    def _protect(self, checkpoint, volume_id, context, options, section):
        runtime = self._runtime
        cinder = runtime.client(context)
        volume = runtime.waiter(runtime.settings.volume_ready_timeout).wait(
            'Volume', volume_id,
            functools.partial(client.get_volume, cinder, volume_id),
            statuses.VOLUME_USABLE)
        # From microversion 3.66 Cinder snapshots in-use volumes whatever
        # force says; the option keeps its meaning at every microversion.
        if volume.status == 'in-use' and not options['force']:
            raise exception.VolumeAttached(volume_id=volume_id)
        snapshot = client.create_snapshot(
            cinder, volume_id, options['snapshot_name'],
            options['description'], options['force'], checkpoint.id)
        saved = {'volume_id': volume_id, 'snapshot_id': snapshot.id,
                 'size': snapshot.size}
        section.update_object(METADATA_KEY, saved)
        runtime.waiter(runtime.settings.snapshot_timeout).wait(
            'Snapshot', snapshot.id,
            functools.partial(client.get_snapshot, cinder, snapshot.id),
            statuses.SNAPSHOT_AVAILABLE, status=snapshot.status)
        return saved


class RestoreOperation(interface.Operation):
    """Create a new volume from the checkpoint's snapshot.

    The new volume is reported where Karbor's callers look for it:
    ``new_resources[original id] = new id`` (read by the server plugin to
    re-attach volumes) and the restore record's status of
    ``OS::Cinder::Volume#<new id>`` (restoring, then available or error
    with a reason). A failure before Cinder created a volume is recorded
    under the original volume's id.
    """

    def __init__(self, runtime):
        self._runtime = runtime

    def on_main(self, checkpoint, resource, context, parameters,
                restore=None, new_resources=None, **kwargs):
        original_id = resource.id
        section = checkpoint.get_resource_bank_section(original_id)
        created: list[str] = []
        try:
            options = schemas.restore_parameters(parameters)
            volume = self._restore(checkpoint, original_id, context,
                                   options, section, restore, created)
        except Exception as e:
            LOG.error('Restoring volume %(volume)s from checkpoint '
                      '%(checkpoint)s failed: %(error)s',
                      {'volume': original_id, 'checkpoint': checkpoint.id,
                       'error': e})
            _record(restore, created[0] if created else original_id,
                    interface.RESOURCE_STATUS_ERROR, str(e))
            raise exception.RestoreFailed(volume_id=original_id,
                                          reason=e) from e
        _record(restore, volume.id, interface.RESOURCE_STATUS_AVAILABLE)
        if new_resources is not None:
            new_resources[original_id] = volume.id
        LOG.info('Restored volume %(volume)s as %(new)s',
                 {'volume': original_id, 'new': volume.id})

    def _restore(self, checkpoint, original_id, context, options, section,
                 restore, created):
        runtime = self._runtime
        saved = _saved_info(section, checkpoint, original_id)
        cinder = runtime.client(context)
        snapshot = runtime.waiter(runtime.settings.snapshot_timeout).wait(
            'Snapshot', saved['snapshot_id'],
            functools.partial(client.get_snapshot, cinder,
                              saved['snapshot_id']),
            statuses.SNAPSHOT_AVAILABLE)
        # Cinder refuses a volume smaller than its snapshot; the recorded
        # size may predate an extend.
        size = max(saved['size'], snapshot.size)
        name = options.get('restore_name') or 'volume-%s@%s' % (
            checkpoint.id, original_id)
        volume = client.create_volume(cinder, size, snapshot.id, name,
                                      options.get('restore_description'))
        created.append(volume.id)
        _record(restore, volume.id, interface.RESOURCE_STATUS_RESTORING)
        return runtime.waiter(runtime.settings.restore_timeout).wait(
            'Volume', volume.id,
            functools.partial(client.get_volume, cinder, volume.id),
            statuses.VOLUME_RESTORED, status=volume.status)


class DeleteOperation(interface.Operation):
    """Delete the checkpoint's snapshot; one already gone counts as done.

    If the bank holds no metadata (protect failed before recording it, or
    the bank lost it), the snapshots protect tagged with this checkpoint
    are looked up in Cinder, so none is leaked.
    """

    def __init__(self, runtime):
        self._runtime = runtime

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        volume_id = resource.id
        section = checkpoint.get_resource_bank_section(volume_id)
        section.update_object(STATUS_KEY, interface.RESOURCE_STATUS_DELETING)
        try:
            cinder = self._runtime.client(context)
            saved = read_saved_info(section)
            if saved and saved.get('snapshot_id'):
                snapshot_ids = [saved['snapshot_id']]
            else:
                snapshot_ids = [snapshot.id for snapshot in
                                client.protection_snapshots(
                                    cinder, volume_id, checkpoint.id)]
            for snapshot_id in snapshot_ids:
                self._delete_snapshot(cinder, snapshot_id)
            if saved is not None:
                section.delete_object(METADATA_KEY)
        except Exception as e:
            LOG.error('Deleting the protection of volume %(volume)s in '
                      'checkpoint %(checkpoint)s failed: %(error)s',
                      {'volume': volume_id, 'checkpoint': checkpoint.id,
                       'error': e})
            section.update_object(STATUS_KEY,
                                  interface.RESOURCE_STATUS_ERROR)
            raise exception.DeleteFailed(volume_id=volume_id,
                                         reason=e) from e
        section.update_object(STATUS_KEY, interface.RESOURCE_STATUS_DELETED)

    def _delete_snapshot(self, cinder, snapshot_id):
        # Cinder refuses a snapshot in creating, deleting,
        # error_deleting...: carry on only if it is on its way out.
        runtime = self._runtime
        removal.delete_and_wait(
            runtime.waiter(runtime.settings.delete_timeout), 'Snapshot',
            snapshot_id, functools.partial(client.delete_snapshot, cinder),
            functools.partial(client.get_snapshot, cinder, snapshot_id),
            statuses.SNAPSHOT_DELETED, tolerated=('deleting',))


class VerifyOperation(interface.Operation):
    """Check that the checkpoint's snapshot still exists and is usable."""

    def __init__(self, runtime):
        self._runtime = runtime

    def on_main(self, checkpoint, resource, context, parameters,
                verify=None, **kwargs):
        volume_id = resource.id
        section = checkpoint.get_resource_bank_section(volume_id)
        try:
            saved = _saved_info(section, checkpoint, volume_id)
            cinder = self._runtime.client(context)
            snapshot = client.get_snapshot(cinder, saved['snapshot_id'])
            status = snapshot.status if snapshot is not None else None
            if statuses.SNAPSHOT_AVAILABLE.classify(status) != statuses.DONE:
                raise exception.SnapshotUnusable(
                    snapshot_id=saved['snapshot_id'],
                    status=status or statuses.NOT_FOUND)
        except Exception as e:
            _record(verify, volume_id, interface.RESOURCE_STATUS_ERROR,
                    str(e))
            raise exception.VerifyFailed(volume_id=volume_id,
                                         reason=e) from e
        _record(verify, volume_id, interface.RESOURCE_STATUS_AVAILABLE)


def read_saved_info(section):
    """The metadata protect recorded in a bank section, or None."""
    try:
        return section.get_object(METADATA_KEY)
    except Exception as e:
        # Banks raise their own errors for a missing key (Karbor's
        # BankGetObjectFailed, KeyError...); the caller falls back to
        # Cinder itself, so nothing is lost by not telling them apart.
        LOG.info('No protection metadata in the bank: %s', e)
        return None


def _saved_info(section, checkpoint, volume_id):
    saved = read_saved_info(section)
    if not saved or not saved.get('snapshot_id'):
        raise exception.NothingProtected(checkpoint_id=checkpoint.id,
                                         volume_id=volume_id)
    return saved


def _record(record, resource_id, status, reason=None):
    """Report a resource's status in a Karbor restore or verify record."""
    if record is None:
        return
    args = (interface.VOLUME_RESOURCE_TYPE, resource_id, status)
    try:
        record.update_resource_status(*args + ((reason,) if reason else ()))
        record.save()
    except Exception:
        # The volume exists whatever the record says and new_resources
        # still carries it: failing the whole restore over its report
        # would hide a volume the user already has.
        LOG.exception('Could not record %(status)s for volume %(id)s',
                      {'status': status, 'id': resource_id})
