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

"""Cinder's metadata object of a backup, read beside the copy.

Cinder keeps the volume's metadata next to each Ceph backup
(``backup.<id>.meta``, which its restore reads). Gathering it takes three
database reads in the service's thread; they overlap the copy, which runs
in a native thread and writes the object once the data is in.
"""

import functools
import types

from cinder.backup.drivers import ceph as cinder_ceph
from cinder import exception

from cinder_snapext import concurrency

# Seconds the copy waits for the read beside it: three database reads,
# bounded by the database's own timeouts long before.
READ_TIMEOUT = 600


def write(ioctx, backup_id, get_json):
    """The metadata object of backup_id in ioctx, as Cinder's restore reads it.

    get_json(timeout): the JSON, or None when the volume has none to keep.
    """
    json_meta = get_json(READ_TIMEOUT)
    if not json_meta:
        return
    try:
        cinder_ceph.VolumeMetadataBackup(
            types.SimpleNamespace(ioctx=ioctx), backup_id).set(json_meta)
    except exception.VolumeMetadataBackupExists as e:
        raise exception.BackupOperationError(
            'the metadata of backup %s could not be saved: %s' % (
                backup_id, e))


def copy_beside_read(copy, read):
    """copy(get_json) as run_blocking runs it, while this thread runs read().

    copy passes get_json on to write(); a failed read fails the copy
    there, which removes what it made, and is raised here.
    """
    handoff = concurrency.Handoff()

    def side():
        try:
            handoff.put(read())
        except Exception as e:
            handoff.put(error=e)
            raise

    return concurrency.run_blocking_beside(
        functools.partial(copy, handoff.get), side)
