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

"""Deleting a Cinder resource, then waiting (with a deadline) until gone."""

from cinder_snapext.protection import client
from cinder_snapext.protection import exception


def delete_and_wait(waiter, resource, resource_id, delete, fetch, goal,
                    tolerated=()):
    """Ask Cinder to delete; already gone counts as done.

    A refusal is an error naming the resource's status, unless that
    status is one of ``tolerated`` (another run already deleting it):
    then, as after an accepted delete, wait for ``goal``.

    :param delete: ``resource_id -> None``, Cinder's delete call
    :param fetch: ``() -> resource or None`` (None on 404)
    """
    try:
        delete(resource_id)
    except client.NotFound:
        return
    except client.ClientException as e:
        current = fetch()
        if current is None:
            return
        if current.status not in tolerated:
            raise exception.DeletionRefused(
                resource=resource, resource_id=resource_id,
                status=current.status, reason=client.reason(e)) from e
    waiter.wait(resource, resource_id, fetch, goal, status='deleting')
