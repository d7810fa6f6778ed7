"""How a visit changes a household's current state. One rule, used by live visits and generators."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Household, Outcome, Visit


@dataclass
class HouseholdState:
    people: int
    eligible_people: int
    people_level2: int = 0
    people_online: int = 0
    cashless: bool = False
    reached_at: datetime | None = None
    last_visit_at: datetime | None = None


def apply_visit(state: HouseholdState, *, visited_at: datetime, met: bool, level2_activated: int,
                online_people: int, cashless_setup: bool) -> None:
    """Level-2 activations and online tutoring add up, capped by the people who can have them."""
    if state.last_visit_at is None or visited_at > state.last_visit_at:
        state.last_visit_at = visited_at
    if not met:
        return
    if state.reached_at is None or visited_at < state.reached_at:
        state.reached_at = visited_at
    state.people_level2 = min(state.eligible_people, state.people_level2 + level2_activated)
    state.people_online = min(state.people, state.people_online + online_people)
    state.cashless = state.cashless or cashless_setup


def replayed_states(first_id: int, last_id: int) -> dict[int, HouseholdState]:
    """The state that their unflagged visits give the households with ids in [first_id, last_id]."""
    households = db.session.execute(
        select(Household.id, Household.people, Household.eligible_people).where(Household.id.between(first_id, last_id))
    )
    states = {hid: HouseholdState(people=people, eligible_people=eligible) for hid, people, eligible in households}
    visits = db.session.execute(
        select(Visit.household_id, Visit.visited_at, Visit.outcome, Visit.level2_activated, Visit.online_people,
               Visit.cashless_setup)
        .where(Visit.household_id.between(first_id, last_id), Visit.flagged.is_(False))
        .order_by(Visit.household_id, Visit.visited_at, Visit.id)
    )
    for household_id, visited_at, outcome, level2, online, cashless in visits:
        apply_visit(states[household_id], visited_at=visited_at, met=outcome == Outcome.MET,
                    level2_activated=level2, online_people=online, cashless_setup=cashless)
    return states
