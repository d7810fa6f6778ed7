"""Household figures per area, kept in the same transaction as every change to a household.

An active household adds to its area's row of `area_count` (households, reached, people aged 14+, people
with level 2, households tutored online) and to `area_day_count` on the Vietnamese day it was first
reached and the day it was last visited. Whoever changes a household's status, area, people or state hands
its contribution before and after the change to `apply_change()`, which upserts the difference; a household
that is not active contributes nothing. `differences()` compares both tables with a set-based recompute
from the household rows and `rebuild()` rewrites them the same way.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, delete, func, insert, literal, select, union_all

from app.clock import local_today
from app.extensions import db
from app.models import AREA_COUNT_COLUMNS, AREA_DAY_COLUMNS, AreaCount, AreaDayCount, Household, HouseholdStatus
from app.services.reports.figures import local_day_sql
from app.services.upsert import upsert_add_rows


@dataclass(frozen=True)
class Contribution:
    ward_code: int
    area_id: int
    values: tuple[tuple[str, int], ...]  # AREA_COUNT_COLUMNS
    reached_day: date | None
    last_visit_day: date | None


def contribution(household) -> Contribution | None:
    """What one household adds to its area's counts; nothing unless active. A household not yet
    flushed (an import row) has no state, hence the `or 0`."""
    if household.status != HouseholdStatus.ACTIVE:
        return None
    values = {
        "households": 1,
        "reached": int(household.reached_at is not None),
        "eligible_people": household.eligible_people,
        "people_level2": household.people_level2 or 0,
        "online_households": int(bool(household.people_online)),
    }
    return Contribution(
        household.ward_code, household.area_id, tuple(values.items()),
        local_today(household.reached_at) if household.reached_at else None,
        local_today(household.last_visit_at) if household.last_visit_at else None,
    )


def apply_change(before: Contribution | None, after: Contribution | None) -> None:
    """Upsert the difference between a household's old and new contribution (None: absent or not active)."""
    apply_changes([(before, after)])


def apply_changes(changes: Iterable[tuple[Contribution | None, Contribution | None]]) -> None:
    """The same for many households at once (an import): one upsert statement per table."""
    areas: dict[tuple[int, int], Counter] = defaultdict(Counter)
    days: dict[tuple[int, date, int], Counter] = defaultdict(Counter)
    for before, after in changes:
        for part, sign in ((before, -1), (after, 1)):
            if part is None:
                continue
            areas[(part.area_id, part.ward_code)].update({c: sign * v for c, v in part.values})
            if part.reached_day:
                days[(part.ward_code, part.reached_day, part.area_id)]["first_reached"] += sign
            if part.last_visit_day:
                days[(part.ward_code, part.last_visit_day, part.area_id)]["last_visited"] += sign
    upsert_add_rows(AreaCount, ("area_id",), AREA_COUNT_COLUMNS, [
        {"area_id": area_id, "ward_code": ward_code, **{c: delta[c] for c in AREA_COUNT_COLUMNS}}
        for (area_id, ward_code), delta in areas.items() if any(delta.values())])
    upsert_add_rows(AreaDayCount, ("ward_code", "day", "area_id"), AREA_DAY_COLUMNS, [
        {"ward_code": ward_code, "day": day, "area_id": area_id, **{c: delta[c] for c in AREA_DAY_COLUMNS}}
        for (ward_code, day, area_id), delta in days.items() if any(delta.values())])


# The recompute: the same rule as contribution(), in SQL over every household at once.

def _area_select():
    active = Household.status == HouseholdStatus.ACTIVE
    return (
        select(Household.area_id, Household.ward_code, func.count(), func.count(Household.reached_at),
               func.sum(Household.eligible_people), func.sum(Household.people_level2),
               func.count(case((Household.people_online > 0, 1))))
        .where(active)
        .group_by(Household.area_id, Household.ward_code)
    )


def _day_select():
    active = Household.status == HouseholdStatus.ACTIVE
    reached = select(Household.ward_code, local_day_sql(Household.reached_at).label("day"), Household.area_id,
                     literal(1).label("first_reached"), literal(0).label("last_visited")
                     ).where(active, Household.reached_at.is_not(None))
    visited = select(Household.ward_code, local_day_sql(Household.last_visit_at), Household.area_id,
                     literal(0), literal(1)).where(active, Household.last_visit_at.is_not(None))
    both = union_all(reached, visited).subquery()
    return (
        select(both.c.ward_code, both.c.day, both.c.area_id, func.sum(both.c.first_reached),
               func.sum(both.c.last_visited))
        .group_by(both.c.ward_code, both.c.day, both.c.area_id)
    )


def _nonzero(rows, key_length: int) -> dict[tuple, tuple[int, ...]]:
    """Rows keyed by their first columns; a row brought back to zero is as good as none."""
    found = {}
    for row in rows:
        key, values = tuple(row[:key_length]), tuple(int(v or 0) for v in row[key_length:])
        if any(values):
            found[key] = values
    return found


def differences():
    """(table, key, column, stored, expected) for every count that disagrees with the household rows."""
    checks = (
        ("area_count", _area_select(), select(AreaCount.area_id, AreaCount.ward_code,
                                               *(getattr(AreaCount, c) for c in AREA_COUNT_COLUMNS)),
         2, AREA_COUNT_COLUMNS),
        ("area_day_count", _day_select(), select(AreaDayCount.ward_code, AreaDayCount.day, AreaDayCount.area_id,
                                                 *(getattr(AreaDayCount, c) for c in AREA_DAY_COLUMNS)),
         3, AREA_DAY_COLUMNS),
    )
    for table, expected_stmt, stored_stmt, key_length, names in checks:
        expected = _nonzero(db.session.execute(expected_stmt), key_length)
        stored = _nonzero(db.session.execute(stored_stmt), key_length)
        zeros = (0,) * len(names)
        for key in sorted(expected.keys() | stored.keys()):
            want, have = expected.get(key, zeros), stored.get(key, zeros)
            label = "/".join(str(k) for k in key)
            yield from ((table, label, n, h, w) for n, h, w in zip(names, have, want, strict=True) if h != w)


def rebuild() -> None:
    """Rewrite both tables from the household rows, with two set-based statements."""
    db.session.execute(delete(AreaCount))
    db.session.execute(delete(AreaDayCount))
    db.session.execute(insert(AreaCount).from_select(["area_id", "ward_code", *AREA_COUNT_COLUMNS], _area_select()))
    db.session.execute(insert(AreaDayCount).from_select(["ward_code", "day", "area_id", *AREA_DAY_COLUMNS],
                                                        _day_select()))
