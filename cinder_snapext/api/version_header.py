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

"""The API version header of our own routes, read without a 500.

Cinder's ``wsgi.Resource`` parses ``OpenStack-API-Version`` before any
controller runs, and a malformed one (``volume``, ``volume 3.0 volume
3.70``) crashes it with a ValueError: a 500 on every route. The routes
cinder-snapext adds are ours to answer, so their resources skip Cinder's
parse, and each of their methods reads the header here first: a 400 for
a malformed one, then Cinder's own parse and answers for the rest.
"""

import functools

from cinder.api.openstack import wsgi
from cinder import exception as cinder_exception
import webob

from cinder_snapext.api import request_guard


def take_over(mapper, wsgi_resource):
    """``custom_routes_fn`` of our resources: we parse the header."""
    wsgi_resource.support_api_request_version = False


def checked(method):
    """Decorate a method of a controller whose resource we took over."""

    @functools.wraps(method)
    def wrapper(self, req, *args, **kwargs):
        read(req)
        return method(self, req, *args, **kwargs)
    return wrapper


def read(req):
    """Set ``req.api_version_request`` as Cinder would, or refuse."""
    problem = request_guard.version_header_problem(req.environ)
    if problem:
        raise wsgi.Fault(webob.exc.HTTPBadRequest(explanation=problem))
    try:
        req.set_api_version_request(req.url)
    except cinder_exception.InvalidAPIVersionString as e:
        raise wsgi.Fault(webob.exc.HTTPBadRequest(explanation=str(e)))
    except cinder_exception.InvalidGlobalAPIVersion as e:
        raise wsgi.Fault(webob.exc.HTTPNotAcceptable(explanation=str(e)))
