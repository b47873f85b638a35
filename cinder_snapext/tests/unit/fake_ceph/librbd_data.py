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

"""The data of the librbd double's images: heads, snapshots, clones.

Extents are tracked in BLOCK units; a clone reads its parent's snapshot
where it has not written, and counts its copy-ups. Clones are librbd's
version 2: a snapshot removed while clones of it remain goes to the
image's trash namespace (``trashed``), where it keeps the image from being
removed until its last clone is removed (``librbd.py``).
"""

BLOCK = 4096
# An RBD object of the double: what whole-object diffs round to.
OBJECT = 4 * BLOCK


class State:
    """The head or one snapshot of an image."""

    def __init__(self, size, data=None, allocated=None):
        self.size = size
        self.data = bytearray(data if data is not None else bytes(size))
        self.allocated = set(allocated or ())

    def copy(self):
        return State(self.size, self.data, self.allocated)


class ImageData:
    """One image: its head, snapshots, trashed snapshots and clones."""

    def __init__(self, size, parent=None, features=0):
        self.head = State(size)
        self.snaps = {}
        # Removed snapshots that clones still read (librbd's trash
        # namespace), and the clones of each snapshot by name.
        self.trashed = {}
        self.clones = {}
        self.parent = parent  # (ImageData, snap name)
        self.features = features or 0
        self.flags = 0  # RBD_FLAG_FAST_DIFF_INVALID once "rebuilt" later
        self.own_objects, self.copy_ups = set(), 0  # partial 1st writes
        self.watchers = 0  # clients with it open, dead ones until dropped

    def note_write(self, offset, length):
        for n in range(offset // OBJECT, (offset + length - 1) // OBJECT + 1):
            end = min((n + 1) * OBJECT, self.head.size)
            if self.parent is not None and n not in self.own_objects:
                self.own_objects.add(n)
                self.copy_ups += offset > n * OBJECT or offset + length < end

    def snap_state(self, snap):
        return self.snaps[snap] if snap in self.snaps else self.trashed[snap]

    def view(self, snap):
        state = self.head if snap is None else self.snap_state(snap)
        if self.parent is None:
            return state.allocated, state.data
        p_image, p_snap = self.parent
        p_alloc, _ = p_image.view(p_snap)
        limit = (state.size + BLOCK - 1) // BLOCK
        return state.allocated | {b for b in p_alloc if b < limit}, \
            state.data
