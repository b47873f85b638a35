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

"""cinder-api's WSGI application for gunicorn, given Cinder's arguments.

With THREADING=1 tools/stack.sh serves the API this way: the
``cinder-api`` command's eventlet server refuses native threads.
"""

import os
import shlex
import sys

# cinder.wsgi parses sys.argv, which under gunicorn holds gunicorn's own
# arguments; the log file is named after the first one.
sys.argv = ['cinder-api'] + shlex.split(
    os.environ.get('SNAPEXT_CINDER_API_ARGS', ''))

# As each Cinder command does first: the mode the environment asks for
# (oslo.service's threading backend, eventlet's monkey_patch poisoned).
from cinder import monkey_patch  # noqa: E402

monkey_patch.patch()

from cinder.wsgi import api  # noqa: E402

application = api.application
