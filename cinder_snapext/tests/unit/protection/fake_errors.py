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

"""The errors Cinder's clients raise, made as the real libraries make them."""

import json

from keystoneauth1 import exceptions as ks_exceptions
from openstack import exceptions as sdk_exceptions
import requests


def ks_connect_failure():
    """What keystoneauth raises when the API does not answer."""
    return ks_exceptions.ConnectFailure(
        'Unable to establish connection to http://cinder:8776/v3')


def http_error(status, message=None, url='http://cinder:8776/v3/x'):
    """What openstacksdk raises for a Cinder answer with this status.

    Made by openstacksdk's own mapping from a response shaped as Cinder's
    faults are (``{"badRequest": {"code": 400, "message": ...}}``).
    """
    response = requests.Response()
    response.status_code = status
    response.headers['Content-Type'] = 'application/json'
    response.headers['x-openstack-request-id'] = 'req-fake'
    response.request = requests.Request('GET', url).prepare()
    if message is not None:
        response._content = json.dumps(
            {'fault': {'code': status, 'message': message}}).encode()
    else:
        response._content = b''
        response.reason = {400: 'Bad Request', 403: 'Forbidden',
                           404: 'Not Found'}.get(status, 'Error')
    try:
        sdk_exceptions.raise_from_response(response)
    except sdk_exceptions.HttpException as e:
        return e
    raise AssertionError('%s is not an error status' % status)
