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

"""Cinder's own words on a failure: its user messages about the resources.

A status says that a snapshot or backup failed; the user message, which
the volume or backup service wrote when it failed, says why (no space on
the backend, a driver error, no backup service up). The command shows the
newest one of each resource its failure names.
"""

from keystoneauth1 import exceptions as ks_exceptions

from cinder_snapext.protection import client
from cinder_snapext.protection import exception

# The keys under which our errors name Cinder resources.
_ID_KEYS = ('resource_id', 'volume_id', 'snapshot_id', 'backup_id',
            'group_id', 'group_snapshot_id')


def resource_ids(error):
    """The Cinder resources an error and its causes name, in order."""
    ids = []
    while error is not None:
        if isinstance(error, exception.ProtectionError):
            ids += [error.kwargs[key] for key in _ID_KEYS
                    if isinstance(error.kwargs.get(key), str)]
        error = error.__cause__
    return list(dict.fromkeys(ids))


def result_ids(result):
    """The resources a failed protect result names."""
    ids = [result.get('id'), result.get('volume_id'),
           result.get('group_id'), (result.get('backup') or {}).get('id')]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str)))


def failed_row_ids(rows):
    """The resources of prune and delete rows that failed."""
    if not isinstance(rows, list):
        return []
    return [row['id'] for row in rows if isinstance(row.get('id'), str) and
            (row.get('action') == 'delete failed' or
             str(row.get('result', '')).startswith('failed'))]


def explain(cinder, ids):
    """One line per resource that Cinder left a user message about."""
    lines = []
    for resource_id in ids:
        try:
            message = client.newest_user_message(cinder, resource_id)
        except (client.ClientException, ks_exceptions.ClientException):
            # The message only adds to the error already shown; a failing
            # lookup must not replace it.
            continue
        if message is not None:
            lines.append("Cinder's message about %s (%s): %s" % (
                resource_id, message.created_at, message.user_message))
    return lines
