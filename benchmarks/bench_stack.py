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

"""Where a benchmark finds the stack of tools/stack.sh, and its Python."""

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))


def state_dir():
    """The state directory, chosen as tools/stack.sh chooses it."""
    if os.environ.get('SNAPEXT_STACK_DIR'):
        return os.path.abspath(os.environ['SNAPEXT_STACK_DIR'])
    slot = os.environ.get('SNAPEXT_STACK_SLOT', '0')
    return os.path.join(REPO, '.stack' if slot == '0' else '.stack-' + slot)


def in_stack_venv():
    """Run again under the stack venv's Python unless this is it.

    That venv has SQLAlchemy with the stack's database driver.
    """
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        python = os.path.join(state_dir(), 'venv', 'bin', 'python')
        os.execv(python, [python] + sys.argv)  # noqa: S606
