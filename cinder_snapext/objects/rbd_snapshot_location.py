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

"""Where an RBD snapshot is: the answer of snapext RPC get_backup_source.

Defined once for its producer (the volume service's RBD driver) and its
consumer (the backup service), as a plain dict on the wire so that a
backup service of another release reads what it knows.
"""

import collections

RBDSnapshotLocation = collections.namedtuple(
    'RBDSnapshotLocation',
    'pool image snapshot cluster_name user hosts ports')


def to_wire(location):
    """The dict the RPC call carries."""
    return dict(location._asdict(), hosts=list(location.hosts),
                ports=list(location.ports))


def from_wire(data):
    """The location in ``data``; KeyError names a field a producer left out.

    Fields a newer producer adds are ignored.
    """
    return RBDSnapshotLocation(**{field: data[field]
                                  for field in RBDSnapshotLocation._fields})
