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

"""Private names of Cinder's volume manager."""

from cinder_snapext.internals import Private

USED = (
    Private('cinder.volume.manager:VolumeManager',
            '_notify_about_snapshot_usage',
            ('self', 'context', 'snapshot', 'event_suffix',
             'extra_usage_info')),
)


def notify_snapshot_usage(manager, context, snapshot, event_suffix):
    manager._notify_about_snapshot_usage(context, snapshot, event_suffix)


def skip_snapshot_usage_start(manager):
    """Have Cinder's own snapshot code on ``manager`` skip '.start'."""
    notify = manager._notify_about_snapshot_usage

    def notify_unless_start(context, snapshot, event_suffix, **kwargs):
        if not event_suffix.endswith('.start'):
            notify(context, snapshot, event_suffix, **kwargs)
    manager._notify_about_snapshot_usage = notify_unless_start
