"""The period a board shows: by default the reporting month cut off as the periodic report is (periods.py:
Decree 09, the 15th of the month before to the 14th), with presets for last month, this quarter and the
running campaign, or the days a person chose. A period that has not ended stops today, and says so.
"""

import enum
from dataclasses import dataclass
from datetime import date

from app.clock import local_today
from app.extensions import lazy_gettext as _l
from app.models import Campaign
from app.services.reports import periods
from app.services.reports.coverage import Period
from app.services.reports.periods import Kind, ReportPeriod


class Preset(enum.StrEnum):
    MONTH = "month"
    LAST_MONTH = "last-month"
    QUARTER = "quarter"
    CAMPAIGN = "campaign"


PRESET_LABELS = {
    Preset.MONTH: _l("This month"),
    Preset.LAST_MONTH: _l("Last month"),
    Preset.QUARTER: _l("This quarter"),
    Preset.CAMPAIGN: _l("Campaign"),
}


@dataclass(frozen=True)
class Choice:
    """A preset with the days it covers now."""

    preset: Preset
    period: Period

    @property
    def label(self) -> str:
        return str(PRESET_LABELS[self.preset])


def _up_to_today(start: date, end: date, today: date) -> Period:
    return Period(start, min(end, max(start, today)))


def _reporting(period: ReportPeriod, today: date) -> Period:
    return _up_to_today(period.start, period.end, today)


def presets(campaign: Campaign | None = None) -> list[Choice]:
    """This reporting month, the last, this quarter, and the campaign when one is running."""
    today = local_today()
    month = periods.containing(today, Kind.MONTH)
    choices = [
        Choice(Preset.MONTH, _reporting(month, today)),
        Choice(Preset.LAST_MONTH, _reporting(month.previous(), today)),
        Choice(Preset.QUARTER, _reporting(periods.containing(today, Kind.QUARTER), today)),
    ]
    if campaign is not None:
        choices.append(Choice(Preset.CAMPAIGN, _up_to_today(campaign.start_date, campaign.end_date, today)))
    return choices


def default() -> Period:
    """What a board shows when no day is asked for: this reporting month, up to today."""
    return presets()[0].period


def chosen(choices: list[Choice], period: Period) -> Preset | None:
    """The preset that gives exactly these days, if any (the first: a campaign may match a month)."""
    return next((choice.preset for choice in choices if choice.period == period), None)


def _span(start: date, end: date) -> str:
    """"15/11–14/12/2026"; the year twice only when it changes."""
    if start.year == end.year:
        return f"{start:%d/%m}–{end:%d/%m/%Y}"
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def _name(period: Period, campaign: Campaign | None, today: date) -> str | None:
    """"Tháng 12/2026", "Quý 4/2026" or the campaign's name when the days are exactly one of those."""
    for kind in (Kind.MONTH, Kind.QUARTER):
        report = periods.containing(period.start, kind)
        if report.start == period.start and _reporting(report, today).end == period.end:
            if kind == Kind.MONTH:
                return str(_l("Month %(month)s/%(year)s", month=f"{report.number:02d}", year=report.year))
            return str(_l("Quarter %(number)s/%(year)s", number=report.number, year=report.year))
    if campaign is not None and _up_to_today(campaign.start_date, campaign.end_date, today) == period:
        return str(_l("Campaign “%(name)s”", name=campaign.name))
    return None


def describe(period: Period, campaign: Campaign | None = None) -> str:
    """The period in words: "Tháng 12/2026 (15/11–14/12/2026)", "(15/11–20/11/2026, đến hôm nay)" while it runs."""
    today = local_today()
    span = _span(period.start, period.end)
    if period.start <= today <= period.end:
        span = str(_l("%(span)s, up to today", span=span))
    name = _name(period, campaign, today) or str(_l("Chosen days"))
    return f"{name} ({span})"
