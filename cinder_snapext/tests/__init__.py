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

"""Tests of cinder-snapext, run inside Cinder's own test machinery."""

import importlib.util
import re

# Importing Cinder's test package first monkey-patches eventlet and
# registers Cinder's objects, as every Cinder service does before anything.
# Tempest loads our plugin (tests/tempest) from a venv without Cinder.
if importlib.util.find_spec('cinder') is not None:
    import cinder.tests.unit  # noqa: F401

# Each test builds Cinder's API router anew, and its first request
# compiles the regular expressions of ~4,000 routes (~2,500 distinct
# patterns). Python's cache of compiled patterns holds 512, so every test
# compiled them all again: about a third of a functional test's CPU time.
# A cache that holds them all keeps each pattern compiled once per worker.
if getattr(re, '_MAXCACHE', 0) < 8192:
    re._MAXCACHE = 8192
