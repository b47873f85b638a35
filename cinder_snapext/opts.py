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

"""Configuration options of cinder-snapext, all in the [snapext] group."""

from oslo_config import cfg

GROUP = 'snapext'

snapext_opts = [
    cfg.IntOpt(
        'rpc_call_timeout',
        default=30,
        min=1,
        help='Seconds to wait for a volume service to answer a synchronous '
             'snapext RPC call before the request fails with a clear '
             'error instead of hanging.'),
    cfg.IntOpt(
        'assisted_snapshot_create_timeout',
        default=600,
        min=1,
        help='Seconds an assisted snapshot create may wait for the compute '
             'service (Nova) to report its part done before the snapshot is '
             'set to error. Cinder RemoteFS drivers wait the same 600 '
             'seconds while polling.'),
    cfg.IntOpt(
        'assisted_snapshot_delete_timeout',
        default=7200,
        min=1,
        help='Seconds an assisted snapshot delete may wait for the compute '
             'service (Nova) to merge the snapshot before the snapshot is '
             'set to error_deleting. Merging a large snapshot into an '
             'attached volume can take long, hence the default of 7200 '
             'seconds, as in Cinder RemoteFS drivers.'),
    cfg.IntOpt(
        'assisted_snapshot_check_interval',
        default=60,
        min=1,
        help='Seconds between two checks of a volume service for assisted '
             'snapshot phases that are overdue. Read when the volume '
             'service starts; the periodic_interval of the service bounds '
             'how often the check can really run.'),
    cfg.IntOpt(
        'assisted_snapshot_workers',
        default=0,
        min=0,
        help='How many assisted snapshot requests (creates, deletes and '
             'the compute service\'s reports on them) one volume service '
             'works on at once; more wait their turn, holding no database '
             'connection. Each one in work can hold a connection of the '
             'service\'s [database] pool, and Cinder runs up to '
             'executor_thread_pool_size (64) RPC requests at once against '
             'oslo.db\'s 5 + 50 connections: unbounded, a burst of them '
             'fails on QueuePool timeouts, the service\'s heartbeat '
             'included. 0 (the default): half of [database] max_pool_size '
             '+ max_overflow, leaving the rest to Cinder\'s other work. '
             'The compute service\'s reports, which finish snapshots, go '
             'ahead of waiting creates and deletes, and a quarter of the '
             'slots is kept for them. Read when the volume service '
             'starts.'),
    cfg.BoolOpt(
        'backup_snapshot_in_place',
        default=True,
        help='Back up a snapshot by exporting the snapshot itself to the '
             'backup service, when the backend\'s cinder-snapext driver can '
             'export snapshots (the LVM driver, thick and thin). Cinder '
             'otherwise first copies the snapshot into a temporary volume, '
             'reads that, then deletes it (on thick LVM a full copy and, '
             'with volume_clear, a full zeroing). Read by the volume '
             'service for each backup. On RBD it also lets cinder-snapext\'s '
             'Ceph backup driver read the snapshot itself, with no '
             'temporary volume or attach.'),
    cfg.BoolOpt(
        'refuse_volume_delete_with_exported_snapshots',
        default=True,
        help='Refuse to delete a volume (HTTP 400, nothing changed) while '
             'its backend still holds snapshots of it that Cinder no longer '
             'manages, such as exported ones; cinder-snapext\'s drivers '
             'refuse too (VolumeIsBusy) if one was exported meanwhile. '
             'False gives Cinder\'s own behaviour, on the API and in '
             'cinder-snapext\'s drivers: the RBD driver moves the image, '
             'those snapshots included, to the RBD trash; thin LVM leaves '
             'the snapshot LVs without their origin; NFS leaves their '
             'overlay files on the share; and Cinder deletes an encrypted '
             'volume\'s key. Read by cinder-api and cinder-volume for each '
             'request.'),
    cfg.BoolOpt(
        'sync_snapshot_exports_on_start',
        default=True,
        help='When a volume service starts, list the backend snapshots of '
             'its volumes and record those that Cinder does not manage '
             '(exports made before cinder-snapext recorded them, or made '
             'by hand) so that the API refuses to delete their volume, and '
             'forget recorded ones that are gone from the backend. One '
             'listing per volume (on RBD, one image open each); '
             '\'cinder-snapext-manage exports sync\' does the same on '
             'demand. Drivers that cannot list snapshots are skipped.'),
    cfg.IntOpt(
        'backup_copy_ops_in_flight',
        default=10,
        min=1,
        max=64,
        help='How many chunks (4 MiB each) cinder-snapext\'s Ceph backup '
             'driver reads or writes at once when it copies the changed '
             'extents of an RBD snapshot into the backups pool, through '
             'librbd\'s asynchronous I/O; it holds at most this many '
             'chunks in memory per backup. 1 copies one chunk after the '
             'other. The default keeps as many operations in flight as '
             '``rbd export-diff`` does (rbd_concurrent_management_ops). '
             'Read by cinder-backup for each backup.'),
    cfg.IntOpt(
        'backup_rados_connection_max_age',
        default=300,
        min=0,
        help='Seconds for which cinder-snapext\'s Ceph backup driver keeps '
             'a cluster connection (one per cluster and Ceph user) open '
             'for the next backups of the same cinder-backup process, '
             'instead of connecting to the monitors and OSDs for each '
             'backup. An older connection is not used again (a rotated '
             'key or moved monitors are picked up then), one that failed '
             'is dropped at once, and all are closed when the process '
             'exits or gets SIGHUP. 0 connects for every backup, as '
             'Cinder\'s driver does.'),
    cfg.IntOpt(
        'backup_verify_timeout',
        default=21600,
        min=60,
        help='Seconds after which a verify of a backup that has not '
             'finished no longer holds the backup. While a verify is '
             'accepted or running (backup metadata '
             '``snapext_verifying_since``), the backup API refuses to '
             'delete the backup with a 400; past this age the mark is '
             'taken as stale (its backup service died or lost the '
             'request) and the delete goes ahead. A backup service '
             'clears the marks of its backups when it starts. Allow for '
             'reading the largest volume twice.'),
    cfg.BoolOpt(
        'backup_diff_whole_object',
        default=False,
        help='When cinder-snapext\'s Ceph backup driver lists what '
             'changed in an RBD snapshot since the last backup, ask '
             'librbd for whole objects (``rbd export-diff '
             '--whole-object``) when the image has the fast-diff '
             'feature with a valid object map. The listing then comes '
             'from the object map alone, without reading the changed '
             'objects\' extents: faster on large images, at the cost of '
             'copying whole objects (4 MiB by default) where only part '
             'changed. Images without fast-diff are always listed '
             'extent by extent. Read by cinder-backup for each backup.'),
    cfg.FloatOpt(
        'backup_scrub_share_per_day',
        default=0.0,
        min=0.0,
        help='Share of its available Ceph backups each cinder-backup '
             'service verifies against their source snapshots per day, as '
             '``cinder-snapext-manage backup verify`` does (0.1: each '
             'backup about every ten days, the longest unverified first; '
             'a mismatch sets the backup to error with a user message). '
             'Each verification reads the whole volume twice. 0 turns the '
             'scrub off. Needs cinder-snapext\'s backup manager, and '
             'cinder.conf on that node holding the volume backends\' '
             'sections with their Ceph keyrings.'),
    cfg.IntOpt(
        'backup_scrub_interval',
        default=3600,
        min=60,
        help='Seconds between two scrub runs of a cinder-backup service '
             '(see backup_scrub_share_per_day). Read when the service '
             'starts.'),
    cfg.IntOpt(
        'backup_takeover_interval',
        default=60,
        min=0,
        help='Seconds between two looks of a cinder-backup service for '
             'backups that another backup service of its availability '
             'zone left creating, restoring or deleting and that service '
             'is down (no heartbeat for service_down_time): one live '
             'service claims each such backup (compare-and-swap on its '
             'host) and finishes or fails it as Cinder does for its own at '
             'start. 0 turns it off. Read when the service starts.'),
]

cfg.CONF.register_opts(snapext_opts, group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Options for oslo-config-generator (namespace cinder_snapext)."""
    return [(GROUP, snapext_opts)]
