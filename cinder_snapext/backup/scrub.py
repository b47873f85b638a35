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

"""A periodic scrub: verify a share of a backup service's backups a day."""

from cinder import exception as cinder_exception
from cinder import objects
from cinder.objects import fields
from oslo_config import cfg
from oslo_log import log as logging

from cinder_snapext.backup import verify
from cinder_snapext.backup import verify_mark
from cinder_snapext import concurrency
from cinder_snapext import opts  # noqa: F401 (registers [snapext])

CONF = cfg.CONF
LOG = logging.getLogger(__name__)
DAY = 86400


def due(backups, count):
    """The count backups verified longest ago (never verified first)."""
    return sorted(backups, key=lambda b: (b.metadata or {}).get(
        verify.META_AT, ''))[:count]


class Scrubber:
    """Verifies share_per_day of the backups of one host each day.

    Each run adds backups x share x seconds since the last run / one day
    to a running credit and verifies its whole part, so a share below one
    backup per run still adds up over the day.
    """

    def __init__(self, host, rados, rbd):
        self.host, self.rados, self.rbd = host, rados, rbd
        self._credit = 0.0

    def candidates(self, ctxt):
        return [b for b in objects.BackupList.get_all_by_host(ctxt,
                                                              self.host)
                if b.status == fields.BackupStatus.AVAILABLE
                and b.service in verify.CEPH_SERVICES]

    def run(self, ctxt, share_per_day, seconds):
        """One run, seconds after the last; returns {backup id: result}."""
        if share_per_day <= 0:
            return {}
        backups = self.candidates(ctxt)
        self._credit += len(backups) * share_per_day * seconds / DAY
        count = min(int(self._credit), len(backups))
        self._credit -= count
        results = {}
        for backup in due(backups, count):
            try:
                verify_mark.start(backup)
                outcome = verify.verify(
                    ctxt, backup.id, self.rados, self.rbd,
                    in_flight=CONF.snapext.backup_copy_ops_in_flight,
                    run=concurrency.run_blocking)
            except (cinder_exception.BackupNotFound,
                    cinder_exception.InvalidBackup):
                continue  # deleted or busy since the listing
            except Exception:
                LOG.exception('Scrub: verifying backup %s failed',
                              backup.id)
                continue
            finally:
                verify_mark.finish(ctxt, backup.id)
            results[backup.id] = outcome.result
            LOG.info('Scrub: backup %(id)s %(result)s: %(detail)s',
                     {'id': backup.id, 'result': outcome.result,
                      'detail': outcome.detail})
        return results
