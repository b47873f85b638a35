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

"""Options of the protection plugin, in a provider file's own section."""

from oslo_config import cfg

# Karbor hands each plugin its provider's ConfigOpts, read from the provider
# file; this section sits in that file, never in cinder.conf.
GROUP = 'snapext_protection'

wait_opts = [
    cfg.FloatOpt('poll_interval', default=5.0, min=0.0,
                 help='Seconds between two polls of a volume or snapshot '
                      'status.'),
    cfg.FloatOpt('volume_ready_timeout', default=600.0, min=0.0,
                 help='Seconds protect waits for the volume to become '
                      'available or in-use before snapshotting it.'),
    cfg.FloatOpt('snapshot_timeout', default=1800.0, min=0.0,
                 help='Seconds protect waits for a new snapshot to become '
                      'available.'),
    cfg.FloatOpt('restore_timeout', default=3600.0, min=0.0,
                 help='Seconds restore waits for the volume created from '
                      'the snapshot to become available; backends that '
                      'copy data need the longest.'),
    cfg.FloatOpt('delete_timeout', default=600.0, min=0.0,
                 help='Seconds delete waits for the snapshot to be gone.'),
    cfg.FloatOpt('backup_timeout', default=7200.0, min=0.0,
                 help='Seconds cinder-snapext-protect waits for a backup '
                      'copy of a protection snapshot to become available; '
                      'a full copy reads the whole volume.'),
]

client_opts = [
    cfg.StrOpt('cinder_endpoint',
               help='Block Storage endpoint to use instead of the one in '
                    'the request\'s service catalog, e.g. '
                    'http://cinder.example.com:8776/v3/%(project_id)s; '
                    '%(project_id)s is replaced by the request\'s project.'),
    cfg.ListOpt('cinder_service_types',
                default=['block-storage', 'volumev3'],
                help='Service types looked up, in order, in the request\'s '
                     'service catalog.'),
    cfg.StrOpt('cinder_interface', default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface of the Block Storage endpoint.'),
    cfg.StrOpt('cinder_region_name',
               help='Catalog region of the Block Storage endpoint; any '
                    'region if unset.'),
    cfg.StrOpt('cinder_ca_file',
               help='CA bundle verifying the Block Storage endpoint\'s TLS '
                    'certificate.'),
    cfg.BoolOpt('cinder_insecure', default=False,
                help='Do not verify the Block Storage endpoint\'s TLS '
                     'certificate.'),
]


def register(conf: cfg.ConfigOpts) -> cfg.ConfigOpts.GroupAttr:
    """Register our options on ``conf`` (a provider's or our own)."""
    conf.register_opts(wait_opts + client_opts, group=GROUP)
    # ConfigOpts.__getitem__ is typed Any: name what it returns for a group.
    group: cfg.ConfigOpts.GroupAttr = conf[GROUP]
    return group


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """Options for oslo-config-generator, for a provider file sample."""
    return [(GROUP, wait_opts + client_opts)]
