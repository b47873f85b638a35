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

# Which stack a command works on: SNAPEXT_STACK_SLOT (0 to 9) names it,
# SNAPEXT_STACK_DIR overrides its state directory. Sets SLOT and STATE;
# sourced by tools/stack.sh and tools/tempest.sh, which set REPO first.
SLOT=${SNAPEXT_STACK_SLOT:-0}
case $SLOT in
    [0-9]) ;;
    *) echo "SNAPEXT_STACK_SLOT=$SLOT: use 0 to 9" >&2; exit 2 ;;
esac
if [ "$SLOT" = 0 ]; then
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack}
else
    STATE=${SNAPEXT_STACK_DIR:-$REPO/.stack-$SLOT}
fi
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
