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

"""How protect talks to Cinder: find, create, list and tag its resources.

The calls go through resources.Client, on the openstacksdk Connection's
block-storage proxy (connection.cinder); group calls live in
group_client, which builds on this module.
"""

from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions

from cinder_snapext.protection import exception
from cinder_snapext.protection import rest

MAX_MICROVERSION = rest.MAX_MICROVERSION
# From this one on, Cinder snapshots an in-use volume without 'force' and
# refuses force=False (cinder.api.microversions.SNAPSHOT_IN_USE).
SNAPSHOT_IN_USE_MICROVERSION = '3.66'

# Where protect tags its snapshots: the value is the checkpoint id, so that
# delete and the CLI find them again from Cinder alone.
PROTECTION_TAG = 'snapext-protection'
# A protection backup also names the snapshot it copied, so that restoring
# that snapshot still works once retention or a lost backend took it.
SNAPSHOT_TAG = 'snapext-snapshot'
# User messages (GET /messages) filtered by resource, from this one on.
MESSAGES_MICROVERSION = '3.5'
# Backups carry metadata, where the tags live, from this microversion on.
BACKUP_METADATA_MICROVERSION = '3.43'

# The catalog's name for Cinder, as clouds.yaml keys use it too.
SERVICE_TYPE = 'block-storage'

NotFound = sdk_exceptions.NotFoundException
# Any refusal or failure Cinder answered (openstacksdk's HTTP errors).
ClientException = sdk_exceptions.HttpException
# Anything openstacksdk raises: HTTP errors, configuration, versions.
SDKException = sdk_exceptions.SDKException
# Raised, outside ClientException, when the server's microversions and
# ours do not overlap.
UnsupportedVersion = rest.UnsupportedVersion


def supports(cinder, version):
    """Whether the client's negotiated microversion is ``version`` or on."""
    return rest.parse(cinder.microversion) >= rest.parse(version)


def endpoint_for(context, conf):
    """The Block Storage endpoint for a request context, per our options."""
    if conf.cinder_endpoint:
        return conf.cinder_endpoint % {'project_id': context.project_id}
    # Karbor keeps the catalog keystonemiddleware passed on, in the v2
    # shape (publicURL...) or the v3 one (interface/url): accept both.
    for service_type in conf.cinder_service_types:
        for service in getattr(context, 'service_catalog', None) or []:
            if service.get('type') != service_type:
                continue
            for endpoint in service.get('endpoints', []):
                region = endpoint.get('region_id') or endpoint.get('region')
                if conf.cinder_region_name and (
                        region != conf.cinder_region_name):
                    continue
                url = (endpoint.get(conf.cinder_interface + 'URL') or
                       (endpoint.get('interface') == conf.cinder_interface
                        and endpoint.get('url')))
                if url:
                    return url
    raise exception.CinderEndpointNotFound(
        service_types=', '.join(conf.cinder_service_types),
        interface=conf.cinder_interface)


def is_transient(error):
    """Whether a failed poll is worth repeating before the deadline."""
    if isinstance(error, (ks_exceptions.ConnectFailure,
                          ks_exceptions.ConnectTimeout,
                          ks_exceptions.RetriableConnectionFailure)):
        return True
    return (isinstance(error, ClientException) and
            getattr(error, 'status_code', None) in (500, 502, 503, 504))


def reason(error):
    """The words of a refusal from Cinder, without the URL and request id."""
    if isinstance(error, ClientException) and error.details:
        return str(error.details)
    return str(error)


def describe(error):
    """A failure as one line: Cinder's words, the HTTP status, request id."""
    if isinstance(error, ClientException) and error.status_code:
        return '%s (HTTP %s) (Request-ID: %s)' % (
            reason(error), error.status_code, error.request_id)
    return str(error)


def find_volume(cinder, name_or_id):
    """The volume with this ID, or else the only one with this name."""
    return find(cinder.volumes, name_or_id, 'Volume')


def find_snapshot(cinder, name_or_id):
    """The snapshot with this ID, or else the only one with this name."""
    return find(cinder.volume_snapshots, name_or_id, 'Snapshot')


def find(manager, name_or_id, kind):
    """The resource with this ID, or else the only one with this name."""
    try:
        return manager.get(name_or_id)
    except NotFound:
        pass
    found = manager.list(search_opts={'name': name_or_id})
    if len(found) == 1:
        return found[0]
    if not found:
        raise exception.NoSuchResource(resource=kind, ref=name_or_id)
    raise exception.AmbiguousName(resource=kind, ref=name_or_id,
                                  ids=', '.join(item.id for item in found))


def get_volume(cinder, volume_id):
    """The volume, or None if Cinder answers 404."""
    try:
        return cinder.volumes.get(volume_id)
    except NotFound:
        return None


def get_snapshot(cinder, snapshot_id):
    """The snapshot, or None if Cinder answers 404."""
    try:
        return cinder.volume_snapshots.get(snapshot_id)
    except NotFound:
        return None


def create_snapshot(cinder, volume_id, name, description, force,
                    checkpoint_id):
    """Snapshot a volume, passing ``force`` as its microversion wants."""
    if supports(cinder, SNAPSHOT_IN_USE_MICROVERSION):
        # Only True is valid there (False answers 400); the caller has
        # already refused an in-use volume when force is False.
        force = True if force else None
    return cinder.volume_snapshots.create(
        volume_id, force=force, name=name, description=description,
        metadata={PROTECTION_TAG: checkpoint_id})


def create_volume(cinder, size, snapshot_id, name, description):
    return cinder.volumes.create(size, snapshot_id=snapshot_id, name=name,
                                 description=description)


def delete_snapshot(cinder, snapshot_id):
    cinder.volume_snapshots.delete(snapshot_id)


def protection_snapshots(cinder, volume_id=None, checkpoint_id=None):
    """Snapshots protect made, newest first, of one volume or all.

    Metadata is filtered here rather than by Cinder: its ``metadata`` list
    filter needs microversion 3.22 and the deployer's resource filters.
    """
    search = {'volume_id': volume_id} if volume_id else None
    found = [snapshot for snapshot in cinder.volume_snapshots.list(
                 search_opts=search)
             if PROTECTION_TAG in (snapshot.metadata or {}) and (
                 checkpoint_id is None or
                 snapshot.metadata[PROTECTION_TAG] == checkpoint_id)]
    return sorted(found, key=lambda snapshot: snapshot.created_at,
                  reverse=True)


def volume_snapshots(cinder, volume_id):
    """Every snapshot of a volume, protection or not, in Cinder's order."""
    return cinder.volume_snapshots.list(search_opts={'volume_id': volume_id})


def set_snapshot_metadata(cinder, snapshot_id, metadata):
    """Add or replace these metadata keys of a snapshot."""
    cinder.volume_snapshots.set_metadata(snapshot_id, metadata)


def create_backup(cinder, snapshot, name, incremental, checkpoint_id):
    """Back up a protection snapshot, tagged as protect's own backup."""
    if not supports(cinder, BACKUP_METADATA_MICROVERSION):
        raise exception.BackupNeedsMicroversion(
            version=BACKUP_METADATA_MICROVERSION,
            server=cinder.microversion)
    return cinder.backups.create(
        snapshot.volume_id, name=name, incremental=incremental,
        snapshot_id=snapshot.id,
        metadata={PROTECTION_TAG: checkpoint_id, SNAPSHOT_TAG: snapshot.id})


def get_backup(cinder, backup_id):
    """The backup, or None if Cinder answers 404."""
    try:
        return cinder.backups.get(backup_id)
    except NotFound:
        return None


def volume_backups(cinder, volume_id):
    """Every backup of a volume, protection or not, in Cinder's order."""
    return cinder.backups.list(search_opts={'volume_id': volume_id})


def protection_backups(cinder, volume_id=None, snapshot_id=None):
    """Backups protect made, newest first, of one volume or all."""
    search = {'volume_id': volume_id} if volume_id else None
    found = [backup for backup in cinder.backups.list(search_opts=search)
             if PROTECTION_TAG in (getattr(backup, 'metadata', None) or {})
             and (snapshot_id is None or
                  backup.metadata.get(SNAPSHOT_TAG) == snapshot_id)]
    return sorted(found, key=lambda backup: backup.created_at, reverse=True)


def delete_backup(cinder, backup_id):
    cinder.backups.delete(backup_id)


def restore_backup(cinder, backup_id, name):
    """Restore a backup to a new volume; returns the new volume's id."""
    return cinder.restores.restore(backup_id, name=name).volume_id


def newest_user_message(cinder, resource_id):
    """Cinder's newest user message about a resource, or None."""
    if not supports(cinder, MESSAGES_MICROVERSION):
        return None
    found = cinder.messages.list(search_opts={'resource_uuid': resource_id})
    return max(found, key=lambda message: message.created_at, default=None)
