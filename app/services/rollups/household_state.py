"""How a visit changes a household's current state. One rule, used by live visits and generators.

`store()` is the one writer of that state; the household's area counts and days (areas.py) move with it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Household, Outcome, Visit
from app.services.rollups import areas
from app.services.rollups.common import BATCH, Difference
from app.services.rollups.ward_days import Deltas


@dataclass
class HouseholdState:
    people: int
    eligible_people: int
    children: int = 0
    people_level2: int = 0
    children_level2: int = 0
    people_online: int = 0
    cashless: bool = False
    reached_at: datetime | None = None
    last_visit_at: datetime | None = None


def apply_visit(state: HouseholdState, *, visited_at: datetime, met: bool, level2_activated: int,
                level2_children: int, online_people: int, cashless_setup: bool) -> None:
    """Level-2 activations (of people aged 14+, of children 6-13) and online tutoring add up, capped by the
    people who can have them. A visit that reports more than its household's list allows raised the list
    when it was stored (services/visits.py), so the caps only bite on a replay after a visit is unflagged."""
    if state.last_visit_at is None or visited_at > state.last_visit_at:
        state.last_visit_at = visited_at
    if not met:
        return
    if state.reached_at is None or visited_at < state.reached_at:
        state.reached_at = visited_at
    state.people_level2 = min(state.eligible_people, state.people_level2 + level2_activated)
    state.children_level2 = min(state.children, state.children_level2 + level2_children)
    state.people_online = min(state.people, state.people_online + online_people)
    state.cashless = state.cashless or cashless_setup


def replayed_states(first_id: int, last_id: int) -> dict[int, HouseholdState]:
    """The state that their unflagged visits give the households with ids in [first_id, last_id]."""
    households = db.session.execute(
        select(Household.id, Household.people, Household.eligible_people, Household.children)
        .where(Household.id.between(first_id, last_id))
    )
    states = {hid: HouseholdState(people=people, eligible_people=eligible, children=children)
              for hid, people, eligible, children in households}
    visits = db.session.execute(
        select(Visit.household_id, Visit.visited_at, Visit.outcome, Visit.level2_activated, Visit.level2_children,
               Visit.online_people, Visit.cashless_setup)
        .where(Visit.household_id.between(first_id, last_id), Visit.flagged.is_(False))
        .order_by(Visit.household_id, Visit.visited_at, Visit.id)
    )
    for household_id, visited_at, outcome, level2, children, online, cashless in visits:
        apply_visit(states[household_id], visited_at=visited_at, met=outcome == Outcome.MET,
                    level2_activated=level2, level2_children=children, online_people=online, cashless_setup=cashless)
    return states


def state_of(household: Household) -> HouseholdState:
    return HouseholdState(
        people=household.people, eligible_people=household.eligible_people, children=household.children,
        people_level2=household.people_level2, children_level2=household.children_level2,
        people_online=household.people_online, cashless=household.cashless, reached_at=household.reached_at,
        last_visit_at=household.last_visit_at,
    )


def store(household: Household, state: HouseholdState, ward_days: Deltas) -> None:
    """The one writer of a household's state from visits; its area's counts move with it (its days go to
    `ward_days`, which the caller writes)."""
    before = areas.contribution(household)
    household.people_level2 = state.people_level2
    household.children_level2 = state.children_level2
    household.people_online = state.people_online
    household.cashless = state.cashless
    household.reached_at = state.reached_at
    household.last_visit_at = state.last_visit_at
    areas.apply_change(before, areas.contribution(household), ward_days)


def replay(household: Household, ward_days: Deltas) -> None:
    """Rebuild a household's state from its unflagged visits (after an edit, a delete, a flag or a merge)."""
    db.session.flush()
    store(household, replayed_states(household.id, household.id)[household.id], ward_days)


_STATE_FIELDS = ("people_level2", "children_level2", "people_online", "cashless", "reached_at", "last_visit_at")


def differences(repair: bool) -> list[Difference]:
    """Every stored state value that differs from what the raw visits give; `repair` writes the right one."""
    found = []
    last = db.session.scalar(select(func.max(Household.id))) or 0
    for first_id in range(1, last + 1, BATCH):
        last_id = first_id + BATCH - 1
        states = replayed_states(first_id, last_id)
        stored = db.session.execute(
            select(Household.id, *(getattr(Household, f) for f in _STATE_FIELDS)).where(Household.id.between(first_id, last_id))
        )
        for household_id, *have in stored:
            want = [getattr(states[household_id], f) for f in _STATE_FIELDS]
            changed = [(f, h, w) for f, h, w in zip(_STATE_FIELDS, have, want, strict=True) if h != w]
            found += [Difference("household", str(household_id), f, h, w) for f, h, w in changed]
            if repair and changed:
                db.session.execute(update(Household).where(Household.id == household_id)
                                   .values({f: w for f, _h, w in changed}))
    return found
