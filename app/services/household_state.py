"""How a visit changes a household's current state. One rule, used by live visits and generators."""

from dataclasses import dataclass
from datetime import datetime


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
