"""Commendation at a campaign's end (đề nghị khen thưởng): the teams and volunteers proposed for a Giấy khen.

The rule, set by the leader who runs the campaign (stored on it, defaults in `models.COMMEND_DEFAULTS`):
- a team is proposed when the leaderboard ranks it within the first `commend_teams` places and its outcomes
  reach `commend_team_outcomes`. Its rank, score and counts are the leaderboard's own (`leaderboard()`): tied
  teams share a rank (1, 2, 2, 4), so every team tied at the last place in is proposed;
- the leaderboard scores teams, not people, so a volunteer is ranked by the outcomes its own visits recorded in
  the campaign's days and teams (the daily counters the boards read; flagged visits count nothing), with the
  same competition ranks (`competition_ranks`), and proposed within the first `commend_volunteers` places
  with at least `commend_volunteer_outcomes`.
Outcomes are results for people, not contact: people activated to VNeID level 2, households tutored in an
online service, households set up for cashless payment (the rules level2, tutored and cashless).

Before the campaign's last day is over the list is provisional: the page shows it marked so, and the DOCX and
the certificates wait for the end (`require_final`).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.clock import local_today
from app.collation import sort_key
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Campaign, DailyCount, Province, Role, User, Ward
from app.services import audit
from app.services.errors import FieldError
from app.services.ranking.board import Board, Standing, competition_ranks, in_campaign_wards, leaderboard
from app.services.ranking.campaigns import may_manage
from app.services.reports.units import UnitNames, province_names, unit_names
from app.services.scope import OutOfScope, RoleDenied, as_id, require_role, scoped

READERS = (Role.YOUTH_LEADER, Role.COORDINATOR)
OUTCOMES = ("level2", "tutored", "cashless")  # the score rules that are outcomes for people
# The same outcomes in a member's daily counters.
MEMBER_COUNTERS = {"level2": DailyCount.level2_activated, "tutored": DailyCount.online_tutored,
                   "cashless": DailyCount.cashless_setup}
MAX_PLACES = 1000
MAX_OUTCOMES = 9999


class CommendationError(FieldError):
    """A commendation rule was refused."""


class NotOver(Exception):
    """The campaign's last day is not over: no list or certificate to hand out yet."""

    def __init__(self, campaign: Campaign):
        super().__init__(campaign.end_date)
        self.campaign = campaign


@dataclass(frozen=True)
class CommendationRule:
    teams: int
    team_outcomes: int
    volunteers: int
    volunteer_outcomes: int


def rule_of(campaign: Campaign) -> CommendationRule:
    return CommendationRule(campaign.commend_teams, campaign.commend_team_outcomes, campaign.commend_volunteers,
                            campaign.commend_volunteer_outcomes)


def outcomes(counts: dict[str, int]) -> int:
    return sum(counts.get(key, 0) for key in OUTCOMES)


@dataclass
class TeamProposal:
    standing: Standing  # the leaderboard's row: rank, score, counts

    @property
    def outcomes(self) -> int:
        return outcomes(self.standing.counts)


@dataclass
class Volunteer:
    member_id: int
    name: str
    team_id: int
    team: str
    ward_code: int
    ward: str
    counts: dict[str, int]
    rank: int = 0

    @property
    def outcomes(self) -> int:
        return outcomes(self.counts)


@dataclass
class Commendation:
    campaign: Campaign
    board: Board
    rule: CommendationRule
    final: bool  # the campaign's last day is over
    names: UnitNames  # who runs the campaign: its unit, or the province
    teams: list[TeamProposal]  # proposed, in rank order
    teams_short: list[TeamProposal]  # within the places but short of the minimum
    volunteers: list[Volunteer]
    volunteers_short: list[Volunteer]


def is_final(campaign: Campaign, today: date | None = None) -> bool:
    return (today or local_today()) > campaign.end_date


def commendation(actor: User, campaign: Campaign, today: date | None = None) -> Commendation:
    """Who is proposed, as the actor may see it: a youth-union leader or coordinator of a ward reads the part of
    a province campaign that is its ward's (ranks stay the campaign's). `campaign` is one the actor may see."""
    require_role(actor, *READERS, what="campaign.commendation")
    board = leaderboard(campaign, today)
    rule = rule_of(campaign)
    wards = set(db.session.scalars(scoped(actor, Ward, Ward.code)))
    teams: list[TeamProposal] = []
    teams_short: list[TeamProposal] = []
    for standing in board.standings:
        if standing.rank > rule.teams:
            break
        if standing.ward_code in wards and standing.score > 0:
            proposal = TeamProposal(standing)
            (teams if proposal.outcomes >= rule.team_outcomes else teams_short).append(proposal)
    volunteers: list[Volunteer] = []
    volunteers_short: list[Volunteer] = []
    for volunteer in _ranked_volunteers(campaign, board):
        if volunteer.rank > rule.volunteers:
            break
        if volunteer.ward_code in wards:
            (volunteers if volunteer.outcomes >= rule.volunteer_outcomes else volunteers_short).append(volunteer)
    return Commendation(campaign, board, rule, is_final(campaign, today), _names(campaign), teams, teams_short,
                        volunteers, volunteers_short)


def _names(campaign: Campaign) -> UnitNames:
    if campaign.ward is not None:
        return unit_names(campaign.ward)
    return province_names(db.session.get_one(Province, campaign.province_code))


def _ranked_volunteers(campaign: Campaign, board: Board) -> list[Volunteer]:
    """Every member with an outcome in the campaign's teams and days, ranked by outcomes (ties share a rank;
    tied members are listed by more level-2 activations, then by name). One grouped read of the daily counters
    (ward and day lead their key). A member who moved teams during the campaign adds up, under the team where
    it recorded most."""
    teams = {standing.team_id: standing for standing in board.standings}
    stmt = (
        select(DailyCount.member_id, DailyCount.team_id, User.display_name,
               *(func.sum(column) for column in MEMBER_COUNTERS.values()))
        .join(User, User.id == DailyCount.member_id)
        .where(in_campaign_wards(DailyCount.ward_code, campaign),
               DailyCount.day.between(campaign.start_date, board.until))
        .group_by(DailyCount.member_id, DailyCount.team_id, User.display_name)
    )
    members: dict[int, Volunteer] = {}
    most: dict[int, int] = {}  # a member's outcomes in the team it is listed under
    for member_id, team_id, name, *values in db.session.execute(stmt):
        standing = teams.get(team_id)
        counts = dict(zip(OUTCOMES, (int(v or 0) for v in values), strict=True))
        if standing is None or not outcomes(counts):
            continue
        volunteer = members.get(member_id)
        if volunteer is None:
            members[member_id] = volunteer = Volunteer(member_id, name, team_id, standing.team, standing.ward_code,
                                                       standing.ward, dict.fromkeys(OUTCOMES, 0))
        if outcomes(counts) > most.get(member_id, 0):
            most[member_id] = outcomes(counts)
            volunteer.team_id, volunteer.team = team_id, standing.team
            volunteer.ward_code, volunteer.ward = standing.ward_code, standing.ward
        for key in OUTCOMES:
            volunteer.counts[key] += counts[key]
    ranked = competition_ranks(members.values(), lambda v: v.outcomes,
                               lambda v: (-v.counts["level2"], sort_key(v.name), v.member_id))
    for rank, volunteer in ranked:
        volunteer.rank = rank
    return [volunteer for _rank, volunteer in ranked]


def require_final(found: Commendation) -> None:
    if not found.final:
        raise NotOver(found.campaign)


def certified(found: Commendation, member_id) -> list[Volunteer]:
    """The proposed volunteers whose certificates to print: all of them, or the one asked for (any other id is
    "not found")."""
    if member_id is None:
        return found.volunteers
    chosen = [v for v in found.volunteers if v.member_id == as_id(member_id)]
    if not chosen:
        raise OutOfScope("user", member_id)
    return chosen


def set_rule(actor: User, campaign: Campaign, rule: CommendationRule) -> None:
    """The leader who runs the campaign sets how many are proposed and the outcomes each needs."""
    if not may_manage(actor, campaign):
        raise RoleDenied("campaign.commendation_rule")
    for field in ("teams", "volunteers"):
        if not 1 <= getattr(rule, field) <= MAX_PLACES:
            raise CommendationError(field, _l("Places are whole numbers from 1 to %(n)s.", n=MAX_PLACES))
    for field in ("team_outcomes", "volunteer_outcomes"):
        if not 0 <= getattr(rule, field) <= MAX_OUTCOMES:
            raise CommendationError(field, _l("Outcomes are whole numbers from 0 to %(n)s.", n=MAX_OUTCOMES))
    before = rule_of(campaign)
    campaign.commend_teams, campaign.commend_team_outcomes = rule.teams, rule.team_outcomes
    campaign.commend_volunteers, campaign.commend_volunteer_outcomes = rule.volunteers, rule.volunteer_outcomes
    audit.record(actor, "campaign.commendation_rule", campaign, ward_code=campaign.ward_code,
                 before=before.__dict__, after=rule.__dict__)


def record_export(actor: User, found: Commendation, what: str) -> None:
    """A list or certificates handed out: what, and how many of each (no names in the log)."""
    audit.record(actor, "campaign.commendation_export", found.campaign, ward_code=found.campaign.ward_code,
                 format=what, teams=len(found.teams), volunteers=len(found.volunteers))
