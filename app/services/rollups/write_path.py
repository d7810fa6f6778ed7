"""A new visit's rollups in a fixed handful of statements.

`arrive()` is one UPDATE of the household: it locks the row (team-mates' visits to one household apply one
after the other), writes the state the visit gives (the rule of household_state.apply_visit, in SQL:
`verify` replays it in Python from the raw visits, so the check proves the two agree) and returns the
household with its unflagged visits so far. The caller inserts the visit; `recorded()` then writes what it
changes in every rollup, one upsert per table, computed in Python from those visits by the rules `verify`
uses (the household's state before and after, its household-days before and after).

A visit reporting more than the household's list holds does not meet the caller's conditions: the caller
raises the list first (services/visits.py), then runs this again. The raise is not written by this UPDATE
because the area counts, the campaign household-days and the audit need the counts before it, and SQLite's
RETURNING gives only the values after.

Every statement is built once and run with bound parameters: `ArrivalStatement` holds the UPDATE for its
caller's conditions, per database and kind of visit; the upserts are upsert.py's. They run on the session's
connection, as Core: an ORM-enabled UPDATE would be copied (and its cache key computed again) on every run.
"""

import functools
import json
from collections import namedtuple
from dataclasses import dataclass, replace
from datetime import datetime
from types import SimpleNamespace
from typing import cast

from sqlalchemy import DateTime, Integer, Table, Update, bindparam, case, func, literal_column, or_, select, update
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models import Household, HouseholdStatus, Outcome, Visit
from app.services.prepared import Prepared
from app.services.rollups import areas, daily, household_days, ward_days
from app.services.rollups.household_state import HouseholdState, apply_visit

# What the rules read of a visit, in the order the household's visits come back as JSON.
VisitRow = namedtuple("VisitRow", "id team_id visited_at outcome level2_activated level2_children online_people "
                                  "services cashless_setup followup_needed followup_closed_at")
_STATE = ("people_level2", "children_level2", "people_online", "cashless", "reached_at", "last_visit_at")


@dataclass
class Arrival:
    """A household locked for a new visit, as it was before the visit."""
    household_id: int
    ward_code: int
    area_id: int
    people: int
    eligible_people: int
    children: int
    visits: list[VisitRow]  # unflagged, in time order
    before: HouseholdState


# The parameters of the household's UPDATE (and of its caller's conditions) are named unlike any household
# column: SQLAlchemy writes a parameter named like a column into that column.
HOUSEHOLD = bindparam("household", type_=Integer)
VISIT_AT = bindparam("visit_at", type_=DateTime)
VISIT_LEVEL2 = bindparam("visit_level2", type_=Integer)
VISIT_CHILDREN = bindparam("visit_children", type_=Integer)
VISIT_ONLINE = bindparam("visit_online", type_=Integer)


def _visits_json(dialect: str):
    visit = Visit.__table__
    columns = [getattr(visit.c, name) for name in VisitRow._fields]
    if dialect == "postgresql":
        rows = func.json_agg(func.json_build_array(*columns))
    else:
        rows = func.json_group_array(func.json_array(*columns))
    # By value, not correlated: SQLite writes RETURNING's columns unqualified, so `id` would be the visit's.
    return select(rows).where(visit.c.household_id == HOUSEHOLD, visit.c.flagged.is_(False)).scalar_subquery()


def _unchanged_since_snapshot(dialect: str) -> list:
    """PostgreSQL: a statement that waited for another transaction's lock on the household updates the row
    version that transaction left, but reads the visits as they were before it: the row must be the version
    this statement's snapshot sees, else nothing is written and the caller tries again. (SQLite runs one
    writer at a time: nothing changes while a statement runs.)"""
    if dialect != "postgresql":
        return []
    seen = Household.__table__.alias("seen")
    return [literal_column("household.xmin::text") == select(literal_column("seen.xmin::text")).select_from(seen)
            .where(seen.c.id == HOUSEHOLD).scalar_subquery()]


def _least(a, b):
    return case((a < b, a), else_=b)


def _when(value):
    return None if value is None else datetime.fromisoformat(value)


def _visit_row(values) -> VisitRow:
    (ident, team_id, visited_at, outcome, level2, children, online, services, cashless, followup, closed) = values
    return VisitRow(ident, team_id, _when(visited_at), outcome, level2, children, online, services, bool(cashless),
                    bool(followup), _when(closed))


def _apply(state: HouseholdState, visit: VisitRow) -> None:
    apply_visit(state, visited_at=visit.visited_at, met=visit.outcome == Outcome.MET,
                level2_activated=visit.level2_activated, level2_children=visit.level2_children,
                online_people=visit.online_people,
                cashless_setup=visit.cashless_setup)


def _applied(state: HouseholdState, visit: VisitRow) -> HouseholdState:
    """The state after `visit`; `state` stays as it was."""
    state = replace(state)
    _apply(state, visit)
    return state


def _arrival_update(dialect: str, *, met: bool, cashless: bool, where: tuple) -> Update:
    """The household's UPDATE for one kind of new visit: the state it gives (met, and with a cashless setup),
    the conditions `where`, and RETURNING what the rollups need."""
    household = cast(Table, Household.__table__)
    values: dict[str, object] = {
        "last_visit_at": case((or_(household.c.last_visit_at.is_(None), household.c.last_visit_at < VISIT_AT),
                               VISIT_AT), else_=household.c.last_visit_at)}
    if met:
        values["reached_at"] = case((or_(household.c.reached_at.is_(None), household.c.reached_at > VISIT_AT),
                                     VISIT_AT), else_=household.c.reached_at)
        values["people_level2"] = _least(household.c.people_level2 + VISIT_LEVEL2, household.c.eligible_people)
        values["children_level2"] = _least(household.c.children_level2 + VISIT_CHILDREN, household.c.children)
        values["people_online"] = _least(household.c.people_online + VISIT_ONLINE, household.c.people)
        if cashless:
            values["cashless"] = True
    return (update(household)
            .where(household.c.id == HOUSEHOLD, household.c.status == HouseholdStatus.ACTIVE,
                   *_unchanged_since_snapshot(dialect), *where)
            .values(values)
            .returning(household.c.ward_code, household.c.area_id, household.c.people, household.c.eligible_people,
                       household.c.children, _visits_json(dialect)))


class ArrivalStatement:
    """`arrive()`'s statement for one set of conditions on the household (`where`: SQL whose parameters the
    caller fills, built once), prepared on first use for each kind of visit (and each database)."""

    def __init__(self, where):
        where = tuple(where)
        self._prepared = {(met, cashless): Prepared(functools.partial(_arrival_update, met=met, cashless=cashless,
                                                                      where=where))
                          for met, cashless in ((False, False), (True, False), (True, True))}

    def for_visit(self, new: VisitRow) -> Prepared:
        met = new.outcome == Outcome.MET
        return self._prepared[(met, met and bool(new.cashless_setup))]


def arrive(statement: ArrivalStatement, household_id: int, new: VisitRow, parameters: dict) -> Arrival | None:
    """Lock the household, write the state `new` gives it and read what the rollups need, in one statement.
    None when no active household with this id meets every condition of `statement` (nothing was written);
    `parameters` fill the conditions' own."""
    row = statement.for_visit(new).first({
        **parameters, "household": household_id, "visit_at": new.visited_at, "visit_level2": new.level2_activated,
        "visit_children": new.level2_children, "visit_online": new.online_people})
    if row is None:
        return None
    # A Household already loaded in this session no longer holds the stored state.
    loaded = db.session.identity_map.get(identity_key(Household, household_id))
    if loaded is not None:
        db.session.expire(loaded)
    ward_code, area_id, people, eligible, children, rows = row
    visits = sorted((_visit_row(v) for v in (json.loads(rows) if isinstance(rows, str) else rows or [])),
                    key=lambda v: (v.visited_at, v.id))
    before = HouseholdState(people=people, eligible_people=eligible, children=children)
    for visit in visits:
        _apply(before, visit)
    return Arrival(household_id, ward_code, area_id, people, eligible, children, visits, before)


def _area_part(arrival: Arrival, state: HouseholdState):
    """What the household adds to its area's counts in `state` (it is active: `arrive()` checked)."""
    return areas.contribution(SimpleNamespace(**{**vars(state), "status": HouseholdStatus.ACTIVE,
                                                 "ward_code": arrival.ward_code, "area_id": arrival.area_id}))


def recorded(arrival: Arrival, visit: Visit, new: VisitRow) -> None:
    """The visit `new` (stored as `visit`) of a household `arrive()` locked: every rollup moves by it."""
    new = new._replace(id=visit.id)
    ward_day = ward_days.Deltas()  # the visit's counters and the household's days: one upsert
    daily.apply_change(None, daily.contribution(visit), ward_day)
    areas.apply_change(_area_part(arrival, arrival.before), _area_part(arrival, _applied(arrival.before, new)), ward_day)
    ward_day.write()
    days = household_days._household_days
    household_days.apply_units_change(
        arrival.household_id, arrival.ward_code, arrival.area_id,
        days(arrival.household_id, arrival.people, arrival.eligible_people, arrival.visits),
        days(arrival.household_id, arrival.people, arrival.eligible_people,
             sorted([*arrival.visits, new], key=lambda v: (v.visited_at, v.id))))


def withdrawn(arrival: Arrival) -> None:
    """The visit was not stored after all (its client id was taken meanwhile): the household's state goes back."""
    db.session.execute(update(Household).where(Household.id == arrival.household_id)
                       .values({f: getattr(arrival.before, f) for f in _STATE}))
