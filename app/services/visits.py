"""Recording visits exactly once, editing them, and keeping each household's state in step.

The HTML form and the JSON sync endpoint both call `record()`; only their answers differ.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, bindparam, insert, or_
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import ONLINE_SERVICES, Household, HouseholdStatus, Outcome, Role, User, Visit, visit_helpers
from app.services import audit, exactly_once, rollups
from app.services.errors import FieldError
from app.services.lists import households
from app.services.prepared import loaded, one_connection, together
from app.services.scope import (
    RoleDenied,
    actor_parameters,
    get_in_scope,
    known_to,
    may,
    per_actor_shape,
    require_role,
    scope_clause,
    scoped,
)
from app.services.text import clean, looks_like_citizen_id
from app.services.upsert import insert_row_ignoring

EDIT_WINDOW = timedelta(hours=24)
# A phone's clock may run a little ahead; a visit is never logged further in the future than this.
CLOCK_SKEW = timedelta(minutes=10)
OLDEST_VISIT = timedelta(days=31)
# No one visit helps more people than this: a bigger number is a slip of the thumb, not a household.
MOST_PER_VISIT = 30
COUNT_FIELDS = ("vneid_installed", "level2_activated", "level2_children", "online_people")


class VisitError(FieldError):
    """A visit was refused."""


class VisitConflict(VisitError):
    """The same client id was already used for a visit with other content."""


class HouseholdMerged(VisitError):
    """The household was merged into another one: the visit belongs on `survivor`, the household that stayed."""

    def __init__(self, survivor: Household):
        super().__init__("household_id", _l("This household was merged into %(name)s.", name=survivor.label))
        self.survivor = survivor


@dataclass
class VisitInput:
    client_id: str
    household_id: int
    visited_at: datetime
    outcome: Outcome
    vneid_installed: int = 0
    level2_activated: int = 0  # people aged 14+
    level2_children: int = 0  # children aged 6-13
    online_people: int = 0
    services: tuple[str, ...] = ()
    cashless_setup: bool = False
    other_help: str | None = None
    followup_needed: bool = False
    followup_reason: str | None = None
    followup_due: date | None = None
    note: str | None = None
    helper_ids: tuple[int, ...] = field(default=())
    # The follow-up this visit goes back for (the visit that asked for it): met, it closes it.
    closes_followup: int | None = None

    def normalised(self) -> "VisitInput":
        """Text trimmed, lists sorted, and what only a met household can have cleared otherwise."""
        met = self.outcome == Outcome.MET
        return VisitInput(
            client_id=self.client_id.strip().lower(), household_id=self.household_id,
            visited_at=self.visited_at.replace(second=0, microsecond=0), outcome=Outcome(self.outcome),
            vneid_installed=self.vneid_installed if met else 0,
            level2_activated=self.level2_activated if met else 0,
            level2_children=self.level2_children if met else 0,
            online_people=max(self.online_people, 1 if self.services else 0) if met else 0,
            services=tuple(sorted(set(self.services))) if met else (),
            cashless_setup=self.cashless_setup and met,
            other_help=clean(self.other_help) if met else None,
            followup_needed=self.followup_needed,
            followup_reason=clean(self.followup_reason) if self.followup_needed else None,
            followup_due=self.followup_due if self.followup_needed else None,
            note=clean(self.note),
            helper_ids=tuple(sorted(set(self.helper_ids))),
            closes_followup=self.closes_followup if met else None,
        )

    def content_hash(self) -> str:
        # What was found at the household; which follow-up it answers is an instruction, not content.
        content = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("client_id", "closes_followup")}
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def needed_counts(data: VisitInput, household: Household, previous: Visit | None = None) -> dict[str, int]:
    """The household's people, people aged 14+ and children 6-13 that the visit's figures need, where the list
    has fewer (`_fits` is the same question for a new visit, in SQL). A visit is the newer fact: it reports
    more activations than the list allows when the list is out of date, so the list is raised, never the
    visit refused."""
    level2 = household.people_level2 - (previous.level2_activated if previous else 0) + data.level2_activated
    children_level2 = household.children_level2 - (previous.level2_children if previous else 0) + data.level2_children
    eligible = max(household.eligible_people, level2)
    children = max(household.children, children_level2)
    people = max(household.people, eligible + children, data.vneid_installed, data.online_people)
    wanted = {"people": people, "eligible_people": eligible, "children": children}
    return {name: value for name, value in wanted.items() if value != getattr(household, name)}


def _fit(actor: User, data: VisitInput, household: Household, previous: Visit | None = None) -> None:
    if previous is not None and previous.flagged:
        return  # a flagged visit counts in nothing, so it asks nothing of the list
    needed = needed_counts(data, household, previous)
    if needed:
        households.raise_counts(actor, household, needed, reason="visit")

def _validate_input(data: VisitInput, now: datetime) -> None:
    """What needs no household: a time that can be, known services, counts no one visit reaches."""
    for name in COUNT_FIELDS:
        if not 0 <= getattr(data, name) <= MOST_PER_VISIT:
            raise VisitError(name, _l("Enter a number of people from 0 to %(n)s.", n=MOST_PER_VISIT))
    if data.visited_at > now + CLOCK_SKEW:
        raise VisitError("visited_at", _l("The visit time is in the future."))
    if data.visited_at < now - OLDEST_VISIT:
        raise VisitError("visited_at", _l("Visits older than 31 days cannot be logged."))
    if set(data.services) - set(ONLINE_SERVICES):
        raise VisitError("services", _l("Unknown online service."))
    if data.followup_needed:
        if not data.followup_reason:
            raise VisitError("followup_reason", _l("Say why a follow-up is needed."))
        if data.followup_due is None:
            raise VisitError("followup_due", _l("Choose the follow-up date."))
        if data.followup_due < data.visited_at.date():
            raise VisitError("followup_due", _l("The follow-up date is before the visit."))
    for name in ("note", "other_help", "followup_reason"):
        if looks_like_citizen_id(getattr(data, name)):
            raise VisitError(name, _l(
                "This looks like a citizen-ID (CCCD) number. Phủ Số never stores one: please remove it."))


def _team_of(actor: User) -> int:
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, what="log_visit")
    if actor.team_id is None:  # require_role refuses an account without its team; said again for the types
        raise RoleDenied("log_visit")
    return actor.team_id


def _helpers(actor: User, ids: tuple[int, ...]) -> list[User]:
    """Team-mates who took part; an id outside the team is "not found"."""
    return [get_in_scope(actor, User, i) for i in ids if i != actor.id]


def _by_client_id(actor: User, client_id: str) -> Visit | None:
    """The visit this client id names for the actor: one of its team's or its own (unique per volunteer)."""
    return exactly_once.stored_under(actor, Visit, Visit.volunteer_id, client_id)


def _replay(existing: Visit | None, data: VisitInput, actor: User) -> Visit:
    stored = exactly_once.replayed(existing, data.content_hash(), VisitConflict(
        "client_id", _l("This visit was already saved with different content.")))
    return get_in_scope(actor, Visit, stored.id)  # its own visit of a team it has left: "not found"


def _fits(actor: User) -> list:
    """A new visit's conditions on its household, as SQL: the actor may see it, no visit it knows has this
    client id, and the household's list holds the figures (`needed_counts` asks nothing more of it). The
    visit's values are parameters (`_fits_values`), so the statement is built once for every actor of the
    shape of `actor`. A visit that needs more goes the slow way: the list is raised, then this runs again."""
    level2 = bindparam("visit_level2", type_=Integer)
    children = bindparam("visit_children", type_=Integer)
    return [scope_clause(actor, Household),
            ~known_to(actor, Visit, Visit.volunteer_id).where(Visit.client_id == bindparam("visit_client_id")).exists(),
            Household.people >= bindparam("visit_most_people", type_=Integer),
            or_(level2 == 0, Household.people_level2 + level2 <= Household.eligible_people),
            or_(children == 0, Household.children_level2 + children <= Household.children)]


def _fits_values(actor: User, data: VisitInput) -> dict:
    return {**actor_parameters(actor), "visit_client_id": data.client_id, "visit_level2": data.level2_activated,
            "visit_children": data.level2_children, "visit_most_people": max(data.vneid_installed, data.online_people)}


@per_actor_shape
def _arrival(actor: User) -> rollups.ArrivalStatement:
    """The household's lock for a new visit with `_fits`, prepared once per shape of actor."""
    return rollups.arrival_statement(_fits(actor))


def _why_not(actor: User, data: VisitInput) -> tuple[Visit, bool] | None:
    """Why a new visit's household did not take it: a replay (the stored visit), or a refusal (raised).
    None: nothing stands in the way now (the household changed meanwhile, or its list was raised to fit)."""
    existing = _by_client_id(actor, data.client_id)
    if existing is not None:
        return _replay(existing, data, actor), False
    household = get_in_scope(actor, Household, data.household_id)
    if household.status == HouseholdStatus.MERGED:
        raise HouseholdMerged(_survivor(actor, household))
    if household.status != HouseholdStatus.ACTIVE:
        raise VisitError("household_id", _l("This household is no longer active."))
    _fit(actor, data, household)
    return None


# A try fails only when another visit to the household was stored meanwhile; each waits for that one.
ATTEMPTS = 10


@one_connection()
def record(actor: User, raw: VisitInput) -> tuple[Visit, bool]:
    """Store a visit once per client id. Returns (visit, created); a replay returns the stored visit.

    A handful of prepared statements (tests/test_write_path.py counts them): the household's lock, state and
    visits in one, the visit, each rollup's upsert, the audit row."""
    team_id = _team_of(actor)
    data = raw.normalised()
    now = utcnow()
    _validate_input(data, now)
    helpers = _helpers(actor, data.helper_ids)
    new = rollups.VisitRow(None, team_id, data.visited_at, data.outcome, data.level2_activated, data.level2_children,
                           data.online_people, ",".join(data.services), data.cashless_setup, data.followup_needed,
                           None)
    statement, fits = _arrival(actor), _fits_values(actor, data)
    for _attempt in range(ATTEMPTS):
        arrival = rollups.visit_arriving(statement, data.household_id, new, fits)
        if arrival is not None:
            break
        answer = _why_not(actor, data)
        if answer is not None:
            return answer
    else:
        raise VisitError("household_id", _l("This household is being changed by someone else: please send again."))
    row = {"client_id": data.client_id, "content_hash": data.content_hash(), "household_id": arrival.household_id,
           "ward_code": arrival.ward_code, "area_id": arrival.area_id, "team_id": team_id, "volunteer_id": actor.id,
           **_fields(data), "followup_closed_at": None, "flagged": False, "flag_reason": None, "flagged_by_id": None,
           "flagged_at": None, "created_at": now, "updated_at": now}
    visit_id = insert_row_ignoring(Visit, row, ("client_id", "volunteer_id"))
    if visit_id is None:
        # Another worker stored this client id since the household was read: answer as a replay.
        rollups.visit_withdrawn(arrival)
        return _replay(_by_client_id(actor, data.client_id), data, actor), False
    visit = loaded(Visit, {**row, "id": visit_id})  # as if read back, without a second statement
    with together():  # nothing below reads an answer: on PostgreSQL, one round trip
        if helpers:
            db.session.execute(insert(visit_helpers), [{"visit_id": visit.id, "user_id": u.id} for u in helpers])
        rollups.visit_recorded(arrival, visit, new)
        audit.record(actor, "visit.create", visit, outcome=str(visit.outcome))
    if data.closes_followup is not None:
        _close_answered(actor, data.closes_followup, visit)
    return visit, True


def _close_answered(actor: User, asking_id: int, answer: Visit) -> None:
    """The return visit to a household closes the follow-up it went back for, if it is still open; one of
    another household, or already closed, is left as it is (the visit itself is stored all the same)."""
    asking = db.session.scalar(scoped(actor, Visit).where(Visit.id == asking_id))
    if (asking is None or asking.household_id != answer.household_id or not asking.followup_needed
            or asking.followup_closed_at is not None or asking.visited_at > answer.visited_at):
        return
    before = rollups.visit_snapshot(asking)
    asking.followup_closed_at = utcnow()
    rollups.visit_changed(before, asking, asking.household)
    audit.record(actor, "followup.close", asking, by_visit=answer.id)





def _survivor(actor: User, household: Household) -> Household:
    """The household a merged one lives on in: a survivor may itself have been merged later."""
    while household.status == HouseholdStatus.MERGED and household.merged_into_id is not None:
        household = get_in_scope(actor, Household, household.merged_into_id)
    return household


def _fields(data: VisitInput) -> dict:
    return {
        "visited_at": data.visited_at, "outcome": data.outcome, "vneid_installed": data.vneid_installed,
        "level2_activated": data.level2_activated, "level2_children": data.level2_children,
        "online_people": data.online_people,
        "services": ",".join(data.services), "cashless_setup": data.cashless_setup, "other_help": data.other_help,
        "followup_needed": data.followup_needed, "followup_reason": data.followup_reason,
        "followup_due": data.followup_due, "note": data.note,
    }


def can_change(actor: User, visit: Visit, now: datetime | None = None) -> bool:
    """The volunteer who logged it, or the team's leader, within 24 hours of logging it."""
    now = now or utcnow()
    if now - visit.created_at > EDIT_WINDOW:
        return False
    return visit.volunteer_id == actor.id or (may(actor, Role.TEAM_LEADER) and visit.team_id == actor.team_id)


def update(actor: User, visit: Visit, raw: VisitInput) -> Visit:
    if not can_change(actor, visit):
        raise RoleDenied("visit.edit")
    data = raw.normalised()
    household = visit.household
    _validate_input(data, utcnow())
    _fit(actor, data, household, previous=visit)
    changed = sorted(k for k, v in _fields(data).items() if getattr(visit, k) != v)
    before = rollups.visit_snapshot(visit)
    for key, value in _fields(data).items():
        setattr(visit, key, value)
    visit.content_hash = VisitInput(**{**asdict(data), "client_id": visit.client_id}).content_hash()
    rollups.visit_changed(before, visit, household)
    audit.record(actor, "visit.update", visit, fields=changed)
    return visit


def delete(actor: User, visit: Visit) -> None:
    if not can_change(actor, visit):
        raise RoleDenied("visit.delete")
    household = visit.household
    audit.record(actor, "visit.delete", visit, household_id=household.id)
    before = rollups.visit_snapshot(visit)
    db.session.delete(visit)
    rollups.visit_changed(before, None, household)


def flag(actor: User, visit: Visit, reason: str) -> Visit:
    """A coordinator marks a visit as implausible: it leaves every figure until unflagged."""
    require_role(actor, Role.COORDINATOR, what="visit.flag")
    reason = clean(reason) or ""
    if not reason:
        raise VisitError("reason", _l("Say why this visit looks implausible."))
    if looks_like_citizen_id(reason):
        raise VisitError("reason", _l(
            "This looks like a citizen-ID (CCCD) number. Phủ Số never stores one: please remove it."))
    _set_flag(visit, flagged=True)
    visit.flag_reason, visit.flagged_by_id, visit.flagged_at = reason, actor.id, utcnow()
    audit.record(actor, "visit.flag", visit, reason_length=len(reason))
    return visit


def unflag(actor: User, visit: Visit) -> Visit:
    require_role(actor, Role.COORDINATOR, what="visit.unflag")
    _set_flag(visit, flagged=False)
    visit.flag_reason, visit.flagged_by_id, visit.flagged_at = None, None, None
    audit.record(actor, "visit.unflag", visit)
    return visit


def _set_flag(visit: Visit, flagged: bool) -> None:
    before = rollups.visit_snapshot(visit)
    visit.flagged = flagged
    rollups.visit_changed(before, visit, visit.household)


def close_followup(actor: User, visit: Visit) -> Visit:
    """The team marks a follow-up done: it leaves the open list and counts as closed from today."""
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, what="followup.close")
    if not visit.followup_needed or visit.followup_closed_at is not None:
        raise VisitError("followup", _l("This follow-up is already closed."))
    before = rollups.visit_snapshot(visit)
    visit.followup_closed_at = utcnow()
    rollups.visit_changed(before, visit, visit.household)
    audit.record(actor, "followup.close", visit)
    return visit


def reopen_followup(actor: User, visit: Visit) -> Visit:
    """Undo a follow-up closed by mistake: it is open again, as before."""
    require_role(actor, Role.VOLUNTEER, Role.TEAM_LEADER, what="followup.reopen")
    if not visit.followup_needed or visit.followup_closed_at is None:
        raise VisitError("followup", _l("This follow-up is still open."))
    before = rollups.visit_snapshot(visit)
    visit.followup_closed_at = None
    rollups.visit_changed(before, visit, visit.household)
    audit.record(actor, "followup.reopen", visit)
    return visit


@dataclass
class VisitFilter:
    area_id: int | None = None
    team_id: int | None = None
    volunteer_id: int | None = None
    outcome: str | None = None
    start: datetime | None = None  # naive UTC, inclusive
    end: datetime | None = None  # naive UTC, exclusive
    flagged: bool | None = None


def review_list(actor: User, wanted: VisitFilter, page: int, page_size: int) -> tuple[list[Visit], int]:
    """A coordinator's page of the ward's visits, newest first, and how many pages there are."""
    require_role(actor, Role.COORDINATOR, what="visit.review")
    stmt = scoped(actor, Visit)
    for column, value in ((Visit.area_id, wanted.area_id), (Visit.team_id, wanted.team_id),
                          (Visit.volunteer_id, wanted.volunteer_id), (Visit.outcome, wanted.outcome),
                          (Visit.flagged, wanted.flagged)):
        if value is not None:
            stmt = stmt.where(column == value)
    if wanted.start is not None:
        stmt = stmt.where(Visit.visited_at >= wanted.start)
    if wanted.end is not None:
        stmt = stmt.where(Visit.visited_at < wanted.end)
    stmt = stmt.options(selectinload(Visit.household), selectinload(Visit.team), selectinload(Visit.volunteer),
                        selectinload(Visit.flagged_by))
    pages = db.paginate(stmt.order_by(Visit.visited_at.desc(), Visit.id.desc()), page=page, per_page=page_size,
                        error_out=False)
    return pages.items, pages.pages
