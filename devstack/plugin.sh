#!/bin/bash
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

# devstack/plugin.sh: devstack calls it as "plugin.sh MODE [PHASE]". The
# work is in lib/cinder_snapext; this file only dispatches.

source "$(dirname "${BASH_SOURCE[0]}")/lib/cinder_snapext"

if is_service_enabled cinder-snapext; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing cinder-snapext"
        install_snapext
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        # After Cinder wrote cinder.conf and ran cinder-manage db sync,
        # before its services start.
        echo_summary "Configuring cinder-snapext"
        configure_snapext
        init_snapext
    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        if is_service_enabled tempest; then
            echo_summary "Configuring tempest for cinder-snapext"
            configure_tempest_snapext
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        # No service of our own: Cinder's services stop with Cinder.
        :
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_snapext
    fi
fi
