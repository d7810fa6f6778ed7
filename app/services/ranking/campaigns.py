"""Emulation campaigns (đợt thi đua): the scoring rules, defined once, and who runs a campaign.

What each household-day scores is kept by services/rollups (household_days); the ranking that adds it up
is in board.py.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Date, Select, bindparam, select

from app.clock import local_today
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Campaign, Role, User, Ward
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import RoleDenied, actor_parameters, get_in_scope, per_actor_shape, require_role, scoped

MAX_WEIGHT = 100
MAX_DAYS = 366



@dataclass(frozen=True)
class Rule:
    key: str  # a column of score_unit and team_day_score, or an activity count (ACTIVITY_RULES)
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
    # Activities beyond household visits (services/activities.py): their own weights, lower per person than a
    # visit's, since their people are counted by the team and tied to no household's list. An activity scores
    # once, for the team that recorded it, however many teams took part; its people never score as visits too.
    Rule("activities", _l("Activity held"), _l(
        "Each activity beyond household visits (a help desk at the one-stop shop, an area sweep, a “Bình dân học vụ "
        "số” class, another activity), on the day it was held, for the team that recorded it; the other teams "
        "present score nothing for it."), 2),
    Rule("activity_online", _l("Person helped online at an activity"), _l(
        "Each person helped with at least one online public service at an activity. These people are counted on "
        "the activity only, never as households visited, so nothing scores twice."), 1),
    Rule("activity_level2", _l("Level-2 activation at an activity"), _l(
        "Each VNeID level-2 activation at an activity; not capped by a household's list, so it weighs less than "
        "one made at a household."), 2),
    Rule("activity_trained", _l("Person trained at an activity"), _l(
        "Each person trained at an activity (a class, a session in an area)."), 1),
)
ACTIVITY_RULES = ("activities", "activity_online", "activity_level2", "activity_trained")
RULE_NOTE = _l("Visits a coordinator flagged as implausible count for nothing. An activity's people count on the "
              "activity only, never again as visits.")
DEFAULT_WEIGHTS = {rule.key: rule.default_weight for rule in RULES}


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


@per_actor_shape
def _active_campaigns_query(actor: User) -> Select:
    today = bindparam("today", type_=Date)
    return (scoped(actor, Campaign).where(Campaign.start_date <= today, Campaign.end_date >= today)
            .order_by(Campaign.end_date, Campaign.id))


def active_campaigns(actor: User, today: date | None = None) -> list[Campaign]:
    """The campaigns in the actor's scope running on the day."""
    return list(db.session.scalars(_active_campaigns_query(actor),
                                   {**actor_parameters(actor), "today": today or local_today()}))


def record_export(actor: User, campaign: Campaign, fmt: str) -> None:
    audit.record(actor, "campaign.export", campaign, ward_code=campaign.ward_code, format=fmt)

