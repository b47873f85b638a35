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

"""Read-only admin API to the phases of assisted snapshots."""

from cinder.api.openstack import wsgi
from cinder import exception as cinder_exception
from oslo_utils import strutils

from cinder_snapext.api import ids
from cinder_snapext.api import version_header
from cinder_snapext import policies
from cinder_snapext.volume.assisted import report

_FILTERS = ('stuck',)


class AssistedPhasesController(wsgi.Controller):
    """``/snapext-assisted-phases[/{snapshot_id}]``, every project's."""

    @version_header.checked
    def index(self, req):
        """All recorded phases; ``?stuck=true`` only those past deadline.

        .. code-block:: json

            {"assisted_phases": [{"snapshot_id": "...", "phase": "..."}]}
        """
        context = req.environ['cinder.context']
        policies.authorize(context, policies.ASSISTED_PHASE_GET)
        stuck = _stuck_filter(req.GET)
        return {'assisted_phases': report.list_phases(context, stuck=stuck)}

    @version_header.checked
    def show(self, req, id):
        """One snapshot's phase; 404 if it has none."""
        context = req.environ['cinder.context']
        policies.authorize(context, policies.ASSISTED_PHASE_GET)
        phase = report.show_phase(context, ids.snapshot_id(id))
        if phase is None:
            raise cinder_exception.NotFound(
                message='Snapshot %s has no assisted snapshot phase.' % id)
        return {'assisted_phase': phase}


def _stuck_filter(params):
    unknown = sorted(set(params) - set(_FILTERS))
    if unknown:
        raise cinder_exception.InvalidInput(
            reason='unknown query parameter(s) %s; known: %s'
                   % (', '.join(ids.shown(p) for p in unknown),
                      ', '.join(_FILTERS)))
    if 'stuck' not in params:
        return None
    value = params.getall('stuck')[-1]
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError as e:
        raise cinder_exception.InvalidInput(
            reason='stuck must be true or false, not %s'
                   % ids.shown(value)) from e
