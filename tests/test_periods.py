"""Reporting periods: Decree 09/2019's cut-off (15th to 14th) and calendar periods, at the edges of years,
quarters and leap years."""

from datetime import date, datetime, timedelta

import pytest

from app.services.reports.periods import Cutoff, Kind, ReportPeriod, containing, current, latest_ended

D09, CAL = Cutoff.DECREE09, Cutoff.CALENDAR


@pytest.mark.parametrize(("kind", "year", "number", "cutoff", "start", "end"), [
    (Kind.MONTH, 2027, 1, D09, date(2026, 12, 15), date(2027, 1, 14)),  # January starts in December
    (Kind.MONTH, 2026, 12, D09, date(2026, 11, 15), date(2026, 12, 14)),
    (Kind.MONTH, 2024, 3, D09, date(2024, 2, 15), date(2024, 3, 14)),  # across a leap February
    (Kind.MONTH, 2024, 2, CAL, date(2024, 2, 1), date(2024, 2, 29)),
    (Kind.MONTH, 2025, 2, CAL, date(2025, 2, 1), date(2025, 2, 28)),
    (Kind.MONTH, 2100, 2, CAL, date(2100, 2, 1), date(2100, 2, 28)),  # 2100 is no leap year
    (Kind.MONTH, 2026, 12, CAL, date(2026, 12, 1), date(2026, 12, 31)),
    (Kind.QUARTER, 2026, 1, D09, date(2025, 12, 15), date(2026, 3, 14)),
    (Kind.QUARTER, 2026, 2, D09, date(2026, 3, 15), date(2026, 6, 14)),
    (Kind.QUARTER, 2026, 4, D09, date(2026, 9, 15), date(2026, 12, 14)),
    (Kind.QUARTER, 2026, 4, CAL, date(2026, 10, 1), date(2026, 12, 31)),
    (Kind.HALF, 2026, 1, D09, date(2025, 12, 15), date(2026, 6, 14)),
    (Kind.HALF, 2026, 2, D09, date(2026, 6, 15), date(2026, 12, 14)),
    (Kind.HALF, 2024, 1, CAL, date(2024, 1, 1), date(2024, 6, 30)),
    (Kind.YEAR, 2026, 1, D09, date(2025, 12, 15), date(2026, 12, 14)),
    (Kind.YEAR, 2024, 1, CAL, date(2024, 1, 1), date(2024, 12, 31)),
])
def test_first_and_last_day(kind, year, number, cutoff, start, end):
    period = ReportPeriod(kind, year, number, cutoff)
    assert (period.start, period.end) == (start, end)
    assert period.days == (end - start).days + 1


def test_a_leap_year_is_a_day_longer_both_ways():
    assert ReportPeriod(Kind.YEAR, 2024, 1, D09).days == 366  # 15/12/2023 – 14/12/2024 holds 29/02/2024
    assert ReportPeriod(Kind.YEAR, 2025, 1, D09).days == 365
    assert ReportPeriod(Kind.YEAR, 2024, 1, CAL).days == 366
    assert ReportPeriod(Kind.QUARTER, 2024, 1, D09).days == 91  # 15/12/2023 – 14/03/2024


@pytest.mark.parametrize(("day", "kind", "cutoff", "expected"), [
    (date(2026, 12, 14), Kind.MONTH, D09, (2026, 12)),
    (date(2026, 12, 15), Kind.MONTH, D09, (2027, 1)),  # the 15th opens next month's report
    (date(2026, 12, 15), Kind.QUARTER, D09, (2027, 1)),
    (date(2026, 12, 15), Kind.HALF, D09, (2027, 1)),
    (date(2026, 12, 15), Kind.YEAR, D09, (2027, 1)),
    (date(2026, 12, 31), Kind.MONTH, CAL, (2026, 12)),
    (date(2027, 1, 1), Kind.YEAR, CAL, (2027, 1)),
    (date(2026, 3, 14), Kind.QUARTER, D09, (2026, 1)),
    (date(2026, 3, 15), Kind.QUARTER, D09, (2026, 2)),
    (date(2026, 6, 15), Kind.HALF, D09, (2026, 2)),
    (date(2024, 2, 29), Kind.MONTH, D09, (2024, 3)),
    (date(2024, 2, 29), Kind.MONTH, CAL, (2024, 2)),
])
def test_the_period_holding_a_day(day, kind, cutoff, expected):
    period = containing(day, kind, cutoff)
    assert (period.year, period.number) == expected
    assert period.contains(day)


@pytest.mark.parametrize("cutoff", list(Cutoff))
@pytest.mark.parametrize("kind", list(Kind))
def test_periods_follow_each_other_without_gap_or_overlap(kind, cutoff):
    period = ReportPeriod(kind, 2023, 1, cutoff)
    day = period.start
    while period.year < 2026:
        following = period.next()
        assert following.start == period.end + timedelta(days=1)
        assert following.previous() == period
        for offset in (0, period.days - 1):  # every first and last day belongs to its period only
            assert containing(period.start + timedelta(days=offset), kind, cutoff) == period
        period = following
    assert period.start > day


def test_bounds_are_vietnamese_midnights_in_utc():
    period = ReportPeriod(Kind.MONTH, 2026, 12, D09)
    assert period.bounds() == (datetime(2026, 11, 14, 17, 0), datetime(2026, 12, 14, 17, 0))


def test_today_is_read_from_the_app_clock(frozen_clock):
    frozen_clock.set(datetime(2026, 12, 14, 16, 59))  # 23:59 on 14/12 in Vietnam
    assert current(Kind.MONTH) == ReportPeriod(Kind.MONTH, 2026, 12)
    frozen_clock.set(datetime(2026, 12, 14, 17, 0))  # 00:00 on 15/12 in Vietnam: January's report is open
    assert current(Kind.MONTH) == ReportPeriod(Kind.MONTH, 2027, 1)
    assert latest_ended(Kind.MONTH) == ReportPeriod(Kind.MONTH, 2026, 12)
    assert current(Kind.MONTH, CAL) == ReportPeriod(Kind.MONTH, 2026, 12, CAL)


@pytest.mark.parametrize(("kind", "number"), [(Kind.MONTH, 13), (Kind.QUARTER, 5), (Kind.HALF, 3), (Kind.YEAR, 2),
                                              (Kind.MONTH, 0)])
def test_a_period_that_does_not_exist_is_refused(kind, number):
    with pytest.raises(ValueError):
        ReportPeriod(kind, 2026, number)
