"""The ward report as a file: XLSX with a sheet per view, or CSV of one view. Same figures as the board
(services/coverage.py), same definitions (services/indicators.py); headers in the user's language."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.clock import local_today
from app.collation import sort_key, sorted_by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Area, Household, Team, User, Visit, Ward
from app.numbers import day_text, format_percent
from app.services import audit, workbook
from app.services.reports.coverage import Period, Row, WardReport
from app.services.reports.figures import Ratio
from app.services.reports.indicators import ACTIVITY_COUNTS, ACTIVITY_RULE, BAND_LABELS, DEFINITIONS
from app.services.scope import scoped
from app.units import area_word, unit_name

FORMATS = ("xlsx", "csv")
INDICATORS, AREAS, TEAMS, FOLLOWUPS = "indicators", "areas", "teams", "followups"
VIEWS = (INDICATORS, AREAS, TEAMS, FOLLOWUPS)
VIEW_TITLES = {INDICATORS: _l("Indicators"), AREAS: _l("Areas"), TEAMS: _l("Teams"), FOLLOWUPS: _l("Follow-ups")}
# A spreadsheet runs a cell beginning with one of these as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")


def _view_title(view: str, ward: Ward) -> str:
    """A sheet's title: the areas' one in the unit's own word ("Ấp", "Khu vực")."""
    return area_word(ward).Many if view == AREAS else str(VIEW_TITLES[view])


def neutralised(line: list) -> list:
    """The line with each text that a spreadsheet would read as a formula given a leading quote; numbers and
    dates stay. A line at a time: a ward's follow-ups are thousands of cells."""
    return ["'" + value if isinstance(value, str) and value[:1] in FORMULA_STARTS else value for value in line]


@dataclass
class FollowUpLine:
    area: str
    team: str
    household: str
    reason: str | None
    due: date | None
    volunteer: str


def open_followups(actor: User, ward: Ward) -> list[FollowUpLine]:
    """The ward's open follow-ups that the actor may see in detail (none for an administrator)."""
    stmt = (
        scoped(actor, Visit)
        .where(Visit.ward_code == ward.code, Visit.followup_needed.is_(True), Visit.followup_closed_at.is_(None),
               Visit.flagged.is_(False))
        .join(Household, Household.id == Visit.household_id)
        .join(Area, Area.id == Visit.area_id)
        .join(Team, Team.id == Visit.team_id)
        .join(User, User.id == Visit.volunteer_id)
        .with_only_columns(Area.name, Team.name, Household.display_name, Household.address, Visit.followup_reason,
                           Visit.followup_due, User.display_name)
    )
    lines = [FollowUpLine(area, team, name or address or "", reason, due, volunteer)
             for area, team, name, address, reason, due, volunteer in db.session.connection().execute(stmt)]
    # Due first (none last), then the area in Vietnamese order: a ward has a score of areas and thousands of
    # lines, so each area's key is found once instead of the database calling the collation per comparison.
    area_keys = {name: sort_key(name) for name in {line.area for line in lines}}
    lines.sort(key=lambda line: (line.due is None, line.due or date.min, area_keys[line.area]))
    return lines


def _heading(report: WardReport, view: str) -> list[list]:
    period = report.period
    return [
        [_("Report: %(unit)s", unit=unit_name(report.ward))],
        [_("View"), _view_title(view, report.ward)],
        [_("Period"), _("%(start)s to %(end)s", start=day_text(period.start), end=day_text(period.end))],
        [_("Figures to date on"), day_text(local_today())],
        [],
    ]


def _percent(ratio: Ratio | None, as_text: bool):
    if ratio is None or ratio.percent is None:
        return ""
    return format_percent(ratio.percent) if as_text else workbook.Fraction(ratio.percent / 100)


def _indicator_table(report: WardReport, as_text: bool) -> list[list]:
    header = [_("Indicator"), _("Numerator"), _("Denominator"), _("To date"), _("To date: numerator"),
              _("To date: denominator"), _("In the period"), _("In the period: numerator"),
              _("In the period: denominator"), _("Target (%)"), _("Against the target"), _("Definition")]
    rows = [header]
    for definition in DEFINITIONS:
        figure = report.total.figures[definition.key]
        period = figure.in_period
        rows.append([
            str(definition.label), str(definition.numerator), str(definition.denominator),
            _percent(figure.to_date, as_text), figure.to_date.part, figure.to_date.whole,
            _percent(period, as_text), period.part if period else "", period.whole if period else "",
            "" if figure.target is None else figure.target, str(BAND_LABELS[figure.band]),
            str(definition.explanation),
        ])
        # Counts beside the indicator: a number to date (and in the period), no ratio.
        rows += [[str(b.label), "", "", "", b.to_date, "", "", "" if b.in_period is None else b.in_period, "", "",
                  "", ""] for b in figure.beside]
    # The activities beyond household visits: counts of the period, with the rule that keeps them apart.
    rows += [[str(c.label), "", "", "", "", "", "", c.of(report.total.sums), "", "", "", str(ACTIVITY_RULE)]
             for c in ACTIVITY_COUNTS]
    return rows


def _group_table(first_header: str, groups: list[Row], as_text: bool) -> list[list]:
    header: list[object] = [first_header]
    for definition in DEFINITIONS:
        header += [_("%(indicator)s: numerator", indicator=definition.label),
                   _("%(indicator)s: denominator", indicator=definition.label),
                   _("%(indicator)s (%%)", indicator=definition.label)]
    rows: list[list] = [header]
    for group in groups:
        line: list[object] = [group.name]
        for definition in DEFINITIONS:
            ratio = group.figures[definition.key].to_date
            line += [ratio.part, ratio.whole, _percent(ratio, as_text)]
        rows.append(line)
    return rows


def _followup_table(followups: list[FollowUpLine], ward: Ward) -> list[list]:
    today = local_today()
    rows = [[area_word(ward).One, _("Team"), _("Household"), _("Reason"), _("Due"), _("Overdue"), _("Volunteer")]]
    yes, no = _("Yes"), _("No")  # once: a ward may have thousands of lines
    due_texts: dict[date | None, str] = {}  # and a few dozen due days
    for f in followups:
        overdue = f.due is not None and f.due < today
        due = due_texts.get(f.due)
        if due is None:
            due = due_texts[f.due] = day_text(f.due)
        rows.append([f.area, f.team, f.household, f.reason or "", due, yes if overdue else no, f.volunteer])
    return rows


def _table(report: WardReport, followups: list[FollowUpLine], view: str, as_text: bool) -> list[list]:
    if view == INDICATORS:
        return _indicator_table(report, as_text)
    if view == AREAS:
        return _group_table(area_word(report.ward).One, sorted_by_name(report.areas, key=lambda r: r.name), as_text)
    if view == TEAMS:
        return _group_table(_("Team"), sorted_by_name(report.teams, key=lambda r: r.name), as_text)
    return _followup_table(followups, report.ward)


def csv_text(report: WardReport, followups: list[FollowUpLine], view: str) -> str:
    return table_csv(_heading(report, view) + _table(report, followups, view, as_text=True))


def table_csv(lines: list[list]) -> str:
    """Lines as CSV, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in lines:
        writer.writerow(neutralised(line))
    return out.getvalue()


def _sheet(title: str, lines: list[list], heading_rows: int) -> workbook.Sheet:
    """A sheet of these lines, every cell neutralised; the heading and the table's header row stay in sight."""
    return workbook.Sheet(workbook.sheet_title(title), [neutralised(line) for line in lines],
                          frozen_rows=heading_rows + 1)


def xlsx(report: WardReport, followups: list[FollowUpLine]) -> bytes:
    sheets = []
    for view in VIEWS:
        heading = _heading(report, view)
        sheets.append(_sheet(_view_title(view, report.ward),
                             heading + _table(report, followups, view, as_text=False), len(heading)))
    return workbook.workbook(sheets)


def table_xlsx(title: str, lines: list[list], heading_rows: int = 0) -> bytes:
    """Lines as a one-sheet workbook, every cell neutralised."""
    return workbook.workbook([_sheet(title, lines, heading_rows)])


def leaderboard_table(board, as_text: bool) -> list[list]:
    """A campaign's leaderboard (services/ranking) as lines: team figures only, no member, no household."""
    campaign = board.campaign
    lines = [
        [_("Campaign: %(name)s", name=campaign.name)],
        [_("Period"), _("%(start)s to %(end)s", start=day_text(campaign.start_date), end=day_text(campaign.end_date))],
        [_("Counted until"), day_text(board.until)],
        [],
        [_("Rank"), _("Team"), _("Commune/ward"), _("Score"), _("Score per member"), _("Active members"),
         _("Households reached"), _("Households"), _("Reach (%%)"), _("Change since last week")],
    ]
    for s in board.standings:
        lines.append([s.rank, s.team, s.ward, s.score, round(s.per_member, 2) if s.per_member is not None else "",
                      s.members, s.reach.part, s.reach.whole, _percent(s.reach, as_text),
                      s.rank_change if s.rank_change is not None else ""])
    return lines


def record_export(actor: User, ward: Ward, period: Period, fmt: str, view: str) -> None:
    audit.record(actor, "report.export", ward_code=ward.code, format=fmt, view=view,
                 start=period.start.isoformat(), end=period.end.isoformat())


def filename(ward: Ward, period: Period, fmt: str, view: str | None) -> str:
    suffix = f"-{view}" if view else ""
    return f"bao-cao-{ward.codename}-{period.start:%Y%m%d}-{period.end:%Y%m%d}{suffix}.{fmt}"

