"""Per ward and Vietnamese day (`ward_day_count`): what daily.py counts of the visits, without the area, team
and member, and what areas.py counts of the households' days (first reached, last visited), without the area.

Nothing writes here on its own: daily.py and areas.py add their differences to the `Deltas` their caller
hands them, and the caller writes it with one upsert (`Deltas.write()`), so a new visit moves this table
with one statement for both. `differences()` recomputes it from the raw visits and the household rows
in one grouped query each; `rebuild()` rewrites it the same way.
"""

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import delete, func, insert, literal, select, union_all

from app.extensions import db
from app.models import COUNTER_COLUMNS, HOUSEHOLD_DAY_COLUMNS, WARD_DAY_COLUMNS, WardDayCount
from app.services.rollups import areas, daily
from app.services.rollups.common import Difference
from app.services.upsert import upsert_add_rows

Key = tuple[int, date]  # (ward_code, day)


class Deltas:
    """What one change adds to the ward-days it touches; written with one statement by `write()`."""

    def __init__(self) -> None:
        self.rows: dict[Key, Counter] = defaultdict(Counter)

    def add(self, ward_code: int, day: date, values: dict[str, int], sign: int = 1) -> None:
        self.rows[(ward_code, day)].update({column: sign * value for column, value in values.items()})

    def write(self) -> None:
        upsert_add_rows(WardDayCount, ("ward_code", "day"), WARD_DAY_COLUMNS, [
            {"ward_code": ward_code, "day": day, **{c: delta[c] for c in WARD_DAY_COLUMNS}}
            for (ward_code, day), delta in self.rows.items() if any(delta.values())])
        self.rows.clear()


def _expected_select():
    """Every ward-day recomputed from the raw visits (daily.py's rule) and the household rows (areas.py's)."""
    visits = daily.counter_select(by_member=False).subquery()
    households = areas.ward_day_select().subquery()
    both = union_all(
        select(visits.c.ward_code, visits.c.day, *(visits.c[c] for c in COUNTER_COLUMNS),
               *(literal(0).label(c) for c in HOUSEHOLD_DAY_COLUMNS)),
        select(households.c.ward_code, households.c.day, *([literal(0)] * len(COUNTER_COLUMNS)),
               *(households.c[c] for c in HOUSEHOLD_DAY_COLUMNS)),
    ).subquery()
    return (select(both.c.ward_code, both.c.day, *(func.sum(both.c[c]) for c in WARD_DAY_COLUMNS))
            .group_by(both.c.ward_code, both.c.day))


def _nonzero(rows) -> dict[Key, tuple[int, ...]]:
    """Rows by (ward, day); a row brought back to zero is as good as none."""
    found = {}
    for ward_code, day, *values in rows:
        counts = tuple(int(v or 0) for v in values)
        if any(counts):
            found[(ward_code, day)] = counts
    return found


def differences() -> list[Difference]:
    expected = _nonzero(db.session.execute(_expected_select()))
    stored = _nonzero(db.session.execute(select(WardDayCount.ward_code, WardDayCount.day,
                                                *(getattr(WardDayCount, c) for c in WARD_DAY_COLUMNS))))
    zeros = (0,) * len(WARD_DAY_COLUMNS)
    found = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, zeros), stored.get(key, zeros)
        label = "/".join(str(k) for k in key)
        found += [Difference("ward_day_count", label, c, h, w)
                  for c, h, w in zip(WARD_DAY_COLUMNS, have, want, strict=True) if h != w]
    return found


def rebuild() -> None:
    """Rewrite every ward-day from the raw visits and the household rows, in two set-based statements."""
    db.session.execute(delete(WardDayCount))
    db.session.execute(insert(WardDayCount).from_select(["ward_code", "day", *WARD_DAY_COLUMNS], _expected_select()))
