"""`flask geo load` and `flask demo seed`: real units, believable data, safe to run twice."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, Household, Role, Target, Team, User, Visit, Ward
from app.services import rollups
from app.services.text import fold


def test_geo_load_is_idempotent_and_real(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["geo", "load", "--province", "92"])
    second = runner.invoke(args=["geo", "load", "--province", "92"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "103" in second.output
    wards = db.session.scalar(select(func.count()).select_from(Ward).where(Ward.province_code == 92))
    assert wards == 103
    assert db.session.get(Ward, 31186).name == "Phường Cái Răng"


def test_geo_load_unknown_code_is_a_clear_error(app, ctx):
    result = app.test_cli_runner().invoke(args=["geo", "load", "--province", "999"])
    assert result.exit_code != 0
    assert "Unknown province code 999" in result.output


def test_demo_seed_twice_adds_nothing_the_second_time(app, ctx):
    runner = app.test_cli_runner()
    args = ["demo", "seed", "--wards", "2", "--areas", "3", "--households", "20", "--months", "2"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Area, Team, User, Household, Visit, Target)]
    second = runner.invoke(args=args)
    assert second.exit_code == 0 and "already has data" in second.output
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (Area, Team, User, Household, Visit, Target)] == counts
    # The first unit's own targets, as its coordinator would set them; the second unit has none.
    assert len(set(db.session.scalars(select(Target.ward_code)))) == 1 and counts[5] == 3
    assert counts[0] == 6 and counts[3] == 120 and counts[4] > 60
    # One demo login per role, printed for the newcomer.
    for username in ("admin", "dieuphoi", "doan", "totruong", "tinhnguyen"):
        assert username in first.output
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {r.value for r in Role}


def test_demo_households_have_consistent_state(app, ctx):
    app.test_cli_runner().invoke(args=["demo", "seed", "--wards", "1", "--areas", "2", "--households", "30"])
    for household in db.session.scalars(select(Household)):
        assert household.search_key == fold(f"{household.address} {household.display_name or ''}")
        assert 0 <= household.people_level2 <= household.eligible_people <= household.people
        met = db.session.scalars(
            select(Visit.visited_at).where(Visit.household_id == household.id, Visit.outcome == "met")
        ).all()
        assert household.reached_at == (min(met) if met else None)


def _counts() -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(m)) for m in (Area, Team, User, Household, Visit)]


def test_demo_seed_grows_by_the_new_wards_only(app, ctx):
    """`make run` seeds two wards; the README then invites `flask demo seed --wards 3`: it adds the third."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--wards", "2", "--areas", "2", "--households", "10"])
    assert first.exit_code == 0, first.output
    before = _counts()
    grown = runner.invoke(args=["demo", "seed", "--wards", "3", "--areas", "2", "--households", "10"])
    assert grown.exit_code == 0, grown.output
    assert grown.output.count("already has data") == 2 and "seeded " in grown.output
    after = _counts()
    assert after[0] == before[0] + 2 and after[3] == before[3] + 20 and after[4] > before[4]
    assert rollups.verify() == []


@pytest.mark.parametrize("options", [
    ["--wards", "0"], ["--wards", "-1"], ["--areas", "0"], ["--households", "-5"], ["--months", "0"],
    ["--months", "-3"], ["--areas", "100000"], ["--province", "999"],
])
def test_demo_seed_refuses_what_it_cannot_do_in_one_line(app, ctx, options):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["demo", "seed", *options])
    assert result.exit_code != 0
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: "), result.output
    assert "Traceback" not in result.output and "SQL" not in result.output
    assert _counts() == before
