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

"""Split the demo's scenario classes over stestr workers (--worker-file).

Usage: scenario_workers.py TEST_IDS SECONDS WORKERS OUT_YAML

TEST_IDS is ``stestr list``'s output; SECONDS holds ``module.Class
seconds`` lines, each class's measured time (tools/stack/scenario-
seconds.txt; a class not in it counts 15 s a step). A class's steps share
state and run in order: a class is never split. Classes that share a
stack-wide thing stay together (TOGETHER). The longest group goes first
to the least loaded worker. Prints the plan; writes the YAML of stestr's
--worker-file, one exact regex per class. Exit status 3 when there are
fewer than two groups (the caller runs serially then).
"""

import collections
import re
import sys

# The NFS classes share the emulated Nova's default behaviour (behave()
# resets it for everyone) and count every file of the share.
TOGETHER = (re.compile(r'\.test_stack_nfs_[^.]*\.'),)
SECONDS_A_STEP = 15.0


def class_of(test_id):
    """module.Class of a test id (its last two dotted parts before it)."""
    return '.'.join(test_id.split('.')[-3:-1])


def prefix_of(test_id):
    return test_id.rsplit('.', 1)[0] + '.'


def plan(test_ids, seconds, workers):
    """[(load, [class prefix, ...]), ...] per worker, heaviest first."""
    groups = collections.OrderedDict()
    steps = collections.Counter()
    for test_id in test_ids:
        key = prefix_of(test_id)
        for together in TOGETHER:
            if together.search(test_id):
                key = together.pattern
        groups.setdefault(key, [])
        if prefix_of(test_id) not in groups[key]:
            groups[key].append(prefix_of(test_id))
        steps[prefix_of(test_id)] += 1

    def weight(prefix):
        known = seconds.get(class_of(prefix + 'x'))
        return known if known is not None else SECONDS_A_STEP * steps[prefix]

    loads = [[0.0, []] for _ in range(workers)]
    for members in sorted(groups.values(), reverse=True,
                          key=lambda m: sum(weight(p) for p in m)):
        loads.sort(key=lambda load: load[0])
        loads[0][0] += sum(weight(p) for p in members)
        loads[0][1].extend(members)
    return [load for load in loads if load[1]]


def read_seconds(path):
    table = {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if len(line) == 2:
                table[line[0]] = float(line[1])
    return table


def main(argv):
    ids_path, seconds_path, workers, out_path = argv
    with open(ids_path) as f:
        test_ids = [line.strip() for line in f
                    if line.strip() and '.test_' in line]
    loads = plan(test_ids, read_seconds(seconds_path), int(workers))
    for n, (load, prefixes) in enumerate(loads):
        print('worker %d (about %.0f s): %s' % (n, load, ' '.join(
            class_of(p + 'x') for p in prefixes)))
    if len(loads) < 2:
        return 3
    with open(out_path, 'w') as f:
        for _load, prefixes in loads:
            f.write('- worker:\n')
            for prefix in prefixes:
                f.write("  - '^%s'\n" % re.escape(prefix))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
