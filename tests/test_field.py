"""The volunteer's field work over HTTP: find, add, log a visit exactly once, correct it."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Household, Role, Visit
from app.services import rollups
from app.services.scope import scoped
from tests.conftest import count


@pytest.fixture
def field(world, make_household, rollup_verified):
    area = world["team_a"].areas[0]
    return {
        **world,
        "area": area,
        "nguyen": make_household(area, address="51/3 Hẻm 51, Đường 3 Tháng 2", display_name="Nguyễn Văn Bình"),
        "tran": make_household(area, address="Số 12 Đường Mậu Thân", display_name="Trần Thị Hoa", people=2,
                               eligible_people=2),
        "other_team": make_household(world["team_b"].areas[0], address="Số 7 Hẻm 51", display_name="Nguyễn Văn An"),
    }


@pytest.mark.parametrize("query", ["nguyen van", "NGUYEN VĂN", "duong 3 thang 2", "hem 51", "51/3", "binh"])
def test_search_without_diacritics_finds_the_household(field, login_as, query):
    body = login_as(field["volunteer_a"]).get("/households", query_string={"q": query}).get_data(as_text=True)
    assert "Nguyễn Văn Bình" in body
    assert "Trần Thị Hoa" not in body
    assert "Nguyễn Văn An" not in body  # another team's household never shows


def test_search_answers_htmx_with_the_results_fragment_only(field, login_as):
    response = login_as(field["volunteer_a"]).get("/households?q=mau than", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Trần Thị Hoa" in body
    assert "<html" not in body and "HX-Request" in response.headers["Vary"]


def test_search_wildcards_are_literal(field, login_as):
    body = login_as(field["volunteer_a"]).get("/households?q=%25").get_data(as_text=True)
    assert "Không có hộ nào khớp" in body


def test_search_uses_an_index(field, ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's; PostgreSQL picks its plan by table size")
    query = scoped(field["volunteer_a"], Household).where(Household.search_key.like("%nguyen%"))
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "INDEX" in plan and "SCAN household" not in plan.replace("USING INDEX", "")


def _household_data(area, **overrides):
    data = {"area_id": str(area.id), "address": "Số 99 Đường Trần Hưng Đạo", "display_name": "Lê Văn Tư",
            "people": "3", "eligible_people": "2", "client_id": str(uuid.uuid4())}
    data.update(overrides)
    return data


def test_add_household_in_a_few_taps(field, login_as):
    client = login_as(field["volunteer_a"])
    assert "Thêm hộ gia đình" in client.get("/households/new").get_data(as_text=True)
    response = client.post("/households/new", data=_household_data(field["area"], priority_tags=["elderly_alone"]))
    assert response.status_code == 303
    stored = db.session.scalar(select(Household).where(Household.display_name == "Lê Văn Tư"))
    assert stored.search_key == "so 99 duong tran hung dao le van tu"
    assert stored.tags == ["elderly_alone"] and stored.created_by_id == field["volunteer_a"].id
    assert f"household={stored.id}" in response.location


def test_likely_duplicate_is_shown_before_saving(field, login_as):
    client = login_as(field["volunteer_a"])
    before = count(Household)
    response = client.post("/households/new", data=_household_data(field["area"], address="51/3 hẻm 51,  đường 3 tháng 2"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Hộ này có thể đã có trong danh sách" in body and "Nguyễn Văn Bình" in body
    assert count(Household) == before
    confirmed = client.post("/households/new", data=_household_data(
        field["area"], address="51/3 hẻm 51,  đường 3 tháng 2", confirm_new="y"))
    assert confirmed.status_code == 303 and count(Household) == before + 1


@pytest.mark.parametrize("overrides,message", [
    ({"phone": "0901234567"}, "chỉ được lưu khi hộ đồng ý"),
    ({"people": "2", "eligible_people": "3"}, "không thể nhiều hơn số người"),
    ({"address": ""}, "Vui lòng nhập ô này."),
    ({"people": "abc"}, "Cần nhập một số nguyên."),
    ({"people": "-1"}, "Số phải từ 1 đến 50."),
    ({"address": "x" * 10000}, "Không được dài quá 200 ký tự."),
    ({"display_name": "CCCD 079123456789"}, "số căn cước"),
])
def test_bad_household_input_is_explained_and_not_stored(field, login_as, overrides, message):
    client = login_as(field["volunteer_a"])
    before = count(Household)
    response = client.post("/households/new", data=_household_data(field["area"], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Household) == before


def test_phone_is_kept_with_its_consent_time(field, login_as):
    client = login_as(field["volunteer_a"])
    client.post("/households/new", data=_household_data(field["area"], phone="0901 234 567", phone_consent="y"))
    stored = db.session.scalar(select(Household).where(Household.display_name == "Lê Văn Tư"))
    assert stored.phone == "0901 234 567" and stored.phone_consent_at is not None


def test_household_in_another_teams_area_cannot_be_added(field, login_as):
    client = login_as(field["volunteer_a"])
    before = count(Household)
    response = client.post("/households/new", data=_household_data(field["team_b"].areas[0]))
    assert response.status_code == 422 and count(Household) == before


def _visit_data(household, **overrides):
    now = utcnow() + timedelta(hours=7)  # the form speaks Vietnam's local time
    data = {"client_id": str(uuid.uuid4()), "household_id": str(household.id),
            "visited_at": now.strftime("%Y-%m-%dT%H:%M"), "outcome": "met", "vneid_installed": "2",
            "level2_activated": "2", "online_people": "0", "services": ["residence", "passport"],
            "cashless_setup": "y"}
    data.update(overrides)
    return data


def test_log_a_visit_updates_the_household(field, login_as):
    client = login_as(field["volunteer_a"])
    household = field["nguyen"]
    form = client.get(f"/visits/new?household={household.id}").get_data(as_text=True)
    assert "Ghi lượt hỗ trợ" in form and 'name="client_id"' in form
    response = client.post(f"/visits/new?household={household.id}", data=_visit_data(household))
    assert response.status_code == 303 and response.location.endswith("/")
    visit = db.session.scalar(select(Visit))
    assert visit.level2_activated == 2 and visit.services == "passport,residence" and visit.online_people == 1
    assert visit.team_id == field["team_a"].id and visit.volunteer_id == field["volunteer_a"].id
    db.session.refresh(household)
    assert household.people_level2 == 2 and household.cashless and household.reached_at is not None
    assert household.people_online == 1
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "visit.create"))


def test_same_client_id_twice_stores_one_visit(field, login_as):
    client = login_as(field["volunteer_a"])
    data = _visit_data(field["nguyen"])
    first = client.post("/visits/new", data=data)
    second = client.post("/visits/new", data=data)
    assert first.status_code == 303 and second.status_code == 303
    visit = db.session.scalar(select(Visit))
    assert count(Visit) == 1 and second.location.endswith(f"/visits/{visit.id}")
    db.session.refresh(field["nguyen"])
    assert field["nguyen"].people_level2 == 2  # not counted twice


def test_same_client_id_with_other_content_is_refused(field, login_as):
    client = login_as(field["volunteer_a"])
    data = _visit_data(field["nguyen"])
    client.post("/visits/new", data=data)
    response = client.post("/visits/new", data={**data, "level2_activated": "1"})
    assert response.status_code == 422
    assert "đã được lưu với nội dung khác" in response.get_data(as_text=True)
    assert count(Visit) == 1


@pytest.mark.parametrize("overrides,message", [
    ({"level2_activated": "31"}, "Hãy nhập số người từ 0 đến 30."),
    ({"level2_children": "-1"}, "Hãy nhập số người từ 0 đến 30."),
    ({"note": "số CCCD 079 123 456 789"}, "số căn cước công dân"),
    ({"outcome": ""}, "Hãy chọn kết quả"),
    ({"outcome": "hacked"}, "Lựa chọn không hợp lệ."),
    ({"level2_activated": "-3"}, "Hãy nhập số người từ 0 đến 30."),
    ({"followup_needed": "y"}, "Hãy ghi lý do"),
    ({"visited_at": "2020-01-01T10:00"}, "cũ hơn 31 ngày"),
    ({"visited_at": "hôm qua"}, "Ngày giờ không hợp lệ."),
    ({"client_id": "not-a-uuid"}, "Mã định danh không hợp lệ."),
    ({"services": ["bitcoin"]}, "Lựa chọn không hợp lệ: &#39;bitcoin&#39;"),
])
def test_bad_visit_input_is_explained_and_nothing_is_stored(field, login_as, overrides, message):
    client = login_as(field["volunteer_a"])
    household = field["nguyen"]
    response = client.post(f"/visits/new?household={household.id}", data=_visit_data(household, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Visit) == 0
    db.session.refresh(household)
    assert household.people_level2 == 0


def test_a_visit_reporting_more_than_the_list_is_stored_and_raises_the_list(field, login_as):
    """The list said 4 people, 3 aged 14+ and no child; the visit found 4 people aged 14+ activating level 2
    and 2 children aged 6-13: the visit is the newer fact, so the list is raised (and the raise audited)."""
    client = login_as(field["volunteer_a"])
    household = field["nguyen"]
    response = client.post("/visits/new", data=_visit_data(household, level2_activated="4", level2_children="2",
                                                           vneid_installed="6"))
    assert response.status_code == 303
    visit = db.session.scalar(select(Visit))
    assert (visit.level2_activated, visit.level2_children) == (4, 2)
    db.session.refresh(household)
    assert (household.people, household.eligible_people, household.children) == (6, 4, 2)
    assert (household.people_level2, household.children_level2) == (4, 2)
    raised = db.session.scalar(select(AuditLog).where(AuditLog.action == "household.raise"))
    assert raised.detail["counts"] == {"children": [0, 2], "eligible_people": [3, 4], "people": [4, 6]}
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Trẻ em 6–13 tuổi có định danh mức 2" in page


def test_editing_a_visit_to_more_activations_raises_the_list(field, login_as):
    client = login_as(field["volunteer_a"])
    household = field["tran"]  # 2 people, both aged 14+
    client.post("/visits/new", data=_visit_data(household, level2_activated="1", vneid_installed="1"))
    visit = db.session.scalar(select(Visit))
    edit = client.post(f"/visits/{visit.id}/edit", data=_visit_data(household, client_id=visit.client_id,
                                                                      level2_activated="3", vneid_installed="3"))
    assert edit.status_code == 303
    db.session.refresh(household)
    assert (household.people, household.eligible_people, household.people_level2) == (3, 3, 3)


def test_nobody_home_clears_what_only_a_met_household_has(field, login_as):
    client = login_as(field["volunteer_a"])
    client.post("/visits/new", data=_visit_data(field["nguyen"], outcome="nobody_home"))
    visit = db.session.scalar(select(Visit))
    assert (visit.level2_activated, visit.services, visit.cashless_setup) == (0, "", False)
    db.session.refresh(field["nguyen"])
    assert field["nguyen"].reached_at is None and field["nguyen"].last_visit_at is not None


def test_visit_to_another_teams_household_is_not_found(field, login_as):
    client = login_as(field["volunteer_a"])
    other = field["other_team"]
    assert client.get(f"/visits/new?household={other.id}").status_code == 404
    assert client.post("/visits/new", data=_visit_data(other)).status_code == 404
    assert count(Visit) == 0


def test_coordinator_cannot_use_the_field_notebook(field, login_as):
    assert login_as(field["coordinator_a"]).get("/households").status_code == 403


def _log(client, household, **overrides) -> Visit:
    client.post("/visits/new", data=_visit_data(household, **overrides))
    return db.session.scalar(select(Visit).order_by(Visit.id.desc()))


def test_edit_and_delete_my_visit_within_a_day(field, login_as):
    client = login_as(field["volunteer_a"])
    visit = _log(client, field["nguyen"])
    edit = client.post(f"/visits/{visit.id}/edit", data=_visit_data(field["nguyen"], level2_activated="1"))
    assert edit.status_code == 303
    db.session.refresh(field["nguyen"])
    assert field["nguyen"].people_level2 == 1
    assert client.post(f"/visits/{visit.id}/delete").status_code == 303
    assert count(Visit) == 0
    db.session.refresh(field["nguyen"])
    assert field["nguyen"].people_level2 == 0 and field["nguyen"].reached_at is None
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"visit.update", "visit.delete"} <= actions


def test_only_my_visits_or_my_teams_as_leader(app, field, login_as, make_user):
    mate = make_user(Role.VOLUNTEER, team=field["team_a"])
    visit = _log(login_as(mate), field["nguyen"])
    other = app.test_client()
    login_as_other = other.post("/login", data={"username": field["volunteer_a"].username, "password": "correct-horse-42"})
    assert login_as_other.status_code == 302
    assert other.post(f"/visits/{visit.id}/delete").status_code == 403
    leader = app.test_client()
    leader.post("/login", data={"username": field["leader_a"].username, "password": "correct-horse-42"})
    assert leader.post(f"/visits/{visit.id}/delete").status_code == 303
    assert count(Visit) == 0


def test_visits_older_than_a_day_cannot_be_changed(field, login_as):
    client = login_as(field["volunteer_a"])
    visit = _log(client, field["nguyen"])
    visit.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert client.post(f"/visits/{visit.id}/delete").status_code == 403
    assert count(Visit) == 1


def test_volunteer_sees_only_own_visits_leader_the_teams(app, field, login_as, make_user):
    mate = make_user(Role.VOLUNTEER, team=field["team_a"], display_name="Bạn Cùng Tổ")
    _log(login_as(mate), field["tran"])
    mine = login_as(field["volunteer_a"]).get("/visits").get_data(as_text=True)
    assert "Trần Thị Hoa" not in mine
    leader = login_as(field["leader_a"]).get("/visits").get_data(as_text=True)
    assert "Trần Thị Hoa" in leader


def test_the_return_visit_closes_the_follow_up_it_went_back_for(field, login_as):
    client = login_as(field["volunteer_a"])
    household = field["tran"]
    asked = _visit_data(household, outcome="nobody_home", followup_needed="y", followup_reason="Hẹn tối mai",
                        followup_due=f"{(utcnow() + timedelta(days=1)):%d/%m/%Y}")
    asked["visited_at"] = (utcnow() + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post("/visits/new", data=asked).status_code == 303
    opened = db.session.scalar(select(Visit).where(Visit.followup_needed.is_(True)))
    # Opened from the follow-up, the form carries it; nobody home again leaves it open.
    form = client.get(f"/visits/new?household={household.id}&followup={opened.id}").get_data(as_text=True)
    assert f'name="closes_followup" type="hidden" value="{opened.id}"' in form
    again = _visit_data(household, outcome="nobody_home", closes_followup=str(opened.id))
    assert client.post("/visits/new", data=again).status_code == 303
    db.session.refresh(opened)
    assert opened.followup_closed_at is None
    # Met this time: the follow-up is closed by the visit, and says so in the audit.
    met = _visit_data(household, closes_followup=str(opened.id), vneid_installed="0", level2_activated="0")
    assert client.post("/visits/new", data=met).status_code == 303
    db.session.refresh(opened)
    assert opened.followup_closed_at is not None
    closing = db.session.scalar(select(AuditLog).where(AuditLog.action == "followup.close"))
    assert closing.object_id == str(opened.id) and closing.detail["by_visit"] == db.session.scalar(
        select(Visit.id).where(Visit.client_id == met["client_id"]))
    # Another team's follow-up cannot be closed this way: the visit is stored, that follow-up untouched.
    other = _visit_data(field["nguyen"], closes_followup="999999")
    assert client.post("/visits/new", data=other).status_code == 303


def test_a_households_visit_count_heads_its_history_and_see_all_lists_every_visit(field, login_as, make_visit):
    home, volunteer, leader = field["nguyen"], field["volunteer_a"], field["leader_a"]
    for hours in range(21):
        make_visit(home, leader if hours % 3 else volunteer, visited_at=utcnow() - timedelta(hours=hours + 1))
    rollups.rebuild()
    db.session.commit()
    client = login_as(volunteer)
    page = client.get(f"/households/{home.id}").get_data(as_text=True)
    assert "Lượt hỗ trợ <small" in page and "(21)</small>" in page
    assert page.count('<li class="list-item">') == 20  # the latest twenty, then the link to all of them
    assert f'href="/visits?household={home.id}">Xem tất cả 21 lượt' in page
    # The household's list holds the team-mates' visits too, with the same count.
    listed = client.get(f"/visits?household={home.id}").get_data(as_text=True)
    assert "21 lượt" in listed and listed.count('<li class="list-item">') == 21 and "Nguyễn Văn Bình" in listed
    assert login_as(field["volunteer_b"]).get(f"/visits?household={home.id}").status_code == 404
