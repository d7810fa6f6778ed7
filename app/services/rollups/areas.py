"""Household figures per area, kept in the same transaction as every change to a household.

An active household adds to its area's row of `area_count` (households, reached, people aged 14+ and those
with level 2, households and people tutored online, children 6-13 and those with level 2, households with
cashless payment), and to its ward's days (ward_days.py) on the Vietnamese day it
was first reached and the day it was last visited. Whoever changes a household's status, area, people or
state hands its contribution before and after the change to `apply_change()`, which upserts the
difference and adds the days' to the caller's ward-days; a household that is not active contributes
nothing. `differences()` compares area_count with a set-based recompute from the household rows and
`rebuild()` rewrites it the same way; `ward_day_select()` is the days' recompute.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, func, insert, literal, select, union_all

from app.clock import local_today
from app.extensions import db
from app.models import AREA_COUNT_COLUMNS, AreaCount, Household, HouseholdStatus
from app.services.reports.figures import local_day_sql
from app.services.upsert import upsert_add_rows

if TYPE_CHECKING:
    from app.services.rollups.ward_days import Deltas


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
        "children": household.children or 0,
        "children_level2": household.children_level2 or 0,
        "people_online": household.people_online or 0,
        "cashless_households": int(bool(household.cashless)),
    }
    return Contribution(
        household.ward_code, household.area_id, tuple(values.items()),
        local_today(household.reached_at) if household.reached_at else None,
        local_today(household.last_visit_at) if household.last_visit_at else None,
    )


def apply_change(before: Contribution | None, after: Contribution | None, ward_days: "Deltas") -> None:
    """Upsert the difference between a household's old and new contribution (None: absent or not active);
    its days go to `ward_days`, which the caller writes."""
    apply_changes([(before, after)], ward_days)


def apply_changes(changes: Iterable[tuple[Contribution | None, Contribution | None]], ward_days: "Deltas") -> None:
    """The same for many households at once (an import): one upsert statement."""
    areas: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for before, after in changes:
        for part, sign in ((before, -1), (after, 1)):
            if part is None:
                continue
            areas[(part.area_id, part.ward_code)].update({c: sign * v for c, v in part.values})
            if part.reached_day:
                ward_days.add(part.ward_code, part.reached_day, {"first_reached": 1}, sign)
            if part.last_visit_day:
                ward_days.add(part.ward_code, part.last_visit_day, {"last_visited": 1}, sign)
    upsert_add_rows(AreaCount, ("area_id",), AREA_COUNT_COLUMNS, [
        {"area_id": area_id, "ward_code": ward_code, **{c: delta[c] for c in AREA_COUNT_COLUMNS}}
        for (area_id, ward_code), delta in areas.items() if any(delta.values())])


# The recompute: the same rule as contribution(), in SQL over every household at once.

def _area_select():
    active = Household.status == HouseholdStatus.ACTIVE
    return (
        select(Household.area_id, Household.ward_code, func.count(), func.count(Household.reached_at),
               func.sum(Household.eligible_people), func.sum(Household.people_level2),
               func.count(case((Household.people_online > 0, 1))), func.sum(Household.children),
               func.sum(Household.children_level2), func.sum(Household.people_online),
               func.count(case((Household.cashless.is_(True), 1))))
        .where(active)
        .group_by(Household.area_id, Household.ward_code)
    )


def ward_day_select():
    """Active households per ward and Vietnamese day: first reached that day, last visited that day."""
    active = Household.status == HouseholdStatus.ACTIVE
    reached = select(Household.ward_code, local_day_sql(Household.reached_at).label("day"),
                     literal(1).label("first_reached"), literal(0).label("last_visited")
                     ).where(active, Household.reached_at.is_not(None))
    visited = select(Household.ward_code, local_day_sql(Household.last_visit_at), literal(0), literal(1)
                     ).where(active, Household.last_visit_at.is_not(None))
    both = union_all(reached, visited).subquery()
    return (
        select(both.c.ward_code, both.c.day, func.sum(both.c.first_reached).label("first_reached"),
               func.sum(both.c.last_visited).label("last_visited"))
        .group_by(both.c.ward_code, both.c.day)
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
    """(table, key, column, stored, expected) for every count of area_count that disagrees with the households."""
    expected = _nonzero(db.session.execute(_area_select()), 2)
    stored = _nonzero(db.session.execute(select(AreaCount.area_id, AreaCount.ward_code,
                                                *(getattr(AreaCount, c) for c in AREA_COUNT_COLUMNS))), 2)
    zeros = (0,) * len(AREA_COUNT_COLUMNS)
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, zeros), stored.get(key, zeros)
        label = "/".join(str(k) for k in key)
        yield from (("area_count", label, n, h, w)
                    for n, h, w in zip(AREA_COUNT_COLUMNS, have, want, strict=True) if h != w)


def rebuild() -> None:
    """Rewrite area_count from the household rows, with one set-based statement."""
    db.session.execute(delete(AreaCount))
    db.session.execute(insert(AreaCount).from_select(["area_id", "ward_code", *AREA_COUNT_COLUMNS], _area_select()))
