"""A visit is recorded with a small fixed number of statements, whatever it changes, on either database."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Household, Outcome, Role, ScoreUnit, Visit
from app.services import visits
from app.services.scope import OutOfScope
from app.services.visits import VisitInput
from tests.conftest import count, statements_sent

MAX_STATEMENTS = 8


def _record(actor, household, **fields):
    """Record a visit as a visit POST does, and count the statements of the service call (and of the flush
    the view's commit makes)."""
    db.session.commit()
    db.session.refresh(actor)  # the login has loaded the actor before the view runs
    data = VisitInput(client_id=str(uuid.uuid4()), household_id=household.id,
                      visited_at=fields.pop("visited_at", utcnow() - timedelta(hours=1)),
                      outcome=fields.pop("outcome", Outcome.MET), **fields)
    with statements_sent() as sent:
        _visit, created = visits.record(actor, data)
        db.session.flush()
    db.session.commit()
    assert created
    return sent


def test_every_kind_of_visit_costs_at_most_eight_statements(world, make_household, rollup_verified):
    volunteer, mate = world["volunteer_a"], world["leader_a"]
    home = make_household(world["team_a"].areas[0], people=4, eligible_people=3, children=1)
    counts = {
        # The first visit moves everything: state, daily, area, area-day, household-day, team-day, audit.
        "first, met, everything": _record(volunteer, home, level2_activated=2, vneid_installed=2,
                                          services=("residence",), cashless_setup=True, followup_needed=True,
                                          followup_reason="Hẹn quay lại",
                                          followup_due=utcnow().date() + timedelta(days=3)),
        "same day again": _record(volunteer, home, level2_activated=1, outcome=Outcome.MET),
        "a child's level 2, within the list": _record(volunteer, home, level2_children=1, outcome=Outcome.MET),
        "team-mate, nobody home": _record(mate, home, outcome=Outcome.NOBODY_HOME),
        # Earlier than the first: first reach moves to this day, the last visit stays.
        "backdated first reach": _record(mate, home, visited_at=utcnow() - timedelta(days=3)),
    }
    too_many = {case: len(sent) for case, sent in counts.items() if len(sent) > MAX_STATEMENTS}
    assert not too_many, "\n\n".join(f"{case}:\n" + "\n".join(counts[case]) for case in too_many)


@pytest.mark.parametrize("helpers", [False, True])
def test_a_visit_with_helpers_adds_one_statement(world, make_household, make_user, rollup_verified, helpers):
    volunteer = world["volunteer_a"]
    home = make_household(world["team_a"].areas[0], people=3, eligible_people=2)
    helper_ids = (world["leader_a"].id,) if helpers else ()
    sent = _record(volunteer, home, helper_ids=helper_ids)
    # Checking each helper is in the team, and their one insert.
    assert len(sent) <= MAX_STATEMENTS + (2 if helpers else 0)


def test_a_client_id_taken_between_the_lock_and_the_insert_answers_as_a_replay(world, make_household, monkeypatch,
                                                                              rollup_verified):
    """The loser of a race whose lock did not see the winner's visit: its insert does nothing, the household's
    state goes back to what the winner left, and it answers with the stored visit."""
    volunteer = world["volunteer_a"]
    home = make_household(world["team_a"].areas[0], people=4, eligible_people=3)
    data = VisitInput(client_id=str(uuid.uuid4()), household_id=home.id, visited_at=utcnow() - timedelta(hours=1),
                      outcome=Outcome.MET, level2_activated=1)
    first, _created = visits.record(volunteer, data)
    db.session.commit()
    real = visits._fits
    monkeypatch.setattr(visits, "_fits", lambda actor, data: real(actor, data)[:1] + real(actor, data)[2:])
    again, created = visits.record(volunteer, data)
    db.session.commit()
    assert (again.id, created) == (first.id, False)
    db.session.refresh(home)
    assert home.people_level2 == 1


def test_the_statement_prepared_once_keeps_each_volunteer_to_its_own_team(world, make_household, make_team, make_user,
                                                                           rollup_verified):
    """Every volunteer runs the same prepared statement with its own ids: after team A's visit, a volunteer of
    another team in the same ward finds team A's household "not found" and nothing moves, and its own works."""
    home_a = make_household(world["team_a"].areas[0], people=3, eligible_people=2)
    neighbours = make_team(world["team_a"].ward_code)
    outsider = make_user(Role.VOLUNTEER, team=neighbours)
    home_b = make_household(neighbours.areas[0], people=3, eligible_people=2)
    _record(world["volunteer_a"], home_a, level2_activated=1)
    data = VisitInput(client_id=str(uuid.uuid4()), household_id=home_a.id, visited_at=utcnow() - timedelta(hours=1),
                      outcome=Outcome.MET, level2_activated=1)
    with pytest.raises(OutOfScope):
        visits.record(outsider, data)
    db.session.rollback()
    db.session.refresh(home_a)
    assert home_a.people_level2 == 1 and count(Visit) == 1
    _visit, created = visits.record(outsider, replace(data, household_id=home_b.id))
    db.session.commit()
    assert created and count(Visit) == 2
    assert db.session.get(Household, home_b.id).people_level2 == 1


def test_a_backdated_visit_that_empties_a_household_day_deletes_it(world, make_household, rollup_verified):
    """The team's first meeting of the month moves to the earlier day: the later day's household-day, which
    held nothing else, is deleted in the same batch of writes (on PostgreSQL, inside the pipeline)."""
    volunteer = world["volunteer_a"]
    home = make_household(world["team_a"].areas[0], people=3, eligible_people=2)
    _record(volunteer, home)
    sent = _record(volunteer, home, visited_at=utcnow() - timedelta(days=3))
    assert any(statement.startswith("DELETE FROM score_unit") for statement in sent)
    assert count(ScoreUnit) == 1
