"""A team's plan: its leader plans dated activities and area sweeps, its members see today's on their home page,
the coordinator sees each team's week planned against done; in scope, audited, nothing stored by half."""

import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, AuditLog, PlanItem, Role, Team, plan_item_members
from app.services import rollups
from tests.conftest import WARD_A, count, queries_for

# FROZEN_AT is Friday 20/11/2026 in Vietnam: its week runs from Monday 16/11 to Sunday 22/11.
TODAY = date(2026, 11, 20)
MONDAY = date(2026, 11, 16)


@pytest.fixture
def team(world, make_area):
    """Team A with a second area."""
    second = make_area(WARD_A, name="Khu vực Hai")
    team_a = world["team_a"]
    team_a.areas.append(second)
    db.session.commit()
    return {**world, "area": team_a.areas[0], "area_two": team_a.areas[1]}


def _item(team: Team, day: date, kind: str, area=None, members=(), creator=None) -> PlanItem:
    """An item stored as the service leaves it: past days cannot be planned through the page any more."""
    item = PlanItem(ward_code=team.ward_code, team_id=team.id, planned_on=day, kind=kind,
                    area_id=area.id if area else None, created_by_id=creator.id, members=list(members))
    db.session.add(item)
    db.session.commit()
    return item


def _activity(team: Team, recorder, day: date, kind: str, area=None, teams=()) -> None:
    db.session.add(Activity(client_id=str(uuid.uuid4()), content_hash="-", ward_code=team.ward_code, team_id=team.id,
                            recorded_by_id=recorder.id, kind=kind, held_on=day, area_id=area.id if area else None,
                            place=None if area else "Một cửa", teams=list(teams)))
    db.session.commit()


def _plan(**overrides) -> dict:
    return {"planned_on": "21/11/2026", "kind": "help_desk", "area_id": "", "place": "Bộ phận một cửa",
            "note": "", **overrides}


def test_the_leader_plans_a_sweep_with_a_member_and_it_is_audited(team, login_as):
    leader = login_as(team["leader_a"])
    form = leader.get("/plans/new")
    assert form.status_code == 200 and "Lên kế hoạch hoạt động" in form.get_data(as_text=True)
    assert '<option selected value="">Không chọn</option>' in form.get_data(as_text=True)  # posts back as no area
    volunteer = team["volunteer_a"]
    response = leader.post("/plans/new", data=_plan(kind="area_sweep", area_id=str(team["area_two"].id), place="",
                                                    member_ids=[str(volunteer.id)]))
    assert response.status_code == 303
    item = db.session.scalar(select(PlanItem))
    assert (item.planned_on, item.kind, item.area_id, item.team_id) == (
        date(2026, 11, 21), "area_sweep", team["area_two"].id, team["team_a"].id)
    assert [u.id for u in item.members] == [volunteer.id]
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "plan.create"))
    assert entry.object_id == str(item.id) and entry.detail["members"] == [volunteer.id]
    week = leader.get(response.location).get_data(as_text=True)
    assert "Ra quân tại khu dân cư" in week and "Khu vực Hai" in week and "Sắp tới" in week


def test_the_volunteer_sees_todays_plan_of_the_team_on_the_home_page(team, login_as):
    volunteer = team["volunteer_a"]
    _item(team["team_a"], TODAY, "area_sweep", team["area_two"], members=[volunteer], creator=team["leader_a"])
    _item(team["team_a"], TODAY + timedelta(days=1), "class", creator=team["leader_a"])
    _item(team["team_b"], TODAY, "help_desk", creator=team["volunteer_b"])
    home = login_as(volunteer).get("/").get_data(as_text=True)
    today = home.split('id="plan-today"', 1)[1].split("</section>", 1)[0]
    assert "Kế hoạch hôm nay" in home
    assert "Ra quân tại khu dân cư" in today and "Khu vực Hai" in today and ">Bạn<" in today
    assert "Bình dân học vụ số" not in today  # tomorrow's
    assert "Hỗ trợ tại bộ phận một cửa" not in today  # another unit's team
    assert 'href="/plans"' in today
    leader_home = login_as(team["leader_a"]).get("/").get_data(as_text=True)
    leader_today = leader_home.split('id="plan-today"', 1)[1].split("</section>", 1)[0]
    assert "Ra quân tại khu dân cư" in leader_today and ">Bạn<" not in leader_today


def _row(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_coordinator_sees_each_teams_week_planned_against_done(team, make_team, make_user, make_household,
                                                                    make_visit, login_as):
    """Team A plans 6 items in the week of 16-22/11, team C one:
    - Mon 16/11 two help desks; one help desk recorded that day: the first is done, the second not (1 done, 1 missed);
    - Tue 17/11 a class, nothing recorded: missed;
    - Wed 18/11 a sweep of area one, no sweep recorded but a visit logged there that day: done;
    - Wed 18/11 a sweep of area two: the visit was in area one, so missed;
    - Sat 21/11 a help desk: to come.
    Team A: 6 planned, 2 done, 3 missed, 1 to come.
    - Team C, Thu 19/11 a sweep of its area: team A recorded that sweep and listed team C as taking part: done.
    Unit: 7 planned, 3 done, 3 missed, 1 to come. Items of other weeks and of ward B count nowhere."""
    team_a, leader, volunteer = team["team_a"], team["leader_a"], team["volunteer_a"]
    team_c = make_team(WARD_A, name="Tổ CNSCĐ Cồn")
    leader_c = make_user(Role.TEAM_LEADER, team=team_c)
    for day, kind, area in ((MONDAY, "help_desk", None), (MONDAY, "help_desk", None),
                            (MONDAY + timedelta(days=1), "class", None),
                            (MONDAY + timedelta(days=2), "area_sweep", team["area"]),
                            (MONDAY + timedelta(days=2), "area_sweep", team["area_two"]),
                            (MONDAY + timedelta(days=5), "help_desk", None),
                            (MONDAY + timedelta(days=7), "help_desk", None)):  # next week
        _item(team_a, day, kind, area, creator=leader)
    _item(team_c, MONDAY + timedelta(days=3), "area_sweep", team_c.areas[0], creator=leader_c)
    _item(team["team_b"], MONDAY, "help_desk", creator=team["volunteer_b"])
    _activity(team_a, volunteer, MONDAY, "help_desk")
    _activity(team_a, volunteer, MONDAY + timedelta(days=1), "help_desk")  # not the class planned that day
    _activity(team_a, leader, MONDAY + timedelta(days=3), "area_sweep", team_c.areas[0], teams=[team_c])
    household = make_household(team["area"])
    make_visit(household, volunteer, visited_at=datetime(2026, 11, 18, 2, 0))  # 09:00 on 18/11 in Vietnam
    rollups.rebuild()  # the factory writes the visit alone: bring the day's counts in step
    db.session.commit()

    html = login_as(team["coordinator_a"]).get("/plans/unit").get_data(as_text=True)
    assert _row(html, f"plan-team-{team_a.id}") == ["6", "2", "3", "1"]
    assert _row(html, f"plan-team-{team_c.id}") == ["1", "1", "0", "0"]
    totals = re.findall(r'class="stat-value">([^<]*)<', html.split('id="plan-totals"', 1)[1])[:4]
    assert totals == ["7", "3", "3", "1"]
    assert "Một hoạt động chỉ đáp ứng một mục kế hoạch." in html  # the rule, stated on the page
    assert f"plan-team-{team['team_b'].id}" not in html
    # Last week: nothing planned, every team shows zeros; the link names the week.
    earlier = login_as(team["coordinator_a"]).get("/plans/unit?week=2026-11-09").get_data(as_text=True)
    assert _row(earlier, f"plan-team-{team_a.id}") == ["0", "0", "0", "0"]
    # The team's own week shows the same states.
    week = login_as(leader).get("/plans").get_data(as_text=True)
    assert week.count(">Đã làm<") == 2 and week.count(">Chưa làm<") == 3


def test_plans_stay_in_scope_and_denials_are_audited(team, make_team, make_user, login_as):
    item = _item(team["team_a"], TODAY + timedelta(days=2), "help_desk", creator=team["leader_a"])
    other_leader = make_user(Role.TEAM_LEADER, team=make_team(WARD_A))
    stranger = login_as(other_leader)
    assert stranger.get(f"/plans/{item.id}/edit").status_code == 404
    assert stranger.post(f"/plans/{item.id}/delete").status_code == 404
    assert "Hỗ trợ tại bộ phận một cửa" not in stranger.get("/plans?week=2026-11-22").get_data(as_text=True)
    volunteer = login_as(team["volunteer_a"])
    assert volunteer.post("/plans/new", data=_plan()).status_code == 403
    assert volunteer.post(f"/plans/{item.id}/delete").status_code == 403
    assert login_as(team["coordinator_b"]).get(f"/plans/{item.id}/edit").status_code in (403, 404)
    assert "Hỗ trợ" not in login_as(team["coordinator_b"]).get("/plans/unit").get_data(as_text=True).split(
        'id="plan-totals"')[1]
    assert login_as(team["youth_a"]).get("/plans/unit").status_code == 403
    assert login_as(team["coordinator_a"]).get("/plans/new").status_code == 403
    assert count(PlanItem) == 1
    denials = [a for a in db.session.scalars(select(AuditLog.action)) if a.startswith("denied.")]
    assert denials.count("denied.scope") >= 2 and denials.count("denied.role") >= 3


def test_items_of_days_to_come_are_changed_or_deleted_and_today_stays_as_planned(team, login_as):
    leader_a = team["leader_a"]
    later = _item(team["team_a"], TODAY + timedelta(days=3), "help_desk", creator=leader_a)
    today = _item(team["team_a"], TODAY, "class", creator=leader_a)
    leader = login_as(leader_a)
    assert leader.get(f"/plans/{later.id}/edit").status_code == 200
    response = leader.post(f"/plans/{later.id}/edit", data=_plan(planned_on="24/11/2026", kind="class"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (later.planned_on, later.kind) == (date(2026, 11, 24), "class")
    change = db.session.scalar(select(AuditLog).where(AuditLog.action == "plan.update"))
    assert change.detail["kind"] == ["help_desk", "class"]
    assert leader.post(f"/plans/{today.id}/edit", data=_plan()).status_code == 403
    assert leader.post(f"/plans/{today.id}/delete").status_code == 403
    assert leader.post(f"/plans/{later.id}/delete").status_code == 303
    assert db.session.scalars(select(PlanItem.id)).all() == [today.id]
    assert "plan.delete" in set(db.session.scalars(select(AuditLog.action)))


@pytest.mark.parametrize(("change", "message"), [
    ({"planned_on": "01/01/2101"}, "Chọn ngày từ 01/01/2000 đến 31/12/2100."),
    ({"planned_on": "19/11/2026"}, "Kế hoạch là cho hôm nay hoặc một ngày sắp tới."),
    ({"planned_on": "01/12/2027"}, "Chỉ lên kế hoạch trước tối đa một năm."),
    ({"kind": "area_sweep", "area_id": ""}, "Ra quân tại khu dân cư cần có khu vực"),
    ({"kind": "party"}, "Lựa chọn không hợp lệ"),
    ({"note": "CCCD 012345678901"}, "CCCD"),
])
def test_bad_input_is_refused_with_422_and_stores_nothing(team, login_as, change, message):
    response = login_as(team["leader_a"]).post("/plans/new", data=_plan(**change))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(PlanItem) == 0 and count(plan_item_members) == 0


def test_an_area_or_member_of_another_team_is_refused_and_nothing_is_stored(team, make_team, make_user, login_as):
    other = make_team(WARD_A)
    outsider = make_user(Role.VOLUNTEER, team=other)
    leader = login_as(team["leader_a"])
    response = leader.post("/plans/new", data=_plan(kind="area_sweep", area_id=str(other.areas[0].id)))
    assert response.status_code == 422 and "Chọn một khu vực của tổ." in response.get_data(as_text=True)
    response = leader.post("/plans/new", data=_plan(member_ids=[str(team["volunteer_a"].id), str(outsider.id)]))
    assert response.status_code == 422
    assert count(PlanItem) == 0 and count(plan_item_members) == 0


def test_the_home_page_and_the_units_week_read_the_plan_in_a_fixed_number_of_queries(team, make_team, make_user,
                                                                                      login_as):
    leader, volunteer = team["leader_a"], team["volunteer_a"]
    _item(team["team_a"], TODAY, "area_sweep", team["area"], members=[volunteer], creator=leader)
    home, unit = login_as(volunteer), login_as(team["coordinator_a"])
    one = queries_for(home, "/"), queries_for(unit, "/plans/unit")
    other = make_team(WARD_A)
    for area in (team["area"], team["area_two"]):
        _item(team["team_a"], TODAY, "area_sweep", area, members=[volunteer, leader], creator=leader)
    _item(other, TODAY, "class", creator=make_user(Role.TEAM_LEADER, team=other))
    assert (queries_for(home, "/"), queries_for(unit, "/plans/unit")) == one
