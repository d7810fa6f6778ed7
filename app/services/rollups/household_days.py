"""Campaign household-days: a team scores per household-day, all its unflagged visits to one household on one
Vietnamese day counted once, and a household met counts once per team and calendar month (see
`_household_days`). Each household-day is kept in `score_unit` and its sums per team and day in
`team_day_score`, in the same transaction as every visit write, so a leaderboard (services/ranking) adds up
days x teams rows and never reads raw visits. `unit_differences()` is what `flask rollup verify` checks;
`rebuild_units()` puts them right.
"""

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, tuple_

from app.clock import local_today
from app.extensions import db
from app.models import SCORE_COLUMNS, Household, Outcome, ScoreUnit, TeamDayScore, Visit
from app.services.rollups.common import BATCH, Difference
from app.services.upsert import upsert_add, upsert_add_rows

_VISIT_COLUMNS = (Visit.household_id, Visit.id, Visit.team_id, Visit.visited_at, Visit.outcome,
                  Visit.level2_activated, Visit.services, Visit.cashless_setup, Visit.followup_needed,
                  Visit.followup_closed_at)
UnitKey = tuple[int, date, int]  # (household id, day, team id)


def _household_days(household_id: int, people: int, eligible: int, visits) -> dict[UnitKey, dict[str, int]]:
    """The household-days the household's unflagged visits (ordered by time) give, without empty ones.

    Outcomes score; contact alone does not pay twice. "Met" counts once per team and calendar month
    (Vietnamese dates), on the first day that month the team met the household: a period of the calendar,
    not of a campaign, so a household-day scores the same in every campaign. A closed follow-up counts, on
    its close day, only if the team that opened it logged a later visit where someone was met, no later
    than the close: closing it without going back earns nothing."""
    units: dict[UnitKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCORE_COLUMNS, 0))
    first_met = None
    met_months: set[tuple[int, int, int]] = set()  # (team id, year, month)
    met_visits: list[tuple[int, int, datetime]] = []  # (position, team id, time) of every met visit
    for position, visit in enumerate(visits):
        day = local_today(visit.visited_at)
        unit = units[(household_id, day, visit.team_id)]
        if visit.outcome == Outcome.MET:
            first_met = first_met or visit
            met_visits.append((position, visit.team_id, visit.visited_at))
            if (visit.team_id, day.year, day.month) not in met_months:
                met_months.add((visit.team_id, day.year, day.month))
                unit["met"] = 1
            unit["level2"] += visit.level2_activated
        unit["tutored"] |= int(bool(visit.services))
        unit["cashless"] |= int(bool(visit.cashless_setup))
    for position, visit in enumerate(visits):
        closed = visit.followup_closed_at
        if visit.followup_needed and closed is not None and any(
                later > position and team_id == visit.team_id and at <= closed
                for later, team_id, at in met_visits):
            units[(household_id, local_today(closed), visit.team_id)]["followups_closed"] += 1
    if first_met is not None:
        units[(household_id, local_today(first_met.visited_at), first_met.team_id)]["first_reach"] = 1
    for unit in units.values():
        unit["level2"] = min(unit["level2"], eligible)
        unit["followups_closed"] = min(unit["followups_closed"], people)
    return {key: unit for key, unit in units.items() if any(unit.values())}


def _expected_units(first_id: int, last_id: int) -> tuple[dict[UnitKey, dict[str, int]], dict[int, tuple[int, int]]]:
    """Household-days of the households with ids in [first_id, last_id], and each one's (ward, area)."""
    households = {hid: (people, eligible, ward, area) for hid, people, eligible, ward, area in db.session.execute(
        select(Household.id, Household.people, Household.eligible_people, Household.ward_code, Household.area_id)
        .where(Household.id.between(first_id, last_id)))}
    visits = defaultdict(list)
    for row in db.session.execute(select(*_VISIT_COLUMNS).where(
            Visit.household_id.between(first_id, last_id), Visit.flagged.is_(False))
            .order_by(Visit.household_id, Visit.visited_at, Visit.id)):
        visits[row.household_id].append(row)
    units = {}
    for household_id, rows in visits.items():
        people, eligible, _ward, _area = households[household_id]
        units.update(_household_days(household_id, people, eligible, rows))
    return units, {hid: (ward, area) for hid, (_p, _e, ward, area) in households.items()}


def refresh_household(household: Household) -> None:
    """Bring the household's household-days, and its teams' day sums, in step with its raw visits."""
    db.session.flush()
    expected, _places = _expected_units(household.id, household.id)
    stored = {(u.household_id, u.day, u.team_id): u for u in db.session.scalars(
        select(ScoreUnit).where(ScoreUnit.household_id == household.id))}
    for key in expected.keys() | stored.keys():
        want, have = expected.get(key), stored.get(key)
        before = {c: getattr(have, c) for c in SCORE_COLUMNS} if have else dict.fromkeys(SCORE_COLUMNS, 0)
        after = want or dict.fromkeys(SCORE_COLUMNS, 0)
        delta = {c: after[c] - before[c] for c in SCORE_COLUMNS}
        if any(delta.values()):
            _household_id, day, team_id = key
            upsert_add(TeamDayScore, {"day": day, "team_id": team_id, "ward_code": household.ward_code},
                                ("day", "team_id"), delta)
        if want is None:
            db.session.delete(have)
        elif have is None:
            db.session.add(ScoreUnit(household_id=key[0], day=key[1], team_id=key[2], area_id=household.area_id,
                                     **want))
        else:
            for column, value in want.items():
                setattr(have, column, value)
            have.area_id = household.area_id


def _all_expected():
    """Every expected household-day with its ward and area, household by household in batches."""
    last = db.session.scalar(select(func.max(Household.id))) or 0
    for first_id in range(1, last + 1, BATCH):
        units, places = _expected_units(first_id, first_id + BATCH - 1)
        for key, unit in units.items():
            yield key, places[key[0]], unit


def unit_differences() -> list[Difference]:
    """Every stored household-day or team-day sum that differs from what the raw visits give."""
    differences = []
    day_sums: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SCORE_COLUMNS, 0))
    stored = {(r.household_id, r.day, r.team_id): r for r in db.session.execute(select(ScoreUnit.__table__))}
    for key, (_ward, area_id), unit in _all_expected():
        have = stored.pop(key, None)
        label = "/".join(str(k) for k in key)
        for column in (*SCORE_COLUMNS, "area_id"):
            want = area_id if column == "area_id" else unit[column]
            got = getattr(have, column) if have is not None else None
            if got != want:
                differences.append(Difference("score_unit", label, column, got, want))
        for column in SCORE_COLUMNS:
            day_sums[(key[1], key[2])][column] += unit[column]
    differences += [Difference("score_unit", "/".join(str(k) for k in key), "row", "stored", "none")
                    for key in stored]
    stored_days = {(r.day, r.team_id): r for r in db.session.execute(select(TeamDayScore.__table__))}
    for key in day_sums.keys() | stored_days.keys():
        want, have = day_sums.get(key, {}), stored_days.get(key)
        for column in SCORE_COLUMNS:
            got = getattr(have, column) if have is not None else 0
            if got != want.get(column, 0):
                differences.append(Difference("team_day_score", f"{key[0]}/{key[1]}", column, got,
                                                       want.get(column, 0)))
    return differences


def rebuild_units() -> int:
    """Replace every household-day and team-day sum by what the raw visits give. Returns the units written."""
    db.session.execute(delete(ScoreUnit))
    db.session.execute(delete(TeamDayScore))
    day_sums: dict[tuple[date, int], dict] = {}
    rows = []
    written = 0
    for (household_id, day, team_id), (ward_code, area_id), unit in _all_expected():
        rows.append({"household_id": household_id, "day": day, "team_id": team_id, "area_id": area_id, **unit})
        sums = day_sums.setdefault((day, team_id), {"day": day, "team_id": team_id, "ward_code": ward_code,
                                                    **dict.fromkeys(SCORE_COLUMNS, 0)})
        for column in SCORE_COLUMNS:
            sums[column] += unit[column]
        if len(rows) >= BATCH:
            written += len(rows)
            db.session.execute(insert(ScoreUnit), rows)
            rows.clear()
    if rows:
        written += len(rows)
        db.session.execute(insert(ScoreUnit), rows)
    day_rows = list(day_sums.values())
    for start in range(0, len(day_rows), BATCH):
        db.session.execute(insert(TeamDayScore), day_rows[start:start + BATCH])
    return written



def apply_units_change(household_id: int, ward_code: int, area_id: int, before: dict[UnitKey, dict[str, int]],
                       after: dict[UnitKey, dict[str, int]]) -> None:
    """Move the stored household-days of one household, and its teams' day sums, from `before` to `after`
    (both from `_household_days`): one upsert for each table, a delete only for a household-day that emptied."""
    zero = dict.fromkeys(SCORE_COLUMNS, 0)
    units: list[dict] = []
    days: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: dict(zero))
    for key in before.keys() | after.keys():
        if before.get(key) == after.get(key):
            continue  # most of a household's days: a new visit changes one or two
        delta = {c: after.get(key, zero)[c] - before.get(key, zero)[c] for c in SCORE_COLUMNS}
        if not any(delta.values()):
            continue
        _household_id, day, team_id = key
        if key in after:
            units.append({"household_id": household_id, "day": day, "team_id": team_id, "area_id": area_id, **delta})
        for column, value in delta.items():
            days[(day, team_id)][column] += value
    upsert_add_rows(ScoreUnit, ("household_id", "day", "team_id"), SCORE_COLUMNS, units, replaced=("area_id",))
    upsert_add_rows(TeamDayScore, ("day", "team_id"), SCORE_COLUMNS,
                    [{"day": day, "team_id": team_id, "ward_code": ward_code, **delta}
                     for (day, team_id), delta in days.items() if any(delta.values())])
    emptied = list(before.keys() - after.keys())
    if emptied:
        db.session.execute(delete(ScoreUnit).where(tuple_(ScoreUnit.household_id, ScoreUnit.day,
                                                          ScoreUnit.team_id).in_(emptied)))
