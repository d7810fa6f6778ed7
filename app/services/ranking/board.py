"""The fair team ranking of a campaign and a team's detail, read from the day sums that services/rollups keeps
(`team_day_score`, `score_unit`, `area_count`), never from raw visits."""

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from typing import Any, TypeVar

from sqlalchemy import and_, func, select

from app.clock import local_today
from app.collation import by_name, sort_key
from app.extensions import db
from app.models import (
    SCORE_COLUMNS,
    Activity,
    Area,
    AreaCount,
    Campaign,
    Household,
    Role,
    ScoreUnit,
    Team,
    TeamDayScore,
    User,
    Ward,
    team_areas,
)
from app.services.ranking.campaigns import ACTIVITY_RULES, DEFAULT_WEIGHTS, RULES, active_campaigns
from app.services.reports.figures import Ratio
from app.services.scope import OutOfScope, as_id, scoped
from app.units import unit_sort_key

TEAM_ROLES = (Role.VOLUNTEER, Role.TEAM_LEADER)
T = TypeVar("T")


def weight(campaign: Campaign, key: str) -> int:
    return int((campaign.weights or {}).get(key, DEFAULT_WEIGHTS[key]))


def rule_weights(campaign: Campaign) -> dict[str, int]:
    return {rule.key: weight(campaign, rule.key) for rule in RULES}


def points(campaign: Campaign, sums, weights: dict[str, int] | None = None) -> int:
    """Points of anything holding one count per rule (a household-day, a team's sums). A caller scoring
    many passes `rule_weights(campaign)`, read once."""
    weights = weights or rule_weights(campaign)
    if isinstance(sums, dict):  # a board scores some 1,800 teams twice: a list, not a generator of calls
        return sum([each * (sums.get(key) or 0) for key, each in weights.items()])
    return sum([each * (getattr(sums, key) or 0) for key, each in weights.items()])


# What each activity rule counts, as SQL over the activity table (read directly: a unit has a few a week).
_ACTIVITY_COUNTS = {"activities": func.count(), "activity_online": func.sum(Activity.people_online),
                    "activity_level2": func.sum(Activity.level2_activated),
                    "activity_trained": func.sum(Activity.people_trained)}
COUNTED = (*SCORE_COLUMNS, *ACTIVITY_RULES)  # every count a standing holds, one per rule


def _activity_counts(campaign: Campaign, first: date, last: date, key, team_id: int | None = None):
    """(key, counts per activity rule) of the campaign's activities held from `first` to `last` (of one team if
    given), grouped by `key` (the team, the day): an activity counts for the team that recorded it, once."""
    stmt = (select(key, *_ACTIVITY_COUNTS.values())
            .where(in_campaign_wards(Activity.ward_code, campaign), Activity.held_on.between(first, last))
            .group_by(key))
    if team_id is not None:
        stmt = stmt.where(Activity.team_id == team_id)
    for group, *values in db.session.execute(stmt):
        yield group, dict(zip(ACTIVITY_RULES, (int(v or 0) for v in values), strict=True))


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
    rank: int = 0  # shared by teams of equal score (1, 2, 2, 4)
    previous_rank: int | None = None
    position: int = 0  # the row's place in the board's order (1, 2, 3, 4): no two teams share it

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


def in_campaign_wards(column, campaign: Campaign):
    if campaign.ward_code is not None:
        return column == campaign.ward_code
    return column.in_(select(Ward.code).where(Ward.province_code == campaign.province_code))


def taking_part(campaign: Campaign):
    """The teams a campaign ranks: the active ones of its ward or province (a deactivated team drops out)."""
    return in_campaign_wards(Team.ward_code, campaign) & Team.active.is_(True)


def _teams(campaign: Campaign) -> dict[int, Standing]:
    members = func.count(User.id)
    stmt = (
        select(Team.id, Team.name, Team.ward_code, Ward.name, members)
        .join(Ward, Ward.code == Team.ward_code)
        .outerjoin(User, and_(User.team_id == Team.id, User.active.is_(True), User.role.in_(TEAM_ROLES)))
        .where(taking_part(campaign))
        .group_by(Team.id, Team.name, Team.ward_code, Ward.name)
    )
    return {tid: Standing(tid, name, ward_code, ward, count, Ratio(0, 0), dict.fromkeys(COUNTED, 0))
            for tid, name, ward_code, ward, count in db.session.execute(stmt)}


def _reach(campaign: Campaign) -> dict[int, Ratio]:
    """Households reached to date in each team's areas over its households (or official count where larger),
    read from the per-area household counts (`area_count`, kept with household state), never from households."""
    stmt = (
        select(team_areas.c.team_id, Area.official_households, func.coalesce(AreaCount.households, 0),
               func.coalesce(AreaCount.reached, 0))
        .join(Area, Area.id == team_areas.c.area_id)
        .outerjoin(AreaCount, AreaCount.area_id == Area.id)
        .where(in_campaign_wards(Area.ward_code, campaign), Area.retired.is_(False))
    )
    parts: dict[int, list[int]] = {}
    for team_id, official, households, reached in db.session.execute(stmt):
        have = parts.get(team_id)
        if have is None:
            have = parts[team_id] = [0, 0]
        have[0] += reached
        have[1] += households if official is None or households > official else official
    return {team_id: Ratio(part, whole) for team_id, (part, whole) in parts.items()}


def competition_ranks(items: Iterable[T], score_of: Callable[[T], int], tie_order: Callable[[T], Any]
                         ) -> list[tuple[int, T]]:
    """Highest score first, with competition ranks: items of equal score are tied and share a rank, and the
    next rank counts every item above it (1, 2, 2, 4). `tie_order` lists tied items."""
    ordered = sorted(items, key=lambda item: (-score_of(item), tie_order(item)))
    ranked: list[tuple[int, T]] = []
    for position, item in enumerate(ordered, start=1):
        tied = bool(ranked) and score_of(ranked[-1][1]) == score_of(item)
        ranked.append((ranked[-1][0] if tied else position, item))
    return ranked


def _ranked(standings: list[Standing], score_of, tie_orders: dict[int, tuple]) -> list[tuple[int, Standing]]:
    """Teams by score with competition ranks; tied teams in `tie_orders` (see `_tie_orders`)."""
    return competition_ranks(standings, score_of, lambda s: tie_orders[s.team_id])


def _tie_orders(standings: list[Standing]) -> dict[int, tuple]:
    """How tied teams are listed: by wider reach, then by name. Worked out once for both rankings of a board."""
    return {s.team_id: (-(s.reach.percent or 0), sort_key(s.team), s.team_id) for s in standings}


def leaderboard(campaign: Campaign, today: date | None = None) -> Board:
    """Every active team of the campaign's ward or province, ranked. `campaign` is one the caller may see."""
    until = counted_until(campaign, today)
    previous = until - timedelta(days=7)
    previous_until = previous if previous >= campaign.start_date else None
    standings = _teams(campaign)
    weights = rule_weights(campaign)
    stmt = (
        select(TeamDayScore.team_id, *(func.sum(getattr(TeamDayScore, c)) for c in SCORE_COLUMNS))
        .where(TeamDayScore.day.between(campaign.start_date, until))
        .group_by(TeamDayScore.team_id)
    )
    if campaign.ward_code is not None:
        stmt = stmt.where(TeamDayScore.ward_code == campaign.ward_code)
    for team_id, *values in db.session.execute(stmt):
        if team_id in standings:
            standings[team_id].counts.update(zip(SCORE_COLUMNS, (int(v or 0) for v in values), strict=True))
    for team_id, counts in _activity_counts(campaign, campaign.start_date, until, Activity.team_id):
        if team_id in standings:
            standings[team_id].counts.update(counts)
    last_week = _points_since(campaign, previous_until, until, weights) if previous_until is not None else {}
    reach = _reach(campaign)
    for standing in standings.values():
        standing.reach = reach.get(standing.team_id, Ratio(0, 0))
        standing.score = points(campaign, standing.counts, weights)
        if previous_until is not None:
            standing.previous_score = standing.score - last_week.get(standing.team_id, 0)
    teams = list(standings.values())
    tie_orders = _tie_orders(teams)
    if previous_until is not None:
        for rank, standing in _ranked(teams, lambda s: s.previous_score, tie_orders):
            standing.previous_rank = rank
    ranked = []
    for position, (rank, standing) in enumerate(_ranked(teams, lambda s: s.score, tie_orders), start=1):
        standing.rank, standing.position = rank, position
        ranked.append(standing)
    wards = sorted({(s.ward_code, s.ward) for s in ranked}, key=lambda w: unit_sort_key(w[1]))
    return Board(campaign, until, previous_until, ranked, wards)


def _points_since(campaign: Campaign, after: date, until: date, weights: dict[str, int]) -> dict[int, int]:
    """Each team's points from the day after `after` to `until`: a week ago's score is today's less these (points
    add up), read from a week of team-days rather than a weighted sum over every day of the campaign."""
    day_points = reduce(operator.add, (getattr(TeamDayScore, c) * weights.get(c, 0) for c in SCORE_COLUMNS))
    first = after + timedelta(days=1)
    stmt = (select(TeamDayScore.team_id, func.sum(day_points)).where(TeamDayScore.day.between(first, until))
            .group_by(TeamDayScore.team_id))
    if campaign.ward_code is not None:
        stmt = stmt.where(TeamDayScore.ward_code == campaign.ward_code)
    earned = {team_id: int(total or 0) for team_id, total in db.session.execute(stmt)}
    for team_id, counts in _activity_counts(campaign, first, until, Activity.team_id):
        earned[team_id] = earned.get(team_id, 0) + points(campaign, counts, weights)
    return earned


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
        select(Team).where(Team.id == ident, taking_part(campaign)))
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
        weeks[monday] = dict.fromkeys(COUNTED, 0)
        monday += timedelta(days=7)
    stmt = select(TeamDayScore.day, *(getattr(TeamDayScore, c) for c in SCORE_COLUMNS)).where(
        TeamDayScore.team_id == team.id, TeamDayScore.day.between(campaign.start_date, until))
    for day, *values in db.session.execute(stmt):
        week = weeks[day - timedelta(days=day.weekday())]
        for column, value in zip(SCORE_COLUMNS, values, strict=True):
            week[column] += value
    for day, counts in _activity_counts(campaign, campaign.start_date, until, Activity.held_on, team.id):
        week = weeks[day - timedelta(days=day.weekday())]
        for column, value in counts.items():
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
        .order_by(ScoreUnit.day.desc(), by_name(Area.name), ScoreUnit.household_id)
    )
    rows = []
    for household_id, day, area, *values in db.session.execute(stmt):
        counts = {**dict.fromkeys(COUNTED, 0), **dict(zip(SCORE_COLUMNS, values, strict=True))}
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
