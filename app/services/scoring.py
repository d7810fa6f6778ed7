"""Emulation campaigns (đợt thi đua): the scoring rules, defined once, and the fair team ranking.

A team scores per household-day: all its unflagged visits to one household on one Vietnamese day count
once, and a household met counts once per team and calendar month (see `_household_days`). Each
household-day is kept in `score_unit` and its sums per team and day in `team_day_score`, refreshed from
the household's raw visits in the same transaction as every visit write (services/visits.py calls
`refresh_household`), so a leaderboard adds up days x teams rows and never reads raw visits.
`unit_differences()` is what `flask rollup verify` checks; `rebuild_units()` puts them right.
"""

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, insert, select

from app.clock import local_today
from app.extensions import db
from app.models import (
    SCORE_COLUMNS,
    Area,
    AreaCount,
    Campaign,
    Household,
    Outcome,
    Role,
    ScoreUnit,
    Team,
    TeamDayScore,
    User,
    Visit,
    Ward,
    team_areas,
)
from app.services import audit, counters
from app.services.errors import FieldError
from app.services.figures import Ratio
from app.services.scope import OutOfScope, RoleDenied, as_id, get_in_scope, require_role, scoped
from app.services.upsert import upsert_add

MAX_WEIGHT = 100
MAX_DAYS = 366
TEAM_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)
BATCH = 5000


@dataclass(frozen=True)
class Rule:
    key: str  # a column of score_unit and team_day_score
    label: str
    explanation: str
    default_weight: int


# Outcomes and coverage weigh more than knocking on doors: a met visit alone earns the least.
RULES = (
    Rule("met", _l("Household met"), _l(
        "A household where someone was met, once per team and calendar month (Vietnam dates), on the first "
        "day that month the team met it. Meeting it again in the same month earns nothing by itself; what "
        "those visits achieve still scores."), 1),
    Rule("level2", _l("VNeID level-2 activation"), _l(
        "Each person whose VNeID was activated to level 2; a household-day counts at most its people aged 14 "
        "and over."), 5),
    Rule("tutored", _l("Online-service tutorial"), _l(
        "A household shown at least one online public service, once per household and day."), 3),
    Rule("cashless", _l("Cashless payment set up"), _l(
        "A household helped to set up cashless payment, once per household and day."), 2),
    Rule("followups_closed", _l("Follow-up closed"), _l(
        "A follow-up counts on the day it was closed, only if the team went back: it logged a visit where "
        "someone was met at that household after the visit that opened the follow-up and no later than the "
        "closing. Closing it without such a visit earns nothing. At most the household's people per day."), 2),
    Rule("first_reach", _l("Household reached for the first time"), _l(
        "A household whose first visit ever where someone was met falls in the campaign; only the team that "
        "made that visit scores it, once."), 4),
)
RULE_NOTE = _l("Visits a ward coordinator flagged as implausible count for nothing.")
DEFAULT_WEIGHTS = {rule.key: rule.default_weight for rule in RULES}


# --- Household-days, kept with every visit ----------------------------------------------------------------

_VISIT_COLUMNS = (Visit.household_id, Visit.id, Visit.team_id, Visit.visited_at, Visit.outcome,
                  Visit.level2_activated, Visit.services, Visit.cashless_setup, Visit.followup_needed,
                  Visit.followup_closed_at)
UnitKey = tuple[int, date, int]  # (household id, day, team id)


def _household_days(household_id: int, people: int, eligible: int, visits) -> dict[UnitKey, dict[str, int]]:
    """The household-days the household's unflagged visits (ordered by time) give, without empty ones.

    Outcomes score; contact alone does not pay twice. "Met" counts once per team and calendar month
    (Vietnamese dates), on the first day that month the team met the household: a period of the calendar,
    not of a campaign, so a household-day scores the same in every campaign. A closed follow-up counts, on
    its close day, only if the team that opened it logged a later visit where someone was met, no later
    than the close: closing it without going back earns nothing."""
    units: dict[UnitKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCORE_COLUMNS, 0))
    first_met = None
    met_months: set[tuple[int, int, int]] = set()  # (team id, year, month)
    met_visits: list[tuple[int, int, datetime]] = []  # (position, team id, time) of every met visit
    for position, visit in enumerate(visits):
        day = local_today(visit.visited_at)
        unit = units[(household_id, day, visit.team_id)]
        if visit.outcome == Outcome.MET:
            first_met = first_met or visit
            met_visits.append((position, visit.team_id, visit.visited_at))
            if (visit.team_id, day.year, day.month) not in met_months:
                met_months.add((visit.team_id, day.year, day.month))
                unit["met"] = 1
            unit["level2"] += visit.level2_activated
        unit["tutored"] |= int(bool(visit.services))
        unit["cashless"] |= int(bool(visit.cashless_setup))
    for position, visit in enumerate(visits):
        closed = visit.followup_closed_at
        if visit.followup_needed and closed is not None and any(
                later > position and team_id == visit.team_id and at <= closed
                for later, team_id, at in met_visits):
            units[(household_id, local_today(closed), visit.team_id)]["followups_closed"] += 1
    if first_met is not None:
        units[(household_id, local_today(first_met.visited_at), first_met.team_id)]["first_reach"] = 1
    for unit in units.values():
        unit["level2"] = min(unit["level2"], eligible)
        unit["followups_closed"] = min(unit["followups_closed"], people)
    return {key: unit for key, unit in units.items() if any(unit.values())}


def _expected_units(first_id: int, last_id: int) -> tuple[dict[UnitKey, dict[str, int]], dict[int, tuple[int, int]]]:
    """Household-days of the households with ids in [first_id, last_id], and each one's (ward, area)."""
    households = {hid: (people, eligible, ward, area) for hid, people, eligible, ward, area in db.session.execute(
        select(Household.id, Household.people, Household.eligible_people, Household.ward_code, Household.area_id)
        .where(Household.id.between(first_id, last_id)))}
    visits = defaultdict(list)
    for row in db.session.execute(select(*_VISIT_COLUMNS).where(
            Visit.household_id.between(first_id, last_id), Visit.flagged.is_(False))
            .order_by(Visit.household_id, Visit.visited_at, Visit.id)):
        visits[row.household_id].append(row)
    units = {}
    for household_id, rows in visits.items():
        people, eligible, _ward, _area = households[household_id]
        units.update(_household_days(household_id, people, eligible, rows))
    return units, {hid: (ward, area) for hid, (_p, _e, ward, area) in households.items()}


def refresh_household(household: Household) -> None:
    """Bring the household's household-days, and its teams' day sums, in step with its raw visits."""
    db.session.flush()
    expected, _places = _expected_units(household.id, household.id)
    stored = {(u.household_id, u.day, u.team_id): u for u in db.session.scalars(
        select(ScoreUnit).where(ScoreUnit.household_id == household.id))}
    for key in expected.keys() | stored.keys():
        want, have = expected.get(key), stored.get(key)
        before = {c: getattr(have, c) for c in SCORE_COLUMNS} if have else dict.fromkeys(SCORE_COLUMNS, 0)
        after = want or dict.fromkeys(SCORE_COLUMNS, 0)
        delta = {c: after[c] - before[c] for c in SCORE_COLUMNS}
        if any(delta.values()):
            _household_id, day, team_id = key
            upsert_add(TeamDayScore, {"day": day, "team_id": team_id, "ward_code": household.ward_code},
                                ("day", "team_id"), delta)
        if want is None:
            db.session.delete(have)
        elif have is None:
            db.session.add(ScoreUnit(household_id=key[0], day=key[1], team_id=key[2], area_id=household.area_id,
                                     **want))
        else:
            for column, value in want.items():
                setattr(have, column, value)
            have.area_id = household.area_id


def _all_expected():
    """Every expected household-day with its ward and area, household by household in batches."""
    last = db.session.scalar(select(func.max(Household.id))) or 0
    for first_id in range(1, last + 1, BATCH):
        units, places = _expected_units(first_id, first_id + BATCH - 1)
        for key, unit in units.items():
            yield key, places[key[0]], unit


def unit_differences() -> list[counters.Difference]:
    """Every stored household-day or team-day sum that differs from what the raw visits give."""
    differences = []
    day_sums: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCORE_COLUMNS, 0))
    stored = {(r.household_id, r.day, r.team_id): r for r in db.session.execute(select(ScoreUnit.__table__))}
    for key, (_ward, area_id), unit in _all_expected():
        have = stored.pop(key, None)
        label = "/".join(str(k) for k in key)
        for column in (*SCORE_COLUMNS, "area_id"):
            want = area_id if column == "area_id" else unit[column]
            got = getattr(have, column) if have is not None else None
            if got != want:
                differences.append(counters.Difference("score_unit", label, column, got, want))
        for column in SCORE_COLUMNS:
            day_sums[(key[1], key[2])][column] += unit[column]
    differences += [counters.Difference("score_unit", "/".join(str(k) for k in key), "row", "stored", "none")
                    for key in stored]
    stored_days = {(r.day, r.team_id): r for r in db.session.execute(select(TeamDayScore.__table__))}
    for key in day_sums.keys() | stored_days.keys():
        want, have = day_sums.get(key, {}), stored_days.get(key)
        for column in SCORE_COLUMNS:
            got = getattr(have, column) if have is not None else 0
            if got != want.get(column, 0):
                differences.append(counters.Difference("team_day_score", f"{key[0]}/{key[1]}", column, got,
                                                       want.get(column, 0)))
    return differences


def rebuild_units() -> int:
    """Replace every household-day and team-day sum by what the raw visits give. Returns the units written."""
    db.session.execute(delete(ScoreUnit))
    db.session.execute(delete(TeamDayScore))
    day_sums: dict[tuple[date, int], dict] = {}
    rows = []
    written = 0
    for (household_id, day, team_id), (ward_code, area_id), unit in _all_expected():
        rows.append({"household_id": household_id, "day": day, "team_id": team_id, "area_id": area_id, **unit})
        sums = day_sums.setdefault((day, team_id), {"day": day, "team_id": team_id, "ward_code": ward_code,
                                                    **dict.fromkeys(SCORE_COLUMNS, 0)})
        for column in SCORE_COLUMNS:
            sums[column] += unit[column]
        if len(rows) >= BATCH:
            written += len(rows)
            db.session.execute(insert(ScoreUnit), rows)
            rows.clear()
    if rows:
        written += len(rows)
        db.session.execute(insert(ScoreUnit), rows)
    sums = list(day_sums.values())
    for start in range(0, len(sums), BATCH):
        db.session.execute(insert(TeamDayScore), sums[start:start + BATCH])
    return written


# --- Campaigns --------------------------------------------------------------------------------------------

class CampaignError(FieldError):
    """A campaign change was refused."""


@dataclass
class CampaignInput:
    name: str
    start_date: date
    end_date: date
    ward_code: int | None  # None: the whole province
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


def create(actor: User, data: CampaignInput) -> Campaign:
    require_role(actor, Role.YOUTH_LEADER, what="campaign.create")
    name = " ".join((data.name or "").split())
    if not name:
        raise CampaignError("name", _l("Give the campaign a name."))
    if data.end_date < data.start_date:
        raise CampaignError("end_date", _l("The campaign ends before it starts."))
    if (data.end_date - data.start_date).days + 1 > MAX_DAYS:
        raise CampaignError("end_date", _l("A campaign lasts at most %(n)s days.", n=MAX_DAYS))
    if data.ward_code is None and actor.ward_code is not None:
        raise CampaignError("scope", _l("Only a province-level leader can run a campaign for the whole province."))
    if data.ward_code is not None:
        get_in_scope(actor, Ward, data.ward_code)
    for rule in RULES:
        if not 0 <= data.weights.get(rule.key, 0) <= MAX_WEIGHT:
            raise CampaignError(rule.key, _l("Points are whole numbers from 0 to %(n)s.", n=MAX_WEIGHT))
    campaign = Campaign(name=name, start_date=data.start_date, end_date=data.end_date,
                        province_code=actor.province_code, ward_code=data.ward_code,
                        weights={rule.key: int(data.weights.get(rule.key, 0)) for rule in RULES},
                        created_by_id=actor.id)
    db.session.add(campaign)
    audit.record(actor, "campaign.create", campaign, ward_code=data.ward_code, days=(data.end_date - data.start_date).days + 1,
                 weights=campaign.weights)
    return campaign


def may_manage(actor: User, campaign: Campaign) -> bool:
    """Youth-union leaders run the campaigns of their own level: a ward's leader, not the province's."""
    return actor.role == Role.YOUTH_LEADER and (actor.ward_code is None or actor.ward_code == campaign.ward_code)


def _require_manager(actor: User, campaign: Campaign, what: str) -> None:
    if not may_manage(actor, campaign):
        raise RoleDenied(what)


def share(actor: User, campaign: Campaign) -> str:
    """A new unguessable public link (any earlier one stops working)."""
    _require_manager(actor, campaign, "campaign.share")
    campaign.share_token = secrets.token_urlsafe(24)
    audit.record(actor, "campaign.share", campaign, ward_code=campaign.ward_code)
    return campaign.share_token


def revoke(actor: User, campaign: Campaign) -> None:
    _require_manager(actor, campaign, "campaign.revoke")
    campaign.share_token = None
    audit.record(actor, "campaign.revoke", campaign, ward_code=campaign.ward_code)


def by_share_token(token: str) -> Campaign | None:
    if not token:
        return None
    return db.session.scalar(select(Campaign).where(Campaign.share_token == token))


def campaigns(actor: User) -> list[Campaign]:
    return list(db.session.scalars(scoped(actor, Campaign).order_by(Campaign.end_date.desc(), Campaign.id.desc())))


def active_campaigns(actor: User, today: date | None = None) -> list[Campaign]:
    today = today or local_today()
    return list(db.session.scalars(scoped(actor, Campaign).where(
        Campaign.start_date <= today, Campaign.end_date >= today).order_by(Campaign.end_date, Campaign.id)))


def record_export(actor: User, campaign: Campaign, fmt: str) -> None:
    audit.record(actor, "campaign.export", campaign, ward_code=campaign.ward_code, format=fmt)


# --- The leaderboard --------------------------------------------------------------------------------------

def weight(campaign: Campaign, key: str) -> int:
    return int((campaign.weights or {}).get(key, DEFAULT_WEIGHTS[key]))


def rule_weights(campaign: Campaign) -> dict[str, int]:
    return {rule.key: weight(campaign, rule.key) for rule in RULES}


def points(campaign: Campaign, sums, weights: dict[str, int] | None = None) -> int:
    """Points of anything holding one count per rule (a household-day, a team's sums). A caller scoring
    many passes `rule_weights(campaign)`, read once."""
    weights = weights or rule_weights(campaign)
    return sum(each * (_get(sums, key) or 0) for key, each in weights.items())


def _get(sums, key):
    return sums[key] if isinstance(sums, dict) else getattr(sums, key)


@dataclass
class Standing:
    team_id: int
    team: str
    ward_code: int
    ward: str
    members: int
    reach: Ratio
    counts: dict[str, int]
    score: int = 0
    previous_score: int | None = None
    rank: int = 0
    previous_rank: int | None = None

    @property
    def per_member(self) -> float | None:
        return self.score / self.members if self.members else None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the week before (positive: up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class Board:
    campaign: Campaign
    until: date  # the last day counted: the campaign's end, or today while it runs
    previous_until: date | None  # the same a week earlier, None before the campaign's first week is over
    standings: list[Standing]
    wards: list[tuple[int, str]]


def counted_until(campaign: Campaign, today: date | None = None) -> date:
    today = today or local_today()
    return max(min(campaign.end_date, today), campaign.start_date - timedelta(days=1))


def _scope_filter(column, campaign: Campaign):
    if campaign.ward_code is not None:
        return column == campaign.ward_code
    return column.in_(select(Ward.code).where(Ward.province_code == campaign.province_code))


def _taking_part(campaign: Campaign):
    """The teams a campaign ranks: the active ones of its ward or province (a deactivated team drops out)."""
    return _scope_filter(Team.ward_code, campaign) & Team.active.is_(True)


def _teams(campaign: Campaign) -> dict[int, Standing]:
    members = func.count(User.id)
    stmt = (
        select(Team.id, Team.name, Team.ward_code, Ward.name, members)
        .join(Ward, Ward.code == Team.ward_code)
        .outerjoin(User, and_(User.team_id == Team.id, User.active.is_(True), User.role.in_(TEAM_ROLES)))
        .where(_taking_part(campaign))
        .group_by(Team.id, Team.name, Team.ward_code, Ward.name)
    )
    return {tid: Standing(tid, name, ward_code, ward, count, Ratio(0, 0), dict.fromkeys(SCORE_COLUMNS, 0))
            for tid, name, ward_code, ward, count in db.session.execute(stmt)}


def _reach(campaign: Campaign) -> dict[int, Ratio]:
    """Households reached to date in each team's areas over its households (or official count where larger),
    read from the per-area household counts (`area_count`, kept with household state), never from households."""
    stmt = (
        select(team_areas.c.team_id, Area.official_households, func.coalesce(AreaCount.households, 0),
               func.coalesce(AreaCount.reached, 0))
        .join(Area, Area.id == team_areas.c.area_id)
        .outerjoin(AreaCount, AreaCount.area_id == Area.id)
        .where(_scope_filter(Area.ward_code, campaign), Area.retired.is_(False))
    )
    reach: dict[int, Ratio] = {}
    for team_id, official, households, reached in db.session.execute(stmt):
        have = reach.get(team_id, Ratio(0, 0))
        reach[team_id] = Ratio(have.part + reached, have.whole + max(households, official or 0))
    return reach


def _ranked(standings: list[Standing], score_of) -> list[tuple[int, Standing]]:
    """Highest score first; ties go to the wider reach, then to the name."""
    ordered = sorted(standings, key=lambda s: (-score_of(s), -(s.reach.percent or 0), s.team.casefold(), s.team_id))
    return [(place, s) for place, s in enumerate(ordered, start=1)]


def leaderboard(campaign: Campaign, today: date | None = None) -> Board:
    """Every active team of the campaign's ward or province, ranked. `campaign` is one the caller may see."""
    until = counted_until(campaign, today)
    previous = until - timedelta(days=7)
    previous_until = previous if previous >= campaign.start_date else None
    standings = _teams(campaign)
    was_before = TeamDayScore.day <= (previous_until or campaign.start_date - timedelta(days=1))
    stmt = (
        select(TeamDayScore.team_id, *(func.sum(getattr(TeamDayScore, c)) for c in SCORE_COLUMNS),
               *(func.sum(case((was_before, getattr(TeamDayScore, c)), else_=0)) for c in SCORE_COLUMNS))
        .where(TeamDayScore.day.between(campaign.start_date, until))
        .group_by(TeamDayScore.team_id)
    )
    if campaign.ward_code is not None:
        stmt = stmt.where(TeamDayScore.ward_code == campaign.ward_code)
    previous_scores = {}
    weights = rule_weights(campaign)
    for team_id, *values in db.session.execute(stmt):
        if team_id not in standings:
            continue
        now = dict(zip(SCORE_COLUMNS, values[:len(SCORE_COLUMNS)], strict=True))
        standings[team_id].counts = {c: int(v or 0) for c, v in now.items()}
        previous_scores[team_id] = points(campaign, dict(zip(SCORE_COLUMNS, values[len(SCORE_COLUMNS):], strict=True)),
                                          weights)
    reach = _reach(campaign)
    for standing in standings.values():
        standing.reach = reach.get(standing.team_id, Ratio(0, 0))
        standing.score = points(campaign, standing.counts, weights)
        if previous_until is not None:
            standing.previous_score = previous_scores.get(standing.team_id, 0)
    if previous_until is not None:
        for place, standing in _ranked(list(standings.values()), lambda s: s.previous_score):
            standing.previous_rank = place
    ranked = []
    for place, standing in _ranked(list(standings.values()), lambda s: s.score):
        standing.rank = place
        ranked.append(standing)
    wards = sorted({(s.ward_code, s.ward) for s in ranked}, key=lambda w: w[1])
    return Board(campaign, until, previous_until, ranked, wards)


BOARD_TOP = 50


def board_top(standings: list[Standing], own_team: int | None) -> list[Standing]:
    """What a leaderboard page shows of a long board: the first BOARD_TOP places and the viewer's own team
    wherever it stands (the export and "show all" keep every team). `standings` are in rank order."""
    return [s for place, s in enumerate(standings) if place < BOARD_TOP or s.team_id == own_team]


# --- A team's detail --------------------------------------------------------------------------------------

@dataclass
class WeekPoints:
    start: date
    counts: dict[str, int]
    points: int


@dataclass
class CountedDay:
    day: date
    area: str
    household: str | None  # only for those who may see the household
    counts: dict[str, int]
    points: int


def campaign_team(campaign: Campaign, team_id) -> Team:
    """A team taking part in the campaign (one its leaderboard ranks); any other id is "not found"."""
    ident = as_id(team_id)
    team = None if ident is None else db.session.scalar(
        select(Team).where(Team.id == ident, _taking_part(campaign)))
    if team is None:
        raise OutOfScope("team", team_id)
    return team


def weekly_points(campaign: Campaign, team: Team, today: date | None = None) -> list[WeekPoints]:
    """Where the team's points came from, week by week (Monday to Sunday) and rule by rule."""
    until = counted_until(campaign, today)
    weeks: dict[date, dict[str, int]] = {}
    first = campaign.start_date - timedelta(days=campaign.start_date.weekday())
    monday = first
    while monday <= until:
        weeks[monday] = dict.fromkeys(SCORE_COLUMNS, 0)
        monday += timedelta(days=7)
    stmt = select(TeamDayScore.day, *(getattr(TeamDayScore, c) for c in SCORE_COLUMNS)).where(
        TeamDayScore.team_id == team.id, TeamDayScore.day.between(campaign.start_date, until))
    for day, *values in db.session.execute(stmt):
        week = weeks[day - timedelta(days=day.weekday())]
        for column, value in zip(SCORE_COLUMNS, values, strict=True):
            week[column] += value
    return [WeekPoints(start, counts, points(campaign, counts)) for start, counts in weeks.items()]


def counted_days(actor: User, campaign: Campaign, team: Team, today: date | None = None) -> list[CountedDay]:
    """The team's household-days that scored, newest first. Household names and addresses only come through
    the scope helper: a youth-union leader gets the day, the area and the points."""
    until = counted_until(campaign, today)
    stmt = (
        select(ScoreUnit.household_id, ScoreUnit.day, Area.name, *(getattr(ScoreUnit, c) for c in SCORE_COLUMNS))
        .join(Area, Area.id == ScoreUnit.area_id)
        .where(ScoreUnit.team_id == team.id, ScoreUnit.day.between(campaign.start_date, until))
        .order_by(ScoreUnit.day.desc(), Area.name, ScoreUnit.household_id)
    )
    rows = []
    for household_id, day, area, *values in db.session.execute(stmt):
        counts = dict(zip(SCORE_COLUMNS, values, strict=True))
        score = points(campaign, counts)
        if score:
            rows.append((household_id, CountedDay(day, area, None, counts, score)))
    if rows:
        ids = {household_id for household_id, _day in rows}
        labels = {hid: name or address or "" for hid, name, address in db.session.execute(
            scoped(actor, Household, Household.id, Household.display_name, Household.address)
            .where(Household.id.in_(ids)))}
        for household_id, counted in rows:
            counted.household = labels.get(household_id)
    return [counted for _hid, counted in rows]


@dataclass
class TeamRank:
    campaign: Campaign
    standing: Standing
    teams: int


def my_team_ranks(actor: User) -> list[TeamRank]:
    """The actor's team in each campaign running today (the home screen of team members)."""
    ranks = []
    for campaign in active_campaigns(actor):
        board = leaderboard(campaign)
        mine = next((s for s in board.standings if s.team_id == actor.team_id), None)
        if mine is not None:
            ranks.append(TeamRank(campaign, mine, len(board.standings)))
    return ranks
