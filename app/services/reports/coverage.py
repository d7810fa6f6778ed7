"""The figures of the ward and province boards and of the ward report, beside the ward's targets.

Household indicators to date come from the per-area household counts; a ward's board reads what its areas'
households did in the period (first reached, visited in the last 90 days) from their index, and its visit
indicators from its members' daily counters. The province board reads wards only: their days
(ward_day_count) and, for the members active, the daily counters. Follow-ups come from the open follow-up
visits. Each source is one grouped query, added up per area, team and ward here, so the number of queries
does not grow with the number of areas, teams or wards.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import BindParameter, Select, and_, bindparam, case, func, select
from sqlalchemy.sql import ColumnElement

from app.clock import local_day_bounds, local_today
from app.collation import sort_key
from app.extensions import db
from app.models import (
    AREA_COUNT_COLUMNS,
    ActivityKind,
    Area,
    AreaCount,
    DailyCount,
    Household,
    HouseholdStatus,
    Indicator,
    Role,
    Team,
    User,
    Visit,
    Ward,
    WardDayCount,
    member_areas,
    team_areas,
    unit_order,
)
from app.services import activities
from app.services.as_stored import as_stored
from app.services.prepared import read
from app.services.reports.figures import Ratio
from app.services.reports.indicators import (
    BY_KEY,
    DEFINITIONS,
    STALE_DAYS,
    Sums,
    visits_per_member_period,
    visits_per_member_week,
)
from app.services.reports.targets import TargetSource, TargetValue, province_defaults, targets_for
from app.services.scope import WARD_CODES, in_given_wards, scoped
from app.units import place_name, unit_name

TREND_WEEKS = 12
TEAM_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7


@dataclass(frozen=True)
class BesideFigure:
    """A count beside an indicator's ratio (indicators.Beside), to date and in the period where it has one."""

    key: str
    label: str
    to_date: int
    in_period: int | None


@dataclass(slots=True)  # a ward's board makes some three hundred
class Figure:
    to_date: Ratio
    in_period: Ratio | None
    target: float | None
    target_source: TargetSource | None  # whose target it is: the unit's own, or the province's default
    band: str
    beside: list[BesideFigure] = field(default_factory=list)


@dataclass
class Row:
    """One line of a board: a ward, an area or a team, with its figure for every indicator."""

    ident: int
    name: str
    ward_code: int
    sums: Sums = field(default_factory=Sums)
    figures: dict[Indicator, Figure] = field(default_factory=dict)
    sort_as: str = ""  # a unit's place name: units sort by "Thới Lai", not by their type

    @property
    def order(self) -> tuple[bytes, bytes]:
        return sort_key(self.sort_as or self.name), sort_key(self.name)

    @property
    def visits_per_member_week(self) -> float | None:
        return visits_per_member_week(self.sums)

    @property
    def visits_per_member_period(self) -> float | None:
        return visits_per_member_period(self.sums)


@dataclass
class TrendWeek:
    start: date
    visits: int
    reach: Ratio


@dataclass
class WardReport:
    ward: Ward
    period: Period
    total: Row
    areas: list[Row]
    teams: list[Row]
    trend: list[TrendWeek]


# Each query below is built once and kept (`@cache`): building a grouped query and finding its compiled form
# cost SQLAlchemy more than SQLite takes to answer it for a ward. What changes between requests is given at
# execution (`_given`): the ward codes (in the actor's scope), the period's days, this week's, today.
def _given(codes: list[int], period: Period, today: date) -> dict:
    week_start, week_end = _this_week(today)
    # Not stale: last visited on one of the last STALE_DAYS Vietnamese days, today included.
    recent_from = today - timedelta(days=STALE_DAYS - 1)
    return {WARD_CODES: codes, "start": period.start, "end": period.end, "week_start": week_start,
            "week_end": week_end, "today": today, "recent_from": recent_from,
            "from_day": min(period.start, week_start), "to_day": max(period.end, week_end),
            "days_from": min(period.start, week_start, recent_from),
            "first_moment": local_day_bounds(period.start)[0], "last_moment": local_day_bounds(period.end)[1],
            "recent_moment": local_day_bounds(recent_from)[0]}


@cache
def _areas_query() -> Select:
    """The wards' areas with their household figures to date (area_count), in use or retired."""
    return (
        select(Area.id, Area.ward_code, Area.name, Area.official_households, Area.retired,
               *(func.coalesce(getattr(AreaCount, c), 0) for c in AREA_COUNT_COLUMNS))
        .outerjoin(AreaCount, AreaCount.area_id == Area.id)
        .where(in_given_wards(Area.ward_code))
    )


def _areas(given: dict) -> tuple[dict[int, Row], list[int]]:
    """The areas in use of these wards with their household figures to date, from area_count, never from the
    households (a retired area's households count in no figure), and whether an active team covers each; and
    the retired areas' ids."""
    covered = set(read(_covered_areas_query(), given).scalars())
    rows, retired_ids = {}, []
    for area_id, ward_code, name, official, retired, *counts in read(_areas_query(), given):
        if retired:
            retired_ids.append(area_id)
            continue
        sums = _area_sums(dict(zip(AREA_COUNT_COLUMNS, counts, strict=True)))
        sums.base, sums.areas, sums.areas_covered = max(sums.households, official or 0), 1, int(area_id in covered)
        rows[area_id] = Row(area_id, name, ward_code, sums)
    return rows, retired_ids


def _area_sums(counts: dict[str, int]) -> Sums:
    """The household figures to date of area_count's columns (an area's row, or a ward's sum of them)."""
    return Sums(households=counts["households"], reached=counts["reached"], eligible=counts["eligible_people"],
                level2=counts["people_level2"], children=counts["children"],
                children_level2=counts["children_level2"], online_households=counts["online_households"],
                people_online=counts["people_online"], cashless_households=counts["cashless_households"],
                stale=counts["households"])


def _active_teams() -> Select:
    """The active teams of the wards given: active, with at least one active member."""
    has_member = (select(User.id).where(User.team_id == Team.id, User.active.is_(True), User.role.in_(TEAM_ROLES))
                  .exists())
    return select(Team.id).where(in_given_wards(Team.ward_code), Team.active.is_(True), has_member)


@cache
def _covered_areas_query() -> Select:
    """The areas of the wards given that at least one active team covers."""
    return select(team_areas.c.area_id).where(team_areas.c.team_id.in_(_active_teams())).distinct()


@cache
def _ward_households_query() -> Select:
    households, official = func.coalesce(AreaCount.households, 0), func.coalesce(Area.official_households, 0)
    covered = select(team_areas.c.area_id).where(team_areas.c.team_id.in_(_active_teams()))
    return (
        select(Area.ward_code, func.sum(case((official > households, official), else_=households)), func.count(),
               func.count(case((Area.id.in_(covered), 1))),
               *(func.sum(func.coalesce(getattr(AreaCount, c), 0)) for c in AREA_COUNT_COLUMNS))
        .outerjoin(AreaCount, AreaCount.area_id == Area.id)
        .where(in_given_wards(Area.ward_code), Area.retired.is_(False))
        .group_by(Area.ward_code)
    )


def _ward_households(given: dict) -> dict[int, Sums]:
    """Per ward, what `_areas` gives per area, added up in SQL (the province board shows wards only)."""
    found = {}
    for ward_code, base, areas, areas_covered, *counts in read(_ward_households_query(), given):
        sums = _area_sums(dict(zip(AREA_COUNT_COLUMNS, counts, strict=True)))
        sums.base, sums.areas, sums.areas_covered = base, areas, areas_covered
        found[ward_code] = sums
    return found


@cache
def _household_days_query(retired_by_ward: bool) -> Select:
    """(area, or ward; households first reached in the period, households visited since the recent day) of
    active households: of the areas given as `area_ids`, or of the retired areas of the wards given, per ward
    (`retired_by_ward`). Read from the households of one ward at most: ix_household_area_figures holds every
    column read, so no household row is visited."""
    reached_at = as_stored(Household.reached_at)
    key = Household.ward_code if retired_by_ward else Household.area_id
    areas = (Household.area_id.in_(select(Area.id).where(in_given_wards(Area.ward_code), Area.retired.is_(True)))
             if retired_by_ward else Household.area_id.in_(bindparam("area_ids", expanding=True, literal_execute=True)))
    return (
        select(key, func.count(case((and_(reached_at >= bindparam("first_moment"),
                                          reached_at < bindparam("last_moment")), 1))),
               func.count(case((as_stored(Household.last_visit_at) >= bindparam("recent_moment"), 1))))
        .where(areas, Household.status == HouseholdStatus.ACTIVE)
        .group_by(key)
    )


def _household_days(area_ids: list[int], given: dict):
    """Per area of `area_ids`: (area, households first reached in the period, households visited lately)."""
    if not area_ids:
        return []
    return read(_household_days_query(False), {**given, "area_ids": area_ids})


@cache
def _teams_query() -> Select:
    return (
        select(Team.id, Team.name, Team.ward_code, func.count(User.id))
        .outerjoin(User, and_(User.team_id == Team.id, User.active.is_(True), User.role.in_(TEAM_ROLES)))
        .where(in_given_wards(Team.ward_code), Team.active.is_(True))
        .group_by(Team.id, Team.name, Team.ward_code)
    )


def _teams(given: dict) -> dict[int, Row]:
    return {tid: Row(tid, name, ward_code, Sums(members=count, teams=int(count > 0)))
            for tid, name, ward_code, count in read(_teams_query(), given)}


@cache
def _ward_members_query() -> Select:
    """The members of each ward's active teams (what `_teams` gives per team), and those teams with at least
    one (the active teams), counted per ward."""
    return (
        select(Team.ward_code, func.count(User.id), func.count(func.distinct(Team.id)))
        .join(User, and_(User.team_id == Team.id, User.active.is_(True), User.role.in_(TEAM_ROLES)))
        .where(in_given_wards(Team.ward_code), Team.active.is_(True))
        .group_by(Team.ward_code)
    )


@cache
def _team_areas_query() -> Select:
    return select(team_areas.c.team_id, team_areas.c.area_id).join(Team, Team.id == team_areas.c.team_id).where(
        in_given_wards(Team.ward_code))


@cache
def _area_members_query() -> Select:
    return (
        select(member_areas.c.area_id, func.count(func.distinct(member_areas.c.user_id)))
        .join(User, User.id == member_areas.c.user_id)
        .join(Area, Area.id == member_areas.c.area_id)
        .where(in_given_wards(Area.ward_code), User.active.is_(True), User.role.in_(TEAM_ROLES))
        .group_by(member_areas.c.area_id)
    )


_PERIOD_COUNTERS = ("visits", "visits_met", "level2_activated", "level2_children", "online_people", "online_tutored",
                    "cashless_setup", "followups_opened", "followups_closed")


# In a SELECT list only (as_stored: a date compared as its stored text).
def _in_period(day) -> ColumnElement[bool]:
    return as_stored(day).between(bindparam("start"), bindparam("end"))


def _in_week(day) -> ColumnElement[bool]:
    return as_stored(day).between(bindparam("week_start"), bindparam("week_end"))


@cache
def _counter_sums_query() -> Select:
    """The members' counters summed over the period's days: plain sums of the days asked for, not a CASE per
    counter and row over the period and this week together (half again as long for a ward)."""
    return (
        select(DailyCount.ward_code, DailyCount.area_id, DailyCount.team_id, DailyCount.member_id,
               *(func.sum(getattr(DailyCount, c)) for c in _PERIOD_COUNTERS))
        .where(in_given_wards(DailyCount.ward_code), DailyCount.day.between(bindparam("start"), bindparam("end")))
        .group_by(DailyCount.ward_code, DailyCount.area_id, DailyCount.team_id, DailyCount.member_id)
    )


@cache
def _week_visits_query() -> Select:
    """The members' visits this week (seven days a member at most)."""
    return (
        select(DailyCount.ward_code, DailyCount.area_id, DailyCount.team_id, DailyCount.member_id,
               func.sum(DailyCount.visits))
        .where(in_given_wards(DailyCount.ward_code),
               DailyCount.day.between(bindparam("week_start"), bindparam("week_end")), DailyCount.visits > 0)
        .group_by(DailyCount.ward_code, DailyCount.area_id, DailyCount.team_id, DailyCount.member_id)
    )


def _counter_sums(given: dict):
    """(ward, area, team, what a member's counters add up to in the period, the member); then the same with
    what they add up to this week."""
    for ward_code, area_id, team_id, member_id, *values in read(_counter_sums_query(), given):
        yield ward_code, area_id, team_id, dict(zip(_PERIOD_COUNTERS, values, strict=True)), member_id
    for ward_code, area_id, team_id, member_id, visits in read(_week_visits_query(), given):
        yield ward_code, area_id, team_id, {"visits_week": visits}, member_id


@cache
def _ward_day_sums_query() -> Select:
    day = WardDayCount.day
    return (
        select(WardDayCount.ward_code,
               *(func.sum(case((_in_period(day), getattr(WardDayCount, c)), else_=0)) for c in _PERIOD_COUNTERS),
               func.sum(case((_in_week(day), WardDayCount.visits), else_=0)),
               func.sum(case((_in_period(day), WardDayCount.first_reached), else_=0)),
               func.sum(case((as_stored(day) >= bindparam("recent_from"), WardDayCount.last_visited), else_=0)))
        .where(in_given_wards(WardDayCount.ward_code), day >= bindparam("days_from"))
        .group_by(WardDayCount.ward_code)
    )


def _ward_day_sums(given: dict):
    """Per ward, from its days (ward_day_count, a few thousand rows for a province): what its visits add up to
    in the period and this week, its households first reached in the period and those visited since the
    recent day (taken off `stale`). The province board's figures, without area, team or member."""
    for ward_code, *values in read(_ward_day_sums_query(), given):
        *period_values, week_visits, reached, recent = values
        yield ward_code, None, None, {**dict(zip(_PERIOD_COUNTERS, period_values, strict=True)),
                                      "visits_week": week_visits, "reached_in_period": reached,
                                      "stale": -recent}, None


@cache
def _active_members_query() -> Select:
    day = DailyCount.day
    return (
        select(DailyCount.ward_code,
               func.count(func.distinct(case((_in_period(day), DailyCount.member_id)))),
               func.count(func.distinct(case((_in_week(day), DailyCount.member_id)))))
        .where(in_given_wards(DailyCount.ward_code), DailyCount.visits > 0,
               day.between(bindparam("from_day"), bindparam("to_day")))
        .group_by(DailyCount.ward_code)
    )


def _active_members(given: dict):
    """Per ward, the distinct members with a visit in the period and this week: the one figure of the
    province board that needs the member, so the one read of daily_count. Same rule as `_counter_sums`: a
    member is active when its visits add up to more than zero, i.e. any of its rows has a visit."""
    for ward_code, active_period, active_week in read(_active_members_query(), given):
        yield ward_code, None, None, {"active_period_count": active_period, "active_week_count": active_week}, None


@cache
def _followup_sums_query(by_ward: bool) -> Select:
    # count(*), not count(visit.id): every column read is in ix_visit_ward_followup, so PostgreSQL answers
    # from the index alone (52 ms instead of a 370 ms table scan for a province of 5 million visits).
    keys = (Visit.ward_code,) if by_ward else (Visit.ward_code, Visit.area_id, Visit.team_id)
    return (
        select(*keys, func.count(), func.count(case((as_stored(Visit.followup_due) < bindparam("today"), 1))))
        .where(in_given_wards(Visit.ward_code), Visit.followup_needed.is_(True),
               Visit.followup_closed_at.is_(None), Visit.flagged.is_(False))
        .group_by(*keys)
    )


def _followup_sums(given: dict, by_ward: bool = False):
    """Open and overdue follow-ups per ward, area and team (or per ward only, `by_ward`)."""
    for *key, open_count, overdue in read(_followup_sums_query(by_ward), given):
        ward_code, area_id, team_id = (*key, None, None) if by_ward else key
        yield ward_code, area_id, team_id, {"open_followups": open_count, "overdue_followups": overdue}, None


def _activity_sums(ward_codes: list[int], period: Period, by_ward: bool = False):
    """Each ward's activities in the period, per team that recorded them (or per ward only, `by_ward`): an
    activity counts once, for its unit and that team, never for an area (its people are no area's households)."""
    for (ward_code, team_id), totals in activities.team_sums(ward_codes, period.start, period.end).items():
        kinds = totals.by_kind
        yield ward_code, None, None if by_ward else team_id, {
            "help_desks": kinds[ActivityKind.HELP_DESK], "area_sweeps": kinds[ActivityKind.AREA_SWEEP],
            "classes": kinds[ActivityKind.CLASS], "other_activities": kinds[ActivityKind.OTHER],
            "activity_people_online": totals.people_online, "activity_level2": totals.level2_activated,
            "activity_trained": totals.people_trained}, None


# What an area row adds to its ward's and its teams' rows: its households' figures and itself.
_HOUSEHOLD_PART = ("households", "base", "reached", "reached_in_period", "eligible", "level2", "children",
                   "children_level2", "online_households", "people_online", "cashless_households", "stale", "areas",
                   "areas_covered")


def _household_part(sums: Sums) -> dict[str, int]:
    figures = sums.__dict__
    return {name: figures[name] for name in _HOUSEHOLD_PART}


def _score(rows: list[Row], period: Period, targets: dict[int, dict[Indicator, TargetValue]]) -> None:
    weeks = period.weeks
    for row in rows:
        sums, ward_targets, figures = row.sums, targets[row.ward_code], row.figures
        sums.weeks = weeks
        for definition in DEFINITIONS:
            target = ward_targets.get(definition.key)
            value = None if target is None else target.value
            to_date = definition.to_date(sums)
            figures[definition.key] = Figure(
                to_date, definition.in_period(sums) if definition.in_period else None, value,
                None if target is None else target.source, definition.band(to_date, value),
                [BesideFigure(b.key, b.label, b.to_date(sums), b.in_period(sums) if b.in_period else None)
                 for b in definition.beside] if definition.beside else [],
            )


def _this_week(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _collect(actor: User, wards: list[Ward], period: Period, parts: bool = True):
    """Rows per ward, area and team of these wards (already in the actor's scope), scored against targets,
    and the wards' retired areas (only with `parts`). Without `parts` (the province board) only the ward rows
    are added up and scored, from the ward-days: thousands of area and team rows nobody sees would cost more
    than every query of the board."""
    codes = [w.code for w in wards]
    given = _given(codes, period, local_today())
    ward_rows = {w.code: Row(w.code, unit_name(w), w.code, sort_as=place_name(w)) for w in wards}
    areas: dict[int, Row] = {}
    teams: dict[int, Row] = {}
    retired_ids: list[int] = []
    if not parts:
        for ward_code, sums in _ward_households(given).items():
            ward_rows[ward_code].sums.add(sums)
        for ward_code, members, active_teams in read(_ward_members_query(), given):
            ward_rows[ward_code].sums.members += members
            ward_rows[ward_code].sums.teams += active_teams
        # A ward's days hold the households of its retired areas too, which no figure counts.
        leave_out = read(_household_days_query(True), given)
        sources = [_ward_day_sums(given),
                   ((ward_code, None, None, {"reached_in_period": -new, "stale": recent}, None)
                    for ward_code, new, recent in leave_out),
                   _active_members(given), _followup_sums(given, by_ward=True),
                   _activity_sums(codes, period, by_ward=True)]
    else:
        areas, retired_ids = _areas(given)
        for area_id, new, recent in _household_days(list(areas), given):
            area = areas[area_id]
            area.sums.reached_in_period, area.sums.stale = new, area.sums.stale - recent
        teams = _teams(given)
        household_parts = {area_id: _household_part(area.sums) for area_id, area in areas.items()}
        for area_id, area in areas.items():
            ward_rows[area.ward_code].sums.add_figures(household_parts[area_id])
        for team in teams.values():
            ward_rows[team.ward_code].sums.members += team.sums.members
            ward_rows[team.ward_code].sums.teams += team.sums.teams
        for team_id, area_id in read(_team_areas_query(), given):
            if team_id in teams and area_id in areas:
                teams[team_id].sums.add_figures(household_parts[area_id])
        for area_id, count in read(_area_members_query(), given):
            if area_id in areas:
                areas[area_id].sums.members = count
        sources = [_counter_sums(given), _followup_sums(given), _activity_sums(codes, period)]
    for source in sources:  # (ward, area, team: None where the source has none; figures; member or None)
        for ward_code, area_id, team_id, figures, member in source:
            ward_rows[ward_code].sums.add_figures(figures, member)
            if area_id in areas:
                areas[area_id].sums.add_figures(figures, member)
            if team_id in teams:
                teams[team_id].sums.add_figures(figures, member)
    targets = targets_for(actor, codes, period.start, period.end)
    _score([*ward_rows.values(), *areas.values(), *teams.values()], period, targets)
    return ward_rows, areas, teams, retired_ids


@cache
def _trend_query() -> Select:
    return select(WardDayCount.day, WardDayCount.visits, WardDayCount.first_reached).where(
        in_given_wards(WardDayCount.ward_code), WardDayCount.day >= bindparam("first_monday"))


@cache
def _retired_reached_query() -> Select:
    """Of the retired areas given, the active households first reached after each trend week's end."""
    ends: list[BindParameter] = [bindparam(f"end_{week}") for week in range(TREND_WEEKS)]
    return select(*(func.count(case((as_stored(Household.reached_at) >= end, 1))) for end in ends)).where(
        Household.area_id.in_(bindparam("area_ids", expanding=True, literal_execute=True)),
        Household.status == HouseholdStatus.ACTIVE, Household.reached_at >= ends[0])


def _trend(ward_code: int, reached_now: int, base: int, retired_ids: list[int], today: date) -> list[TrendWeek]:
    """The ward's last TREND_WEEKS weeks: visits, and households reached by each week's end, from its days.
    Reached by a week's end = reached now, less those first reached after it; a ward's days hold the households
    of its retired areas too, which `reached_now` leaves out, so theirs are added back."""
    first_monday = _this_week(today)[0] - timedelta(weeks=TREND_WEEKS - 1)
    visits, first_reached = [0] * (TREND_WEEKS + 1), [0] * (TREND_WEEKS + 1)  # the last: days after this week
    for day, day_visits, day_reached in read(_trend_query(), {WARD_CODES: [ward_code],
                                                                            "first_monday": first_monday}):
        week = min((day - first_monday).days // 7, TREND_WEEKS)
        visits[week] += day_visits
        first_reached[week] += day_reached
    starts = [first_monday + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    retired_after: Sequence[int] = [0] * TREND_WEEKS
    if retired_ids:  # most wards have none
        ends = {f"end_{week}": local_day_bounds(start + timedelta(days=6))[1] for week, start in enumerate(starts)}
        retired_after = read(_retired_reached_query(), {**ends, "area_ids": retired_ids}).one()
    reached_by_end = [reached_now - sum(first_reached[week + 1:]) + retired_after[week] for week in range(TREND_WEEKS)]
    return [TrendWeek(start, visits[week], Ratio(reached_by_end[week], base)) for week, start in enumerate(starts)]


def ward_report(actor: User, ward: Ward, period: Period, with_trend: bool = False) -> WardReport:
    """The ward's figures, its areas' and teams' figures, and (`with_trend`: the board draws it, the files do
    not) its weekly trend. `ward` is in the actor's scope."""
    ward_rows, areas, teams, retired_ids = _collect(actor, [ward], period)
    total = ward_rows[ward.code]
    trend = _trend(ward.code, total.sums.reached, total.sums.base, retired_ids, local_today()) if with_trend else []
    return WardReport(ward, period, total, list(areas.values()), list(teams.values()), trend)


def province_rows(actor: User, period: Period) -> tuple[list[Row], Row]:
    """Every ward of the actor's scope with its figures, and the whole of them."""
    wards = list(db.session.scalars(scoped(actor, Ward).order_by(*unit_order())))
    if not wards:
        return [], Row(0, "", 0)
    ward_rows, _areas, _teams, _retired = _collect(actor, wards, period, parts=False)
    total = Row(0, "", wards[0].code)
    for row in ward_rows.values():
        total.sums.add(row.sums)
    _score([total], period, {wards[0].code: province_defaults(actor, period.end)})
    return list(ward_rows.values()), total


SORT_NAME = "name"


def sort_rows(rows: list[Row], sort: str, worst_first: bool = True) -> list[Row]:
    """Rows by name, or by an indicator's figure to date: furthest from the goal first, or best first."""
    if sort not in BY_KEY:
        return sorted(rows, key=lambda r: r.order)
    definition = BY_KEY[Indicator(sort)]
    ordered = sorted(rows, key=lambda r: (definition.worst_first_key(r.figures[definition.key].to_date), r.order))
    if worst_first:
        return ordered
    with_figure = [r for r in ordered if r.figures[definition.key].to_date.percent is not None]
    return with_figure[::-1] + [r for r in ordered if r.figures[definition.key].to_date.percent is None]
