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

"""Tables and the doc page of benchmarks/cluster_scale.py."""

import textwrap

from assisted_snapshots_report import loadavg  # noqa: F401 (re-exported)
from assisted_snapshots_report import page_head
from assisted_snapshots_report import percentile
from assisted_snapshots_report import run_line
from assisted_snapshots_report import simple_table as padded_table
from cluster_scale_page import TEMPLATE

# A flow's steps, in order; 'write' is rbd bench, not Cinder.
OPS = ('create', 'write', 'snapshot', 'export', 'import', 'backup',
       'restore', 'delete')


def simple_table(head, rows):
    """An reStructuredText simple table, no blank at the end of a line."""
    return '\n'.join(line.rstrip()
                     for line in padded_table(head, rows).splitlines())


def seconds(values, p):
    value = percentile(values, p)
    return '-' if value != value else '%.1f' % value


def per_minute(wave):
    """Flows completed per minute of the wave's wall time."""
    return wave['ok'] * 60.0 / wave['wall'] if wave['wall'] > 0 else 0.0


def label(wave):
    return '%dm x %d' % (wave['members'], wave['flows'])


def wave_line(wave):
    return '%s: %d/%d ok in %.0f s, %.1f flows/min, load %s; %s' % (
        label(wave), wave['ok'], wave['flows'], wave['wall'],
        per_minute(wave), wave['load'], '; '.join(
            '%s %s/%s' % (op, seconds(wave['times'][op], 50),
                          seconds(wave['times'][op], 95))
            for op in OPS if wave['times'].get(op)))


def throughput_table(waves):
    rows = []
    for w in waves:
        c = w['costs']
        rows.append((str(w['members']), str(w['flows']),
                     '%d/%d' % (w['ok'], w['flows']), '%.0f' % w['wall'],
                     '%.1f' % per_minute(w), seconds(w['flow_times'], 50),
                     seconds(w['flow_times'], 95),
                     '%.1f' % c['tx_per_s'], str(c['backends_peak']),
                     '-' if c['mon_commits'] is None
                     else str(c['mon_commits']), w['load']))
    return simple_table(('members', 'N', 'ok', 'wall s', 'flows/min',
                         'p50 s', 'p95 s', 'tx/s', 'conns', 'mon',
                         'load 1m'), rows)


def op_table(waves):
    """One row per operation, p50 / p95 seconds per wave."""
    rows = []
    for op in OPS:
        if not any(w['times'].get(op) for w in waves):
            continue
        rows.append((op,) + tuple(
            '%s / %s' % (seconds(w['times'].get(op, []), 50),
                         seconds(w['times'].get(op, []), 95))
            for w in waves))
    return simple_table(('op',) + tuple(label(w) for w in waves), rows)


def op_tables(waves):
    """op_table per member count: six waves side by side is too wide."""
    counts = sorted({w['members'] for w in waves}, reverse=True)
    return '\n\n'.join(op_table([w for w in waves if w['members'] == m])
                       for m in counts)


def stack_cores(wave):
    return sum(wave['costs']['cpu'].values()) / wave['wall']


def cpu_table(waves, top=10):
    """Percent of one core per process, the busiest over all waves."""
    totals = {}
    for w in waves:
        for name, used in w['costs']['cpu'].items():
            totals[name] = totals.get(name, 0.0) + used
    names = sorted(totals, key=lambda n: -totals[n])[:top]
    rows = [(n,) + tuple('%.0f' % (100 * w['costs']['cpu'].get(n, 0.0) /
                                   w['wall']) for w in waves)
            for n in names]
    rows.append(('the stack',) + tuple(
        '%.0f' % (100 * stack_cores(w)) for w in waves))
    rows.append(('machine',) + tuple(
        '%.0f' % (200 * w['costs']['machine_busy']) for w in waves))
    return simple_table(('process',) + tuple(label(w) for w in waves), rows)


def member_gains(waves):
    """Per N: flows/min with two members against one, and the ratio."""
    by = {(w['members'], w['flows']): w for w in waves}
    lines = []
    for n in sorted({w['flows'] for w in waves}):
        two, one = by.get((2, n)), by.get((1, n))
        if not (two and one):
            continue
        a, b = per_minute(two), per_minute(one)
        ratio = 'x%.2f' % (a / b) if b else 'n/a'
        lines.append('%d flows: two members %.1f flows/min, one %.1f '
                     '(%s); flow p50 %s s against %s s' % (
                         n, a, b, ratio, seconds(two['flow_times'], 50),
                         seconds(one['flow_times'], 50)))
    return bullets(lines) or 'No wave ran with both member counts.'


def verdict(wave, cores=2):
    """What limited one wave, in one line, from its costs."""
    cpu = wave['costs']['cpu']
    busiest = max(cpu, key=cpu.get) if cpu else None
    machine_cores = cores * wave['costs']['machine_busy']
    stack = stack_cores(wave)
    line = '* %s: the machine %.0f %% busy (%.2f of %d cores; the stack ' \
        '%.2f, other work %.2f)' % (
            label(wave), 100 * wave['costs']['machine_busy'],
            machine_cores, cores, stack, max(0.0, machine_cores - stack))
    if busiest:
        line += ('; busiest process %s at %.0f %% of one core (%.0f %% of '
                 "the stack's CPU)" % (
                     busiest, 100 * cpu[busiest] / wave['wall'],
                     100 * cpu[busiest] / max(sum(cpu.values()), 1e-9)))
    if wave['costs']['machine_busy'] >= 0.9:
        line += ': CPU-bound'
    return textwrap.fill(line, 72, subsequent_indent='  ',
                         break_on_hyphens=False)


def bullets(lines):
    """An rst bullet list, each item wrapped to the page's width."""
    return '\n'.join(textwrap.fill('* ' + line, 72, subsequent_indent='  ',
                                   break_on_hyphens=False)
                     for line in lines)


def write_doc(path, waves, errors, elapsed, args, when=None):
    """The page under doc/source/benchmarks, regenerated by each run."""
    # A refusal's whole HTTP body says no more than its first lines.
    wave_errors = [textwrap.shorten('%s: %s' % (label(w), e), 240,
                                    placeholder=' [...]')
                   for w in waves for e in w['errors']]
    text = TEMPLATE.format(
        head=page_head('cluster_scale.py',
                       'Active-active cluster: one volume member against '
                       'two'),
        run_line=run_line(elapsed, when=when),
        throughput=throughput_table(waves), ops=op_tables(waves),
        cpu=cpu_table(waves),
        verdicts='\n'.join(verdict(w) for w in waves),
        gains=member_gains(waves),
        flows=args.flows, members=args.members, write=args.write_mib,
        deadline=args.step_deadline,
        errors=bullets(errors + wave_errors) or 'None.')
    with open(path, 'w') as f:
        f.write(text)
    return text

