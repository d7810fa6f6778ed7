"""Daily counters kept with every visit write, and `flask rollup verify|rebuild` that checks them."""

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import AreaCount, DailyCount, Household, Outcome, Visit, WardDayCount
from app.services import rollups, visits
from app.services.lists import households
from app.services.visits import VisitInput


@pytest.fixture
def home(world, make_household):
    return make_household(world["team_a"].areas[0], people=4, eligible_people=3)


def _record(actor, household, **fields):
    data = VisitInput(client_id=str(uuid.uuid4()), household_id=household.id,
                      visited_at=fields.pop("visited_at", utcnow() - timedelta(hours=1)),
                      outcome=fields.pop("outcome", Outcome.MET), **fields)
    visit, _created = visits.record(actor, data)
    db.session.commit()
    return visit


def _rows() -> list[DailyCount]:
    db.session.expire_all()
    return list(db.session.scalars(select(DailyCount)))


def test_a_visit_is_counted_on_its_vietnamese_day_and_edits_apply_the_difference(world, home, rollup_verified):
    volunteer = world["volunteer_a"]
    # 20:30 UTC on 14/10 is 03:30 on 15/10 in Vietnam.
    late = datetime.combine(utcnow().date() - timedelta(days=2), datetime.min.time()) + timedelta(hours=20, minutes=30)
    visit = _record(volunteer, home, visited_at=late, level2_activated=2, vneid_installed=2,
                    services=("residence", "passport"), cashless_setup=True, followup_needed=True,
                    followup_reason="Hẹn quay lại", followup_due=late.date() + timedelta(days=5))
    [row] = _rows()
    assert row.day == late.date() + timedelta(days=1)
    assert (row.ward_code, row.area_id, row.team_id, row.member_id) == (
        home.ward_code, home.area_id, world["team_a"].id, volunteer.id)
    assert (row.visits, row.visits_met, row.level2_activated, row.vneid_installed, row.online_people,
            row.online_tutored, row.cashless_setup, row.followups_opened, row.followups_closed) == (1, 1, 2, 2, 1, 1, 1, 1, 0)

    visits.update(volunteer, visit, VisitInput(client_id=visit.client_id, household_id=home.id, visited_at=late,
                                               outcome=Outcome.NOBODY_HOME))
    db.session.commit()
    [row] = _rows()
    assert (row.visits, row.visits_met, row.level2_activated, row.online_tutored, row.followups_opened) == (1, 0, 0, 0, 0)

    visits.delete(volunteer, visit)
    db.session.commit()
    assert all(getattr(r, c) == 0 for r in _rows() for c in ("visits", "visits_met"))


def test_two_visits_on_one_day_share_a_row(world, home, rollup_verified):
    _record(world["volunteer_a"], home, level2_activated=1)
    _record(world["volunteer_a"], home, level2_activated=1, outcome=Outcome.MET)
    [row] = _rows()
    assert (row.visits, row.visits_met, row.level2_activated) == (2, 2, 2)


def test_a_flagged_visit_counts_nothing_until_unflagged(world, home, rollup_verified):
    visit = _record(world["volunteer_a"], home, level2_activated=3)
    visits.flag(world["coordinator_a"], visit, "Ba người kích hoạt trong hai phút")
    db.session.commit()
    [row] = _rows()
    assert (row.visits, row.level2_activated) == (0, 0)
    db.session.refresh(home)
    assert home.people_level2 == 0 and home.reached_at is None
    assert visit.flagged_by_id == world["coordinator_a"].id and visit.flagged_at is not None

    visits.unflag(world["coordinator_a"], visit)
    db.session.commit()
    [row] = _rows()
    assert (row.visits, row.level2_activated) == (1, 3)
    db.session.refresh(home)
    assert home.people_level2 == 3 and visit.flag_reason is None


def test_a_visit_builds_on_what_another_worker_just_wrote_to_the_household(app, world, home, rollup_verified):
    """Two team-mates sync visits to one household at once: neither may overwrite the other's state."""
    later = (utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)
    assert home.last_visit_at is None  # this worker has read the household
    with app.app_context():  # meanwhile another worker, with its own session, stores a later visit
        _record(db.session.get(type(world["leader_a"]), world["leader_a"].id), db.session.get(Household, home.id),
                visited_at=later, cashless_setup=True)
    _record(world["volunteer_a"], home, visited_at=later - timedelta(hours=2), outcome=Outcome.NOBODY_HOME)
    db.session.expire_all()
    assert home.cashless and home.last_visit_at == later


def test_a_visit_its_counters_and_household_state_are_one_transaction(app, world, home):
    data = VisitInput(client_id=str(uuid.uuid4()), household_id=home.id, visited_at=utcnow() - timedelta(hours=1),
                      outcome=Outcome.MET, cashless_setup=True)
    visits.record(world["volunteer_a"], data)
    with app.app_context():  # another worker sees nothing before the commit
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    db.session.rollback()  # as when the worker dies before committing: nothing half-stored remains
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert rollups.verify() == []


def test_flagging_needs_a_reason(world, home, rollup_verified):
    visit = _record(world["volunteer_a"], home)
    with pytest.raises(visits.VisitError):
        visits.flag(world["coordinator_a"], visit, "   ")


def test_verify_finds_a_missed_update_and_rebuild_repairs_it(app, world, home):
    runner = app.test_cli_runner()
    _record(world["volunteer_a"], home, level2_activated=2)
    assert runner.invoke(args=["rollup", "verify"]).exit_code == 0

    db.session.execute(update(DailyCount).values(visits=5))
    db.session.execute(update(Household).values(people_level2=0))
    db.session.commit()
    broken = runner.invoke(args=["rollup", "verify"])
    assert broken.exit_code == 1
    assert "visits: stored 5, expected 1" in broken.output
    assert f"household {home.id} people_level2: stored 0, expected 2" in broken.output

    rebuilt = runner.invoke(args=["rollup", "rebuild"])
    assert rebuilt.exit_code == 0 and "1 household state values repaired" in rebuilt.output
    assert runner.invoke(args=["rollup", "verify"]).exit_code == 0
    db.session.refresh(home)
    assert home.people_level2 == 2


@pytest.mark.parametrize("column", ["visits", "followups_opened", "first_reached", "last_visited"])
def test_verify_finds_one_wrong_ward_day(world, home, column):
    """What the rollup_verified fixture checks after every test: a ward-day that says one more than the
    visits and households behind it is found, by ward, day and column."""
    _record(world["volunteer_a"], home, followup_needed=True, followup_reason="Hẹn quay lại",
            followup_due=local_today() + timedelta(days=3))
    assert rollups.verify() == []
    day = local_today(utcnow() - timedelta(hours=1))
    db.session.execute(update(WardDayCount).where(WardDayCount.ward_code == home.ward_code, WardDayCount.day == day)
                       .values({column: getattr(WardDayCount, column) + 1}))
    [difference] = rollups.verify()
    assert str(difference) == f"ward_day_count {home.ward_code}/{day} {column}: stored 2, expected 1"


def test_demo_data_comes_with_counters_that_agree(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--wards", "1", "--areas", "2", "--households", "15"])
    assert result.exit_code == 0, result.output
    assert rollups.verify() == []
    total = db.session.scalar(select(db.func.sum(DailyCount.visits)))
    assert total and total > 0 and local_today() - timedelta(days=120) < min(r.day for r in _rows())


def _area_counts(area_id) -> tuple:
    db.session.expire_all()
    row = db.session.get(AreaCount, area_id)
    return (row.households, row.reached, row.eligible_people, row.people_level2, row.online_households) if row else None


def _ward_days(ward_code) -> dict:
    """{day: (visits, visits met, level-2 activations, households first reached, households last visited)}"""
    db.session.expire_all()
    rows = db.session.scalars(select(WardDayCount).where(WardDayCount.ward_code == ward_code))
    days = {r.day: (r.visits, r.visits_met, r.level2_activated, r.first_reached, r.last_visited) for r in rows}
    return {day: values for day, values in days.items() if any(values)}


def test_area_counts_follow_visits_flags_edits_and_moves(world, make_area, rollup_verified):
    volunteer, coordinator = world["volunteer_a"], world["coordinator_a"]
    area = world["team_a"].areas[0]
    other = make_area()
    home, _new = households.create(volunteer, households.HouseholdInput(area_id=area.id, address="Số 1 Đường A",
                                                                          people=4, eligible_people=3))
    households.create(volunteer, households.HouseholdInput(area_id=area.id, address="Số 2 Đường A",
                                                           people=4, eligible_people=3))
    db.session.commit()
    assert _area_counts(area.id) == (2, 0, 6, 0, 0)

    first = utcnow() - timedelta(days=3)
    _record(volunteer, home, visited_at=first, level2_activated=2, services=("residence",))
    later = _record(volunteer, home, visited_at=utcnow() - timedelta(hours=1), outcome=Outcome.NOBODY_HOME)
    assert _area_counts(area.id) == (2, 1, 6, 2, 1)
    assert _ward_days(home.ward_code) == {local_today(first): (1, 1, 2, 1, 0),
                                          local_today(later.visited_at): (1, 0, 0, 0, 1)}

    visits.flag(coordinator, later, "Trùng")
    db.session.commit()
    assert _ward_days(home.ward_code) == {local_today(first): (1, 1, 2, 1, 1)}

    households.update(coordinator, home, households.HouseholdInput(area_id=other.id, address="Số 1 Đường A",
                                                                   people=5, eligible_people=4))
    db.session.commit()
    assert _area_counts(area.id) == (1, 0, 3, 0, 0) and _area_counts(other.id) == (1, 1, 4, 2, 1)
    assert _ward_days(home.ward_code) == {local_today(first): (1, 1, 2, 1, 1)}

    visits.delete(volunteer, later)
    db.session.commit()
    assert _area_counts(area.id) == (1, 0, 3, 0, 0)


def test_a_merge_moves_the_duplicates_contribution(world, rollup_verified):
    volunteer, coordinator = world["volunteer_a"], world["coordinator_a"]
    area = world["team_a"].areas[0]
    made = [households.create(volunteer, households.HouseholdInput(area_id=area.id, address=f"Số {n} Đường B",
                                                                     people=3, eligible_people=2))[0]
            for n in (1, 2)]
    db.session.commit()
    survivor, duplicate = made
    _record(volunteer, duplicate, level2_activated=2)
    households.merge(coordinator, survivor, duplicate)
    db.session.commit()
    assert _area_counts(area.id) == (1, 1, 2, 2, 0)


def test_verify_finds_wrong_area_counts_and_rebuild_repairs_them(app, world, home):
    runner = app.test_cli_runner()
    _record(world["volunteer_a"], home)
    db.session.execute(update(AreaCount).values(households=7))
    db.session.execute(delete(WardDayCount))
    db.session.commit()
    broken = runner.invoke(args=["rollup", "verify"])
    assert broken.exit_code == 1
    assert f"area_count {home.area_id}/{home.ward_code} households: stored 7, expected 1" in broken.output
    day = f"ward_day_count {home.ward_code}/{local_today(utcnow() - timedelta(hours=1))}"
    assert f"{day} visits: stored 0, expected 1" in broken.output
    assert f"{day} last_visited: stored 0, expected 1" in broken.output
    assert runner.invoke(args=["rollup", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["rollup", "verify"]).exit_code == 0
    assert _area_counts(home.area_id) == (1, 1, 3, 0, 0)
