"""Everything derived from visits and households, kept in the transaction that changes them.

One door: a writer of visits (services/visits.py) or households (services/lists) takes a snapshot of what
it is about to change and hands it, with the changed row, to `visit_changed()` / `household_changed()`
(a new visit: `visit_arriving()`, then `visit_recorded()`, write_path.py). Behind the door each rollup
moves by the difference of contributions: the household's state (household_state.py, one rule), the daily
counts (daily.py), the per-area household counts (areas.py), the ward-days both add to (ward_days.py,
written once per change) and the campaign household-days with their team-day sums (household_days.py).
`verify()` recomputes all of them from the raw rows and lists what differs; `rebuild()` puts them right.
Callers never reach inside.
"""

from app.extensions import db
from app.services.rollups import areas, daily, household_days, household_state, ward_days, write_path
from app.services.rollups.common import Difference
from app.services.rollups.household_state import HouseholdState, apply_visit
from app.services.rollups.write_path import Arrival, ArrivalStatement, VisitRow

__all__ = [
    "Arrival", "ArrivalStatement", "Difference", "HouseholdState", "VisitRow", "apply_visit", "arrival_statement",
    "household_changed", "household_snapshot", "households_added", "rebuild", "rebuild_counts", "verify",
    "visit_arriving", "visit_changed", "visit_recorded", "visit_snapshot", "visit_withdrawn",
]


def household_snapshot(household):
    """What the household adds to its area's counts now: hand it to `household_changed()` after the change."""
    return areas.contribution(household)


def household_changed(before, household, *, visits_changed: bool = False) -> None:
    """A household was added (`before` None), edited, merged or erased. Its area counts move by the
    difference; an edit can change what its household-days count (people) and where they sit (area);
    `visits_changed`: visits moved to or from it (a merge), so its state is replayed from them."""
    days = ward_days.Deltas()
    areas.apply_change(before, areas.contribution(household), days)
    if visits_changed:
        household_state.replay(household, days)
    days.write()
    if before is not None:
        db.session.flush()
        household_days.refresh_household(household)


def households_added(households) -> None:
    """Many new households at once (an import): one upsert of the areas (and of the days, none for new ones)."""
    days = ward_days.Deltas()
    areas.apply_changes(((None, areas.contribution(h)) for h in households), days)
    days.write()


def visit_snapshot(visit):
    """What the visit adds to the daily counts now: hand it to `visit_changed()` after the change."""
    return daily.contribution(visit)


def arrival_statement(where) -> ArrivalStatement:
    """Step one's statement for these conditions on the household (SQL with bound parameters), prepared once."""
    return ArrivalStatement(where)


def visit_arriving(statement: ArrivalStatement, household_id: int, new: VisitRow, parameters: dict) -> Arrival | None:
    """Step one of a new visit: lock its household (if it is active and meets the statement's conditions,
    whose parameters `parameters` fill), write the state the visit gives it, and read what the rollups need.
    None: nothing was written."""
    return write_path.arrive(statement, household_id, new, parameters)


def visit_recorded(arrival: Arrival, visit, new: VisitRow) -> None:
    """Step two, once the visit is inserted: every other rollup moves by it."""
    write_path.recorded(arrival, visit, new)


def visit_withdrawn(arrival: Arrival) -> None:
    """Instead of step two when the visit was not inserted: the household's state goes back."""
    write_path.withdrawn(arrival)


def visit_changed(before, visit, household) -> None:
    """A visit was edited, flagged, unflagged, had its follow-up closed, or was deleted (`visit` None)."""
    days = ward_days.Deltas()
    daily.apply_change(before, daily.contribution(visit) if visit is not None else None, days)
    household_state.replay(household, days)
    days.write()
    household_days.refresh_household(household)


def verify() -> list[Difference]:
    """Every difference between the counters, household state or campaign household-days and what the raw
    visits say, and between the per-area household counts and the household rows."""
    return (daily.differences() + household_state.differences(repair=False) + household_days.unit_differences()
            + [Difference(*d) for d in areas.differences()] + ward_days.differences())


def rebuild_counts(campaign_units: bool = True) -> None:
    """Rewrite every count from the raw visits and the households' stored state, set-based. Without
    `campaign_units` the campaign household-days (worked out household by household in Python) are left for
    `flask rollup rebuild`: a province-size benchmark of the boards, which never read them, need not wait."""
    if campaign_units:
        household_days.rebuild_units()
    daily.rebuild()
    areas.rebuild()
    ward_days.rebuild()


def rebuild() -> list[Difference]:
    """Rewrite the counters, repair household state, then rewrite the per-area counts from it.
    Returns the household state values that were repaired."""
    household_days.rebuild_units()
    daily.rebuild()
    repaired = household_state.differences(repair=True)
    areas.rebuild()
    ward_days.rebuild()
    return repaired
