"""Daily counters (`daily_count`) that always agree with the raw visits.

A visit's contribution before and after a change goes to `apply_change()`, which upserts the difference in
the same transaction and adds it, without the area, team and member, to the caller's ward-days
(ward_days.py). A flagged visit contributes nothing. `differences()` recomputes the counters in one
grouped query (the same rule in SQL, so the check also proves the two agree); `rebuild()` rewrites them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, case, delete, func, insert, select

from app.clock import local_today
from app.extensions import db
from app.models import COUNTER_COLUMNS, DailyCount, Outcome, Visit
from app.services.reports.figures import local_day_sql
from app.services.rollups.common import BATCH, Difference
from app.services.upsert import upsert_add_rows

if TYPE_CHECKING:
    from app.services.rollups.ward_days import Deltas

# (ward_code, day, area_id, team_id, member_id): the primary key of daily_count.
Key = tuple[int, date, int, int, int]
KEY_COLUMNS = ("ward_code", "day", "area_id", "team_id", "member_id")


@dataclass(frozen=True)
class Contribution:
    key: Key
    values: tuple[tuple[str, int], ...]


def contribution(visit) -> Contribution | None:
    """What one visit (a Visit or a row with its columns) adds to the counters; nothing when flagged."""
    if visit.flagged:
        return None
    met = visit.outcome == Outcome.MET
    followup = bool(visit.followup_needed)
    values = {
        "visits": 1,
        "visits_met": int(met),
        "vneid_installed": visit.vneid_installed,
        "level2_activated": visit.level2_activated,
        "level2_children": visit.level2_children or 0,
        "online_people": visit.online_people,
        "online_tutored": int(bool(visit.services)),
        "cashless_setup": int(bool(visit.cashless_setup)),
        "followups_opened": int(followup),
        "followups_closed": int(followup and visit.followup_closed_at is not None),
    }
    key = (visit.ward_code, local_today(visit.visited_at), visit.area_id, visit.team_id, visit.volunteer_id)
    return Contribution(key, tuple(values.items()))


def apply_change(before: Contribution | None, after: Contribution | None, ward_days: "Deltas") -> None:
    """Upsert the difference between a visit's old and new contribution (None: absent or flagged), and add it
    to `ward_days`, which the caller writes."""
    deltas: dict[Key, Counter] = defaultdict(Counter)
    for part, sign in ((before, -1), (after, 1)):
        if part is not None:
            deltas[part.key].update({c: sign * v for c, v in part.values})
            ward_days.add(part.key[0], part.key[1], dict(part.values), sign)
    upsert_add_rows(DailyCount, KEY_COLUMNS, COUNTER_COLUMNS, [
        {**dict(zip(KEY_COLUMNS, key, strict=True)), **{c: delta[c] for c in COUNTER_COLUMNS}}
        for key, delta in deltas.items() if any(delta.values())])


def counter_select(by_member: bool = True):
    """The counters recomputed from every raw visit in one grouped query: the same rule as contribution().
    Per ward, day, area, team and member (daily_count's key), or per ward and day only."""
    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    day = local_day_sql(Visit.visited_at).label("day")
    keys = [Visit.ward_code, day]
    if by_member:
        keys += [Visit.area_id, Visit.team_id, Visit.volunteer_id]
    values = (func.count(), count_if(Visit.outcome == Outcome.MET), func.sum(Visit.vneid_installed),
              func.sum(Visit.level2_activated), func.sum(Visit.level2_children), func.sum(Visit.online_people),
              count_if(func.coalesce(Visit.services, "") != ""), count_if(Visit.cashless_setup.is_(True)),
              count_if(Visit.followup_needed.is_(True)),
              count_if(and_(Visit.followup_needed.is_(True), Visit.followup_closed_at.is_not(None))))
    return (
        select(*keys, *(value.label(name) for value, name in zip(values, COUNTER_COLUMNS, strict=True)))
        .where(Visit.flagged.is_(False))
        .group_by(*keys)
    )


def expected_counts() -> dict[Key, Counter]:
    """The counters recomputed from every raw visit."""
    totals = {}
    for row in db.session.execute(counter_select()):
        counts = Counter(dict(zip(COUNTER_COLUMNS, (int(v or 0) for v in row[len(KEY_COLUMNS):]), strict=True)))
        if any(counts.values()):
            totals[tuple(row[:len(KEY_COLUMNS)])] = counts
    return totals


def stored_counts() -> dict[Key, Counter]:
    rows = db.session.execute(select(DailyCount.__table__).execution_options(yield_per=BATCH))
    stored = {}
    for row in rows:
        counts = Counter({c: getattr(row, c) for c in COUNTER_COLUMNS})
        if any(counts.values()):  # a row brought back to zero by a delete or a flag is as good as none
            stored[tuple(getattr(row, k) for k in KEY_COLUMNS)] = counts
    return stored


def differences() -> list[Difference]:
    expected, stored = expected_counts(), stored_counts()
    found = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, Counter()), stored.get(key, Counter())
        label = "/".join(str(k) for k in key)
        found += [Difference("daily_count", label, c, have[c], want[c]) for c in COUNTER_COLUMNS if have[c] != want[c]]
    return found


def rebuild() -> None:
    """Replace every counter by its value recomputed from the raw visits, in set-based statements."""
    db.session.execute(delete(DailyCount))
    db.session.execute(insert(DailyCount).from_select([*KEY_COLUMNS, *COUNTER_COLUMNS], counter_select()))

