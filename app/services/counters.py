"""Daily counters that always agree with the raw visits, and the check that proves it.

Every write of a visit (services/visits.py) hands the visit's contribution before and after the change to
`apply_change()`, which upserts the difference into `daily_count` in the same transaction. A flagged visit
contributes nothing. `verify()` recomputes the counters and every household's state from the raw visits
and lists what differs; `rebuild_counters()` and `repair_households()` put them right.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import COUNTER_COLUMNS, DailyCount, Household, Outcome, Visit
from app.services.figures import local_today
from app.services.household_state import replayed_states

# (ward_code, day, area_id, team_id, member_id): the primary key of daily_count.
Key = tuple[int, date, int, int, int]
KEY_COLUMNS = ("ward_code", "day", "area_id", "team_id", "member_id")
BATCH = 5000
_VISIT_COLUMNS = (
    Visit.ward_code, Visit.area_id, Visit.team_id, Visit.volunteer_id,
    Visit.visited_at, Visit.outcome, Visit.vneid_installed, Visit.level2_activated, Visit.online_people,
    Visit.services, Visit.cashless_setup, Visit.followup_needed, Visit.followup_closed_at, Visit.flagged,
)


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
    for key, delta in deltas.items():
        if any(delta.values()):
            _upsert(key, {c: delta[c] for c in COUNTER_COLUMNS})


def _upsert(key: Key, delta: dict[str, int]) -> None:
    upsert_add(DailyCount, dict(zip(KEY_COLUMNS, key, strict=True)), KEY_COLUMNS, delta)


def upsert_add(model, row: dict, key_columns, delta: dict[str, int]) -> None:
    """Insert the row with these counts, or add them to the row already stored under the same key."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).values(**row, **delta)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={c: getattr(model, c) + stmt.excluded[c] for c in delta},
    )
    db.session.execute(stmt)


def expected_counts() -> dict[Key, Counter]:
    """The counters recomputed from every raw visit."""
    totals: dict[Key, Counter] = defaultdict(Counter)
    for row in db.session.execute(select(*_VISIT_COLUMNS).execution_options(yield_per=BATCH)):
        part = contribution(row)
        if part is not None:
            totals[part.key].update(dict(part.values))
    return {key: counts for key, counts in totals.items() if any(counts.values())}


def stored_counts() -> dict[Key, Counter]:
    rows = db.session.execute(select(DailyCount.__table__).execution_options(yield_per=BATCH))
    stored = {}
    for row in rows:
        counts = Counter({c: getattr(row, c) for c in COUNTER_COLUMNS})
        if any(counts.values()):  # a row brought back to zero by a delete or a flag is as good as none
            stored[tuple(getattr(row, k) for k in KEY_COLUMNS)] = counts
    return stored


@dataclass
class Difference:
    what: str  # "daily_count" or "household"
    key: str
    column: str
    stored: object
    expected: object

    def __str__(self) -> str:
        return f"{self.what} {self.key} {self.column}: stored {self.stored}, expected {self.expected}"


def _counter_differences() -> list[Difference]:
    expected, stored = expected_counts(), stored_counts()
    differences = []
    for key in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(key, Counter()), stored.get(key, Counter())
        label = "/".join(str(k) for k in key)
        differences += [Difference("daily_count", label, c, have[c], want[c]) for c in COUNTER_COLUMNS if have[c] != want[c]]
    return differences


_STATE_FIELDS = ("people_level2", "people_online", "cashless", "reached_at", "last_visit_at")


def _household_differences(repair: bool) -> list[Difference]:
    differences = []
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
            differences += [Difference("household", str(household_id), f, h, w) for f, h, w in changed]
            if repair and changed:
                db.session.execute(update(Household).where(Household.id == household_id)
                                   .values({f: w for f, _h, w in changed}))
    return differences


def verify() -> list[Difference]:
    """Every difference between the counters, household state or campaign household-days and what the raw
    visits say."""
    from app.services import scoring  # scoring writes through upsert_add above

    return _counter_differences() + _household_differences(repair=False) + scoring.unit_differences()


def rebuild_counters() -> int:
    """Replace every counter (campaign household-days too) by its value recomputed from the raw visits.
    Returns the daily_count rows written."""
    from app.services import scoring

    scoring.rebuild_units()
    expected = expected_counts()
    db.session.execute(delete(DailyCount))
    rows = [dict(zip(KEY_COLUMNS, key, strict=True)) | {c: counts[c] for c in COUNTER_COLUMNS}
            for key, counts in expected.items()]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(DailyCount), rows[start:start + BATCH])
    return len(rows)


def repair_households() -> list[Difference]:
    """Set every household's state to what its unflagged visits give; returns what was changed."""
    return _household_differences(repair=True)
