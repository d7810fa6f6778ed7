"""Daily counters (`daily_count`) that always agree with the raw visits.

A visit's contribution before and after a change goes to `apply_change()`, which upserts the difference in
the same transaction. A flagged visit contributes nothing. `differences()` recomputes the counters in one
grouped query (the same rule in SQL, so the check also proves the two agree); `rebuild()` rewrites them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, select

from app.clock import local_today
from app.extensions import db
from app.models import COUNTER_COLUMNS, DailyCount, Outcome, Visit
from app.services.reports.figures import local_day_sql
from app.services.rollups.common import BATCH, Difference
from app.services.upsert import upsert_add_rows

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
        "online_people": visit.online_people,
        "online_tutored": int(bool(visit.services)),
        "cashless_setup": int(bool(visit.cashless_setup)),
        "followups_opened": int(followup),
        "followups_closed": int(followup and visit.followup_closed_at is not None),
    }
    key = (visit.ward_code, local_today(visit.visited_at), visit.area_id, visit.team_id, visit.volunteer_id)
    return Contribution(key, tuple(values.items()))


def apply_change(before: Contribution | None, after: Contribution | None) -> None:
    """Upsert the difference between a visit's old and new contribution (None: absent or flagged)."""
    deltas: dict[Key, Counter] = defaultdict(Counter)
    if before is not None:
        deltas[before.key].subtract(dict(before.values))
    if after is not None:
        deltas[after.key].update(dict(after.values))
    upsert_add_rows(DailyCount, KEY_COLUMNS, COUNTER_COLUMNS, [
        {**dict(zip(KEY_COLUMNS, key, strict=True)), **{c: delta[c] for c in COUNTER_COLUMNS}}
        for key, delta in deltas.items() if any(delta.values())])


def _counter_select():
    """The counters recomputed from every raw visit in one grouped query: the same rule as contribution()."""
    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    day = local_day_sql(Visit.visited_at)
    return (
        select(Visit.ward_code, day, Visit.area_id, Visit.team_id, Visit.volunteer_id,
               func.count(), count_if(Visit.outcome == Outcome.MET), func.sum(Visit.vneid_installed),
               func.sum(Visit.level2_activated), func.sum(Visit.online_people),
               count_if(func.coalesce(Visit.services, "") != ""), count_if(Visit.cashless_setup.is_(True)),
               count_if(Visit.followup_needed.is_(True)),
               count_if(and_(Visit.followup_needed.is_(True), Visit.followup_closed_at.is_not(None))))
        .where(Visit.flagged.is_(False))
        .group_by(Visit.ward_code, day, Visit.area_id, Visit.team_id, Visit.volunteer_id)
    )


def expected_counts() -> dict[Key, Counter]:
    """The counters recomputed from every raw visit."""
    totals = {}
    for row in db.session.execute(_counter_select()):
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
    db.session.execute(insert(DailyCount).from_select([*KEY_COLUMNS, *COUNTER_COLUMNS], _counter_select()))

