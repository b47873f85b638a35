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

"""Run the unit tests with a notice of what the migration tests need.

tox's unit envs set SNAPEXT_REQUIRE_DATABASES=1 unless the caller sets it:
the MariaDB and PostgreSQL migration tests then fail, not skip, when a
server is missing (tests/unit/db/fixtures.py). This runs the command it
is given (stestr) and prints, before and after it, why those tests are
about to fail, or, when a developer opted out, that they skip. It adds no
failure of its own: a filtered run may not touch the migration tests.

Usage: database_gate.py [COMMAND [ARG...]]
"""

import os
import subprocess
import sys

REQUIRE_VAR = 'SNAPEXT_REQUIRE_DATABASES'
URL_VARS = ('SNAPEXT_TEST_MYSQL_URL', 'SNAPEXT_TEST_POSTGRESQL_URL')
START = ('  tools/test-databases.sh install    # once, as root\n'
         '  tools/test-databases.sh start\n'
         '  eval "$(tools/test-databases.sh env)"\n')
RULE = '!' * 72


def message(environ):
    """The text to print for these variables, or None."""
    required = environ.get(REQUIRE_VAR)
    if required != '1':
        return ('%s\n%s=%s: the migration tests on MariaDB and PostgreSQL\n'
                'will SKIP. CI runs them (tools/run-tests.sh); run them too\n'
                'before you push a change to db/ or its migrations:\n%s%s'
                % (RULE, REQUIRE_VAR, required or '', START, RULE))
    unset = [var for var in URL_VARS if not environ.get(var)]
    if unset:
        return ('%s\nNot set: %s.\nThe migration tests on MariaDB and '
                'PostgreSQL will FAIL (%s=1).\nStart the servers:\n%s'
                'or opt out (they then skip): %s=0 tox -e py3\n%s'
                % (RULE, ', '.join(unset), REQUIRE_VAR, START, REQUIRE_VAR,
                   RULE))
    return None


def main(argv):
    """Print the notice around the command in argv; its exit status."""
    text = message(os.environ)
    if text:
        sys.stderr.write(text + '\n')
    if not argv:
        return 0
    status = subprocess.call(argv)  # noqa: S603 (tox.ini's own command)
    # Again at the end, where a developer reads the result.
    if text:
        sys.stderr.write(text + '\n')
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
