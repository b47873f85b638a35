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

"""Calendar retention: which protections to keep, which to delete, and why."""

# Pure: no Cinder, no clock of its own. Buckets are anchored on the
# protections' own creation times (as restic and Borg do), never on "now",
# so the same protections and policy always give the same plan, whatever
# day the plan is made on.

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo

KEEP = 'keep'
DELETE = 'delete'
IGNORE = 'ignore'

# The only status a rule keeps: a protection restores only from it.
USABLE = 'available'
# Failed protections: deleted once a newer usable one exists.
FAILED = 'error'


@dataclasses.dataclass(frozen=True)
class Policy:
    """How many of each kind of protection to keep; 0 keeps none."""

    last: int = 0
    hourly: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    yearly: int = 0

    RULES = ('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly')

    def __post_init__(self) -> None:
        for rule in self.RULES:
            if getattr(self, rule) < 0:
                raise ValueError('keep-%s must not be negative' % rule)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, rule) for rule in self.RULES)

    def describe(self, prefix: str) -> str:
        """The rules as options (``--keep-daily 7``), or ``none``."""
        return ' '.join('%s%s %d' % (prefix, rule, getattr(self, rule))
                        for rule in self.RULES
                        if getattr(self, rule)) or 'none'


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One snapshot as retention sees it.

    :param created_at: aware datetime, or naive meaning UTC (as Cinder
        answers)
    :param protection: whether cinder-snapext-protect made it (its
        metadata tag); anything else is never deleted
    """

    id: str
    created_at: datetime.datetime
    status: str
    protection: bool = True


@dataclasses.dataclass
class Decision:
    """What happens to one candidate, and the rules or facts behind it."""

    candidate: Candidate
    action: str
    reasons: list[str]
    local_time: datetime.datetime


def timezone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of ``name`` (IANA, e.g. Europe/Paris); ValueError if none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError('unknown time zone %r' % name) from e


def plan(candidates, policy: Policy, zone: datetime.tzinfo):
    """The decisions for one volume's snapshots, newest first.

    Each rule walks the usable protections newest first and keeps the
    newest one of each of its buckets (hour, day, ISO week, month, year in
    ``zone``; ``last`` keeps every one) until it has kept its count. A
    protection kept by several rules lists them all. Usable protections
    no rule keeps are deleted; failed ones once a newer usable one exists;
    anything else (another run's creating or deleting, a snapshot without
    our tag) is ignored.
    """
    if policy.empty:
        raise ValueError('a retention policy keeps at least one protection')
    decisions = [Decision(c, IGNORE, [], _local(c.created_at, zone))
                 for c in candidates]
    # By instant: datetimes of one zone compare by wall clock, which puts
    # the two 02:30s of a DST fall-back in the wrong order.
    decisions.sort(key=lambda d: d.local_time.timestamp(), reverse=True)
    usable = [d for d in decisions
              if d.candidate.protection and d.candidate.status == USABLE]
    for rule in Policy.RULES:
        _apply(rule, getattr(policy, rule), usable)
    newest_usable = usable[0].local_time.timestamp() if usable else None
    for decision in decisions:
        _settle(decision, newest_usable)
    return decisions


def _apply(rule, count, usable):
    last_bucket = None
    for decision in usable:
        if count <= 0:
            return
        bucket = _bucket(rule, decision.local_time)
        if rule != 'last' and bucket == last_bucket:
            continue
        last_bucket = bucket
        count -= 1
        decision.action = KEEP
        decision.reasons.append(_label(rule, decision.local_time))


def _settle(decision, newest_usable):
    candidate = decision.candidate
    if decision.action == KEEP:
        return
    if not candidate.protection:
        decision.reasons.append('not made by cinder-snapext-protect '
                                '(no protection metadata)')
    elif candidate.status == USABLE:
        decision.action = DELETE
        decision.reasons.append('kept by no rule')
    elif candidate.status == FAILED and newest_usable is not None and (
            decision.local_time.timestamp() < newest_usable):
        decision.action = DELETE
        decision.reasons.append('failed; a newer protection is available')
    elif candidate.status == FAILED:
        decision.action = KEEP
        decision.reasons.append('failed; kept until a newer protection '
                                'is available')
    else:
        decision.reasons.append('in %s: left to the run that owns it'
                                % candidate.status)


def _local(moment, zone):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(zone)


def _bucket(rule, local):
    if rule == 'hourly':
        # fold tells apart the two wall-clock hours of a DST fall-back:
        # each is an hour of its own.
        return (local.date(), local.hour, local.fold)
    if rule == 'daily':
        return local.date()
    if rule == 'weekly':
        return local.isocalendar()[:2]
    if rule == 'monthly':
        return (local.year, local.month)
    if rule == 'yearly':
        return local.year
    return None


def _label(rule, local):
    """The reason a rule gives, naming the bucket the protection stands for."""
    if rule == 'last':
        return 'last'
    if rule == 'hourly':
        return 'hourly %s' % local.strftime('%Y-%m-%d %H:00 %Z')
    if rule == 'daily':
        return 'daily %s' % local.strftime('%Y-%m-%d')
    if rule == 'weekly':
        year, week = local.isocalendar()[:2]
        return 'weekly %d-W%02d' % (year, week)
    if rule == 'monthly':
        return 'monthly %s' % local.strftime('%Y-%m')
    return 'yearly %d' % local.year


def parse_time(value):
    """A Cinder timestamp as a datetime; naive, it is read as UTC later.

    Cinder answers naive ISO 8601 in UTC ('2026-12-06T14:06:05.000000').
    """
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(value)
