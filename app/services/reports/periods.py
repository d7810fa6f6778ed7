"""Reporting periods: a month, quarter, half-year or year, cut off as Nghị định 09/2019/NĐ-CP, Điều 12 says
(from the 15th of the month before the period to the 14th of its last month; a year from 15 December of the
year before to 14 December) or by the calendar. A period is a value computed from (kind, year, number,
cut-off); the report, the boards and the province's list of reports all take the same object.

Days are Vietnamese calendar days; `bounds()` turns a period into naive-UTC instants for stored times.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.clock import local_day_bounds, local_today


class Kind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


class Cutoff(enum.StrEnum):
    DECREE09 = "decree09"  # 15th of the month before to the 14th (Nghị định 09/2019, Điều 12)
    CALENDAR = "calendar"  # first to last day of the months


# How many months each kind spans, and so how many periods a year holds.
MONTHS = {Kind.MONTH: 1, Kind.QUARTER: 3, Kind.HALF: 6, Kind.YEAR: 12}
CUTOFF_DAY = 14  # the last day of a Decree-09 period; the next one starts on the 15th


def periods_in_year(kind: Kind) -> int:
    return 12 // MONTHS[kind]


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _last_day(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class ReportPeriod:
    kind: Kind
    year: int
    number: int  # the month (1-12), quarter (1-4), half (1-2); 1 for a year
    cutoff: Cutoff = Cutoff.DECREE09

    def __post_init__(self):
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "cutoff", Cutoff(self.cutoff))
        if not 1 <= self.number <= periods_in_year(self.kind):
            raise ValueError(f"{self.kind} {self.number} does not exist")
        if not 2000 <= self.year <= 2100:
            raise ValueError(f"year {self.year} is out of range")

    @property
    def first_month(self) -> int:
        return (self.number - 1) * MONTHS[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.number * MONTHS[self.kind]

    @property
    def start(self) -> date:
        if self.cutoff == Cutoff.CALENDAR:
            return date(self.year, self.first_month, 1)
        year, month = _month_before(self.year, self.first_month)
        return date(year, month, CUTOFF_DAY + 1)

    @property
    def end(self) -> date:
        """The last day, included."""
        if self.cutoff == Cutoff.CALENDAR:
            return _last_day(self.year, self.last_month)
        return date(self.year, self.last_month, CUTOFF_DAY)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC: from midnight of the first Vietnamese day to midnight after the last."""
        return local_day_bounds(self.start)[0], local_day_bounds(self.end)[1]

    def due(self, days_after: int) -> date:
        """The day the report is due, `days_after` the period's last day (the province's setting)."""
        return self.end + timedelta(days=days_after)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> "ReportPeriod":
        if self.number > 1:
            return ReportPeriod(self.kind, self.year, self.number - 1, self.cutoff)
        return ReportPeriod(self.kind, self.year - 1, periods_in_year(self.kind), self.cutoff)

    def next(self) -> "ReportPeriod":
        if self.number < periods_in_year(self.kind):
            return ReportPeriod(self.kind, self.year, self.number + 1, self.cutoff)
        return ReportPeriod(self.kind, self.year + 1, 1, self.cutoff)


def containing(day: date, kind: Kind, cutoff: Cutoff = Cutoff.DECREE09) -> ReportPeriod:
    """The period of this kind that holds `day`: under Decree 09, the 15th and later belong to the next month."""
    year, month = day.year, day.month
    if Cutoff(cutoff) == Cutoff.DECREE09 and day.day > CUTOFF_DAY:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ReportPeriod(Kind(kind), year, (month - 1) // MONTHS[Kind(kind)] + 1, Cutoff(cutoff))


def current(kind: Kind, cutoff: Cutoff = Cutoff.DECREE09) -> ReportPeriod:
    """The period of this kind holding today (Vietnam's day)."""
    return containing(local_today(), kind, cutoff)


def latest_ended(kind: Kind, cutoff: Cutoff = Cutoff.DECREE09) -> ReportPeriod:
    """The last period of this kind that has ended by today, the one a unit reports on now."""
    return current(kind, cutoff).previous()
