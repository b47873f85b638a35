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

"""Every private name of Cinder and os-brick that cinder-snapext relies on.

Cinder gives no promise about names that start with an underscore, and a
plugin that reaches into them breaks silently when one is renamed. So each
such use goes through one module here, one per area of Cinder, and each
module lists what it uses in ``USED``; tests/unit/test_cinder_internals.py
checks every entry against the installed Cinder (the name exists, a method
takes the parameters we pass) and that no other module of ours touches a
private name of Cinder's. A Cinder upgrade fails there first.
"""

import collections

# ``owner`` is a module path, or 'module:Class'. ``params`` are the
# parameter names of a callable, in order; None for an attribute that
# Cinder sets on instances, in the method ``set_in`` of the owner class.
Private = collections.namedtuple('Private',
                                 'owner name params set_in',
                                 defaults=(None, None))
