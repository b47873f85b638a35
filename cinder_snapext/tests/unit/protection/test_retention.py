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

"""Calendar retention over simulated calendars, driven by a fake clock."""

import datetime

import ddt
import testtools

from cinder_snapext.protection import retention

UTC = datetime.UTC
PARIS = retention.timezone('Europe/Paris')
NEW_YORK = retention.timezone('America/New_York')
AUCKLAND = retention.timezone('Pacific/Auckland')


class FakeClock:
    """A UTC wall clock that only moves when told to."""

    def __init__(self, start):
        self._now = start

    def now(self):
        return self._now

    def tick(self, delta):
        self._now += delta


def calendar(start, every, count, status='available'):
    """The protections a job run every ``every`` would have made."""
    clock = FakeClock(start)
    made = []
    for _ in range(count):
        made.append(retention.Candidate(
            id=clock.now().strftime('%Y-%m-%dT%H:%MZ'),
            created_at=clock.now(), status=status))
        clock.tick(every)
    return made


def at(text, status='available', protection=True):
    moment = datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)
    return retention.Candidate(id=text, created_at=moment, status=status,
                               protection=protection)


def kept(decisions):
    return [d.candidate.id for d in decisions
            if d.action == retention.KEEP]


def reasons(decisions):
    return {d.candidate.id: d.reasons for d in decisions
            if d.action == retention.KEEP}


HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@ddt.ddt
class PlanTestCase(testtools.TestCase):

    def test_plan_keeps_newest_of_each_bucket_with_its_reasons(self):
        made = calendar(datetime.datetime(2026, 3, 1, 0, 30, tzinfo=UTC),
                        HOUR, 72)
        decisions = retention.plan(
            made, retention.Policy(last=2, hourly=3, daily=3), UTC)
        self.assertEqual(['2026-03-03T23:30Z', '2026-03-03T22:30Z',
                          '2026-03-03T21:30Z', '2026-03-02T23:30Z',
                          '2026-03-01T23:30Z'], kept(decisions))
        self.assertEqual(
            ['last', 'hourly 2026-03-03 23:00 UTC', 'daily 2026-03-03'],
            reasons(decisions)['2026-03-03T23:30Z'])
        self.assertEqual(['daily 2026-03-01'],
                         reasons(decisions)['2026-03-01T23:30Z'])
        deleted = [d for d in decisions if d.action == retention.DELETE]
        self.assertEqual(67, len(deleted))
        self.assertEqual({('kept by no rule',)},
                         {tuple(d.reasons) for d in deleted})
        # Newest first, whatever order Cinder listed them in.
        self.assertEqual(
            sorted((d.local_time for d in decisions), reverse=True),
            [d.local_time for d in retention.plan(
                list(reversed(made)), retention.Policy(last=1), UTC)])

    def test_plan_counts_only_buckets_that_have_protections(self):
        # Protections on the 1st, 2nd and 5th: keep-daily 3 reaches back
        # over the two days without one, as restic and Borg do.
        made = [at('2026-05-05T10:00'), at('2026-05-02T10:00'),
                at('2026-05-01T10:00')]
        self.assertEqual(
            ['2026-05-05T10:00', '2026-05-02T10:00', '2026-05-01T10:00'],
            kept(retention.plan(made, retention.Policy(daily=3), UTC)))

    def test_plan_fall_back_hour_is_two_buckets(self):
        # Paris, 2026-10-25: at 03:00 CEST clocks go back to 02:00 CET, so
        # 02:00-03:00 happens twice. Every 30 minutes from 00:00 UTC
        # (02:00 CEST) to 01:30 UTC (02:30 CET).
        made = calendar(datetime.datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
                        datetime.timedelta(minutes=30), 4)
        decisions = retention.plan(made, retention.Policy(hourly=2), PARIS)
        self.assertEqual(['2026-10-25T01:30Z', '2026-10-25T00:30Z'],
                         kept(decisions))
        self.assertEqual(
            {'2026-10-25T01:30Z': ['hourly 2026-10-25 02:00 CET'],
             '2026-10-25T00:30Z': ['hourly 2026-10-25 02:00 CEST']},
            reasons(decisions))

    def test_plan_fall_back_day_of_25_hours_is_one_bucket(self):
        made = calendar(datetime.datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
                        HOUR, 26)
        decisions = retention.plan(made, retention.Policy(daily=2), PARIS)
        # 22:00 UTC on the 24th is midnight in Paris; 25 hours later it is
        # midnight of the 26th: the 25th has 25 protections.
        self.assertEqual(25, len([d for d in decisions
                                  if d.local_time.day == 25]))
        self.assertEqual(['2026-10-25T23:00Z', '2026-10-25T22:00Z'],
                         kept(decisions))
        self.assertEqual(['daily 2026-10-26'],
                         reasons(decisions)['2026-10-25T23:00Z'])
        self.assertEqual(['daily 2026-10-25'],
                         reasons(decisions)['2026-10-25T22:00Z'])

    def test_plan_spring_forward_moves_a_utc_schedule_across_days(self):
        # A job at 04:30 UTC runs at 23:30 EST, then from 2027-03-14 (DST)
        # at 00:30 EDT: New York's 14 March has no protection at all.
        made = calendar(datetime.datetime(2027, 3, 10, 4, 30, tzinfo=UTC),
                        DAY, 8)
        in_new_york = kept(retention.plan(made, retention.Policy(daily=4),
                                          NEW_YORK))
        self.assertEqual(['2027-03-17T04:30Z', '2027-03-16T04:30Z',
                          '2027-03-15T04:30Z', '2027-03-14T04:30Z'],
                         in_new_york)
        self.assertEqual(
            ['daily 2027-03-17', 'daily 2027-03-16', 'daily 2027-03-15',
             'daily 2027-03-13'],
            [reasons(retention.plan(made, retention.Policy(daily=4),
                                    NEW_YORK))[i][0] for i in in_new_york])

    def test_plan_iso_week_53_spans_the_new_year(self):
        # 2026 has an ISO week 53: Monday 28 December to Sunday 3 January.
        made = calendar(datetime.datetime(2026, 12, 26, 12, 0, tzinfo=UTC),
                        DAY, 11)
        decisions = retention.plan(made, retention.Policy(weekly=3), UTC)
        self.assertEqual(
            {'2027-01-05T12:00Z': ['weekly 2027-W01'],
             '2027-01-03T12:00Z': ['weekly 2026-W53'],
             '2026-12-27T12:00Z': ['weekly 2026-W52']},
            reasons(decisions))

    def test_plan_month_and_year_ends(self):
        made = calendar(datetime.datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
                        DAY, 36)
        decisions = retention.plan(
            made, retention.Policy(monthly=3, yearly=2), UTC)
        self.assertEqual(
            {'2027-01-03T12:00Z': ['monthly 2027-01', 'yearly 2027'],
             '2026-12-31T12:00Z': ['monthly 2026-12', 'yearly 2026'],
             '2026-11-30T12:00Z': ['monthly 2026-11']},
            reasons(decisions))

    def test_plan_new_year_comes_first_east_of_utc(self):
        # 11:30 UTC on 31 December is already 2027 in Auckland (UTC+13).
        made = [at('2026-12-31T11:30'), at('2026-12-31T10:30')]
        self.assertEqual(
            {'2026-12-31T11:30': ['yearly 2027'],
             '2026-12-31T10:30': ['yearly 2026']},
            reasons(retention.plan(made, retention.Policy(yearly=5),
                                   AUCKLAND)))
        self.assertEqual(['2026-12-31T11:30'], kept(retention.plan(
            made, retention.Policy(yearly=5), UTC)))

    def test_plan_a_year_of_hourly_protections(self):
        # Every hour of 2026 in Paris (its two DST changes included), up
        # to 23:00 on Thursday 31 December.
        made = calendar(datetime.datetime(2025, 12, 31, 23, 0, tzinfo=UTC),
                        HOUR, 365 * 24)
        decisions = retention.plan(made, retention.Policy(
            hourly=24, daily=7, weekly=4, monthly=12, yearly=3), PARIS)
        by_reason = reasons(decisions)
        # 24 hours (all of the 31st), 6 more days (25th to 30th), 2 more
        # weeks (W51 and W50: W52 ends on the 27th, kept as a day), 11
        # more months; the only year is the newest protection's.
        self.assertEqual(24 + 6 + 2 + 11, len(by_reason))
        self.assertEqual(
            ['hourly 2026-12-31 23:00 CET', 'daily 2026-12-31',
             'weekly 2026-W53', 'monthly 2026-12', 'yearly 2026'],
            by_reason['2026-12-31T22:00Z'])
        self.assertEqual(['daily 2026-12-27', 'weekly 2026-W52'],
                         by_reason['2026-12-27T22:00Z'])
        self.assertEqual(['weekly 2026-W50'], by_reason['2026-12-13T22:00Z'])
        # The end of a summer month: 23:00 CEST is 21:00 UTC.
        self.assertEqual(['monthly 2026-07'], by_reason['2026-07-31T21:00Z'])
        self.assertEqual(['monthly 2026-01'], by_reason['2026-01-31T22:00Z'])

    @ddt.unpack
    @ddt.data(
        # Newest first: statuses, keep-last, expected actions.
        (('available', 'available', 'available'), 2,
         ['keep', 'keep', 'delete']),
        (('error', 'available', 'error', 'available', 'error'), 2,
         ['keep', 'keep', 'delete', 'keep', 'delete']),
        (('error', 'error'), 1, ['keep', 'keep']),
        (('creating', 'available', 'deleting', 'available'), 1,
         ['ignore', 'keep', 'ignore', 'delete']),
        ((), 1, []))
    def test_plan_statuses(self, statuses, last, expected):
        made = [at('2026-06-%02dT00:00' % (20 - number), status)
                for number, status in enumerate(statuses)]
        self.assertEqual(expected, [d.action for d in retention.plan(
            made, retention.Policy(last=last), UTC)])

    def test_plan_never_deletes_a_snapshot_it_did_not_make(self):
        made = [at('2026-06-20T00:00'), at('2026-06-19T00:00'),
                at('2026-01-01T00:00', protection=False),
                at('2025-01-01T00:00', status='error', protection=False)]
        decisions = retention.plan(made, retention.Policy(last=1), UTC)
        self.assertEqual(['keep', 'delete', 'ignore', 'ignore'],
                         [d.action for d in decisions])
        self.assertIn('not made by cinder-snapext-protect',
                      decisions[2].reasons[0])

    def test_plan_reads_naive_times_as_utc(self):
        naive = retention.Candidate('n', datetime.datetime(2026, 7, 1, 23),
                                    'available')
        decision = retention.plan([naive], retention.Policy(daily=1),
                                  PARIS)[0]
        self.assertEqual(['daily 2026-07-02'], decision.reasons)

    def test_plan_refuses_a_policy_that_keeps_nothing(self):
        self.assertRaises(ValueError, retention.plan, [], retention.Policy(),
                          UTC)
        self.assertRaises(ValueError, retention.Policy, daily=-1)

    def test_timezone_unknown_is_a_value_error(self):
        self.assertRaises(ValueError, retention.timezone, 'Mars/Olympus')
        self.assertRaises(ValueError, retention.timezone, '../etc/passwd')
