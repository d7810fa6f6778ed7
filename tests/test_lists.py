"""The ward's lists for its coordinator: areas, teams, households; kept to its own ward."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, HouseholdStatus, Role, Team, User, Visit, member_areas
from app.services import rollups
from app.services.lists import areas as area_service
from tests.conftest import WARD_A, WARD_B, count


@pytest.fixture
def lists(world, make_area, make_household, make_visit, rollup_verified):
    area = world["team_a"].areas[0]
    tran = make_household(area, address="Số 12 Đường Mậu Thân", display_name="Trần Thị Hoa", priority_tags="near_poor")
    make_visit(tran, world["volunteer_a"], visited_at=utcnow() - timedelta(days=3))
    rollups.rebuild()  # the household's state and its area's counts, from the visit
    db.session.commit()
    return {
        **world,
        "area": area,
        "area_b": world["team_b"].areas[0],
        "nguyen": make_household(area, address="51/3 Hẻm 51, Đường 3 Tháng 2", display_name="Nguyễn Văn Bình",
                                 priority_tags="elderly_alone"),
        "tran": tran,
        "foreign": make_household(world["team_b"].areas[0], address="Số 7 Hẻm 51", display_name="Lê Văn Khác"),
    }


def _actions(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


# Areas ----------------------------------------------------------------------------------------------------

def test_coordinator_adds_renames_counts_and_retires_an_area(lists, login_as):
    client = login_as(lists["coordinator_a"])
    assert "Khu vực" in client.get("/lists/areas").get_data(as_text=True)
    response = client.post("/lists/areas", data={"name": "  Ấp Mỹ  Hòa ", "official_households": "420"})
    assert response.status_code == 303
    area = db.session.scalar(select(area_service.Area).where(area_service.Area.name == "Ấp Mỹ Hòa"))
    assert area.ward_code == WARD_A and area.official_households == 420

    assert client.post(f"/lists/areas/{area.id}", data={"name": "Ấp Mỹ Hòa 2", "official_households": ""}).status_code == 303
    db.session.refresh(area)
    assert area.name == "Ấp Mỹ Hòa 2" and area.official_households is None

    assert client.post(f"/lists/areas/{area.id}/retired", data={"retired": "1"}).status_code == 303
    db.session.refresh(area)
    assert area.retired
    # Retired: gone from the volunteers' picker and the team form, back again when used again.
    assert f'value="{area.id}"' not in login_as(lists["volunteer_a"]).get("/households/new").get_data(as_text=True)
    assert f'value="{area.id}"' not in client.get(f"/lists/teams/{lists['team_a'].id}").get_data(as_text=True)
    client.post(f"/lists/areas/{area.id}/retired", data={"retired": "0"})
    db.session.refresh(area)
    assert not area.retired
    assert [a.action for a in db.session.scalars(select(AuditLog).where(AuditLog.object_type == "area")
                                                  .order_by(AuditLog.id))] == [
        "area.create", "area.update", "area.retire", "area.restore"]


def test_retiring_an_area_keeps_its_households(lists, login_as):
    login_as(lists["coordinator_a"]).post(f"/lists/areas/{lists['area'].id}/retired", data={"retired": "1"})
    db.session.refresh(lists["nguyen"])
    assert lists["nguyen"].area_id == lists["area"].id and lists["nguyen"].status == HouseholdStatus.ACTIVE


@pytest.mark.parametrize("name", ["KHU VUC TRUNG", "Khu vực Trung"])
def test_an_area_name_is_unique_in_the_ward(lists, login_as, make_area, name):
    make_area(WARD_A, name="Khu vực Trung")
    make_area(WARD_B, name="Khu vực Nam")
    client = login_as(lists["coordinator_a"])
    before = count(area_service.Area)
    response = client.post("/lists/areas", data={"name": name})
    assert response.status_code == 422
    assert "Phường Ninh Kiều đã có khu vực mang tên này." in response.get_data(as_text=True)
    assert count(area_service.Area) == before
    # Another ward's name is free to use.
    assert client.post("/lists/areas", data={"name": "Khu vực Nam"}).status_code == 303


@pytest.mark.parametrize(("data", "message"), [
    ({"name": ""}, "Vui lòng nhập ô này."),
    ({"name": "x" * 10000}, "Không được dài quá 120 ký tự."),
    ({"name": "Khu vực Mới", "official_households": "-3"}, "Số phải từ 0 đến 100000."),
    ({"name": "Khu vực Mới", "official_households": "nhiều"}, "Cần nhập một số nguyên."),
])
def test_bad_area_input_is_explained_and_nothing_stored(lists, login_as, data, message):
    client = login_as(lists["coordinator_a"])
    before = count(area_service.Area)
    response = client.post("/lists/areas", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(area_service.Area) == before


# Teams ----------------------------------------------------------------------------------------------------

def test_coordinator_creates_a_team_and_gives_it_areas_and_members(lists, login_as, make_area, make_team, make_user):
    new_area = make_area(WARD_A, name="Khu vực Đông")
    other_team = make_team(WARD_A)
    mover = make_user(Role.VOLUNTEER, team=other_team, display_name="Phạm Văn Chuyển")
    db.session.execute(member_areas.insert().values(user_id=mover.id, area_id=other_team.areas[0].id))
    db.session.commit()
    client = login_as(lists["coordinator_a"])
    response = client.post("/lists/teams", data={"name": "Tổ CNSCĐ Khu vực Đông"})
    assert response.status_code == 303
    team = db.session.scalar(select(Team).where(Team.name == "Tổ CNSCĐ Khu vực Đông"))
    page = client.get(f"/lists/teams/{team.id}").get_data(as_text=True)
    assert "Phạm Văn Chuyển" in page and "Khu vực Đông" in page

    response = client.post(f"/lists/teams/{team.id}", data={
        "name": "Tổ Đông", "area_ids": [str(new_area.id)], "member_ids": [str(mover.id)]})
    assert response.status_code == 303
    db.session.expire_all()
    assert team.name == "Tổ Đông" and [a.id for a in team.areas] == [new_area.id]
    assert mover.team_id == team.id
    # The areas the member worked in the old team are forgotten with the move.
    assert not db.session.execute(select(member_areas).where(member_areas.c.user_id == mover.id)).first()
    detail = _actions("team.update")[0].detail
    assert detail["members_added"] == [mover.id] and detail["areas_added"] == [new_area.id] and detail["renamed"]


def test_coordinator_deactivates_a_team(lists, login_as):
    client = login_as(lists["coordinator_a"])
    assert client.post(f"/lists/teams/{lists['team_a'].id}/active", data={"active": "0"}).status_code == 303
    db.session.refresh(lists["team_a"])
    assert not lists["team_a"].active and _actions("team.disable")


def test_team_members_are_only_volunteers_and_team_leaders_of_the_ward(lists, login_as):
    client = login_as(lists["coordinator_a"])
    team = lists["team_a"]
    for stranger in (lists["youth_a"], lists["volunteer_b"], lists["coordinator_a"]):
        response = client.post(f"/lists/teams/{team.id}", data={"name": team.name, "member_ids": [str(stranger.id)]})
        assert response.status_code == 422
        assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)
    response = client.post(f"/lists/teams/{team.id}", data={"name": team.name, "area_ids": [str(lists["area_b"].id)]})
    assert response.status_code == 422
    db.session.expire_all()
    assert lists["volunteer_b"].team_id == lists["team_b"].id and lists["area_b"] not in team.areas
    assert not _actions("team.update")


def test_a_team_name_is_unique_in_the_ward(lists, login_as):
    client = login_as(lists["coordinator_a"])
    before = count(Team)
    response = client.post("/lists/teams", data={"name": lists["team_a"].name.upper()})
    assert response.status_code == 422 and "Phường Ninh Kiều đã có tổ mang tên này." in response.get_data(as_text=True)
    assert client.post("/lists/teams", data={"name": "x" * 10000}).status_code == 422
    assert count(Team) == before


def test_the_lists_link_to_the_users_pages(lists, login_as):
    body = login_as(lists["coordinator_a"]).get("/lists/").get_data(as_text=True)
    assert 'href="/admin/users"' in body and "Danh sách" in body


# Households -----------------------------------------------------------------------------------------------

def test_household_list_filters(lists, login_as, make_area, make_household):
    other = make_area(WARD_A, name="Khu vực Tây")
    make_household(other, address="Số 3 Đường Nguyễn Trãi", display_name="Võ Thị Lan", status="moved")
    client = login_as(lists["coordinator_a"])

    def names(**args):
        return client.get("/lists/households", query_string=args).get_data(as_text=True)

    everything = names()
    assert "Nguyễn Văn Bình" in everything and "Võ Thị Lan" in everything and "Lê Văn Khác" not in everything
    assert "Nguyễn Văn Bình" not in names(area=other.id)
    assert "Võ Thị Lan" in names(status="moved") and "Trần Thị Hoa" not in names(status="moved")
    assert "Trần Thị Hoa" in names(tag="near_poor") and "Nguyễn Văn Bình" not in names(tag="near_poor")
    assert "Nguyễn Văn Bình" not in names(tag="poor")  # "poor" does not match "near_poor"
    stale = names(stale="y")
    assert "Nguyễn Văn Bình" in stale and "Trần Thị Hoa" not in stale
    assert "Nguyễn Văn Bình" in names(q="nguyen van binh") and "Trần Thị Hoa" not in names(q="nguyen van binh")


def test_household_list_pages_and_answers_htmx_with_the_table(lists, login_as, make_household):
    for n in range(55):
        make_household(lists["area"], address=f"Số {n} Đường Trần Phú")
    client = login_as(lists["coordinator_a"])
    first = client.get("/lists/households?q=tran phu", headers={"HX-Request": "true"}).get_data(as_text=True)
    # Numbers by value (Số 2 before Số 11), 50 a page, and where the reader is.
    assert "<html" not in first and "55 hộ" in first and "Trang 1 / 2" in first
    assert first.index("Số 2 Đường") < first.index("Số 11 Đường") and "Số 49 Đường" in first and "Số 50 Đường" not in first
    assert "page=2" in first
    second = client.get("/lists/households?q=tran phu&page=2").get_data(as_text=True)
    assert "Số 50 Đường" in second and "Số 54 Đường" in second and "Trang 2 / 2" in second


def test_addresses_are_in_natural_vietnamese_order(lists, login_as, make_household):
    for address in ("Hẻm 101 Lê Lợi", "Hẻm 11 Lê Lợi", "Đường Âu Cơ", "Hẻm 2 Lê Lợi", "Dốc Đá"):
        make_household(lists["area"], address=address)
    body = login_as(lists["coordinator_a"]).get("/lists/households").get_data(as_text=True)
    order = ["Dốc Đá", "Đường Âu Cơ", "Hẻm 2 Lê Lợi", "Hẻm 11 Lê Lợi", "Hẻm 101 Lê Lợi"]
    assert [body.index(a) for a in order] == sorted(body.index(a) for a in order)


@pytest.mark.parametrize("args", [{"area": "999999"}, {"status": "deleted"}, {"q": "x" * 10000}, {"area": "abc"}])
def test_bad_filters_are_refused(lists, login_as, args):
    response = login_as(lists["coordinator_a"]).get("/lists/households", query_string=args)
    assert response.status_code == 422 and "flash-error" in response.get_data(as_text=True)


def _household_form(area, **overrides):
    data = {"area_id": str(area.id), "address": "51/3 Hẻm 51, Đường 3 Tháng 2", "display_name": "Nguyễn Văn Bình",
            "people": "5", "eligible_people": "4", "phone": "0901 234 567", "phone_consent": "y",
            "priority_tags": ["elderly_alone", "poor"], "tags_consent": "y"}
    data.update(overrides)
    return data


def test_coordinator_edits_a_household(lists, login_as):
    home = lists["nguyen"]
    response = login_as(lists["coordinator_a"]).post(f"/lists/households/{home.id}", data=_household_form(
        lists["area"], display_name="Nguyễn Văn Bính"))
    assert response.status_code == 303
    db.session.refresh(home)
    assert (home.people, home.eligible_people, home.phone, home.tags) == (5, 4, "0901 234 567", ["elderly_alone", "poor"])
    assert home.search_key == "51/3 hem 51, duong 3 thang 2 nguyen van binh" and home.phone_consent_at is not None
    assert _actions("household.update")[0].detail["fields"] == [
        "display_name", "eligible_people", "people", "phone", "phone_consent_at", "priority_tags", "tags_consent_at"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"address": ""}, "Vui lòng nhập ô này."),
    ({"address": "x" * 10000}, "Không được dài quá 200 ký tự."),
    ({"people": "-1"}, "Số phải từ 1 đến 50."),
    ({"people": "nhiều"}, "Cần nhập một số nguyên."),
    ({"eligible_people": "9"}, "không thể nhiều hơn số người"),
    ({"phone_consent": ""}, "chỉ được lưu khi hộ đồng ý"),
    ({"display_name": "CCCD 079 123 456 789"}, "số căn cước"),
    ({"area_id": "0"}, "Lựa chọn không hợp lệ"),
])
def test_bad_household_edits_are_refused_and_nothing_changes(lists, login_as, overrides, message):
    home = lists["nguyen"]
    response = login_as(lists["coordinator_a"]).post(f"/lists/households/{home.id}",
                                                     data=_household_form(lists["area"], **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(home)
    assert home.display_name == "Nguyễn Văn Bình" and home.people == 4 and home.phone is None


def test_a_household_cannot_have_fewer_eligible_people_than_have_level_2(lists, login_as, make_visit):
    home = lists["nguyen"]
    make_visit(home, lists["volunteer_a"], level2_activated=3)
    rollups.rebuild()
    db.session.commit()
    response = login_as(lists["coordinator_a"]).post(f"/lists/households/{home.id}",
                                                     data=_household_form(lists["area"], eligible_people="2"))
    assert response.status_code == 422 and "đã có 3 người có định danh mức 2" in response.get_data(as_text=True)


def test_merging_moves_the_visits_and_recomputes_the_survivor(lists, login_as, make_household, make_visit):
    survivor = lists["nguyen"]
    duplicate = make_household(lists["area"], address="51/3 hẻm 51 đường 3/2", display_name="Ông Bình")
    moved = make_visit(duplicate, lists["volunteer_a"], level2_activated=2, cashless_setup=True)
    rollups.rebuild()
    db.session.commit()
    client = login_as(lists["coordinator_a"])
    page = client.get(f"/lists/households/{survivor.id}/merge?q=ong binh").get_data(as_text=True)
    assert "Ông Bình" in page and "Trần Thị Hoa" not in page

    response = client.post(f"/lists/households/{survivor.id}/merge", data={"other_id": str(duplicate.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert duplicate.status == HouseholdStatus.MERGED and duplicate.merged_into_id == survivor.id
    assert db.session.scalar(select(Visit.household_id).where(Visit.id == moved.id)) == survivor.id
    assert (survivor.people_level2, survivor.cashless, survivor.reached_at is not None) == (2, True, True)
    assert (duplicate.people_level2, duplicate.cashless) == (0, False)
    assert _actions("household.merge")[0].detail == {"merged": duplicate.id, "visits": 1}


def test_merging_needs_the_same_area_and_two_households(lists, login_as, make_area, make_household):
    elsewhere = make_household(make_area(WARD_A), address="Số 1 Đường Khác")
    client = login_as(lists["coordinator_a"])
    survivor = lists["nguyen"]
    for other in (elsewhere.id, survivor.id, lists["foreign"].id, "abc", ""):
        response = client.post(f"/lists/households/{survivor.id}/merge", data={"other_id": str(other)})
        assert response.status_code == 422
    db.session.expire_all()
    assert elsewhere.status == survivor.status == lists["foreign"].status == HouseholdStatus.ACTIVE
    assert not _actions("household.merge")


def test_erasing_removes_personal_data_but_keeps_the_figures(lists, login_as, make_visit):
    home = lists["nguyen"]
    home.phone, home.phone_consent_at = "0907 000 111", utcnow()
    db.session.commit()
    make_visit(home, lists["volunteer_a"], note="Bác Bình hẹn chiều thứ Bảy", other_help="Gọi 0907 000 111",
               followup_needed=True, followup_reason="Bác Bình cần con trai về", level2_activated=2)
    rollups.rebuild()
    db.session.commit()
    client = login_as(lists["coordinator_a"])
    client.post(f"/lists/households/{home.id}", data=_household_form(lists["area"], phone="0907 000 111"))

    refused = client.post(f"/lists/households/{home.id}/erase", data={})
    assert refused.status_code == 422 and "Đánh dấu ô để xác nhận" in refused.get_data(as_text=True)
    response = client.post(f"/lists/households/{home.id}/erase", data={"confirm": "y"})
    assert response.status_code == 303

    db.session.expire_all()
    assert home.address is None and home.display_name is None and home.phone is None
    assert home.phone_consent_at is None and home.search_key == home.address_key == "" and home.erased_at
    assert (home.people, home.eligible_people, home.people_level2, home.status) == (5, 4, 2, HouseholdStatus.ACTIVE)
    visit = db.session.scalar(select(Visit).where(Visit.household_id == home.id))
    assert visit.note is None and visit.other_help is None and visit.followup_reason is None and visit.followup_needed
    audit_text = " ".join(str(row.detail) + str(row.object_id) for row in db.session.scalars(select(AuditLog)))
    for personal in ("Bình", "Binh", "51/3", "Hẻm", "0907", "0901"):
        assert personal not in audit_text
    page = client.get(f"/lists/households/{home.id}").get_data(as_text=True)
    assert "Hộ đã xóa thông tin" in page and "Nguyễn Văn Bình" not in page
    assert "Nguyễn Văn Bình" not in client.get("/lists/households").get_data(as_text=True)


# Scope ----------------------------------------------------------------------------------------------------

def _other_ward_routes(lists):
    area, team, home = lists["area_b"].id, lists["team_b"].id, lists["foreign"].id
    return [
        ("get", f"/lists/areas/{area}", None),
        ("post", f"/lists/areas/{area}", {"name": "Bị đổi"}),
        ("post", f"/lists/areas/{area}/retired", {"retired": "1"}),
        ("get", f"/lists/teams/{team}", None),
        ("post", f"/lists/teams/{team}", {"name": "Bị đổi"}),
        ("post", f"/lists/teams/{team}/active", {"active": "0"}),
        ("get", f"/lists/households/{home}", None),
        ("post", f"/lists/households/{home}", _household_form(lists["area_b"], display_name="Bị đổi")),
        ("get", f"/lists/households/{home}/merge", None),
        ("post", f"/lists/households/{home}/merge", {"other_id": str(lists["nguyen"].id)}),
        ("post", f"/lists/households/{home}/erase", {"confirm": "y"}),
    ]


def test_another_wards_lists_are_not_found_and_unchanged(lists, login_as):
    client = login_as(lists["coordinator_a"])
    for method, url, data in _other_ward_routes(lists):
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, url
        assert "không tồn tại" in response.get_data(as_text=True)
    db.session.expire_all()
    assert lists["area_b"].name != "Bị đổi" and not lists["area_b"].retired
    assert lists["team_b"].name != "Bị đổi" and lists["team_b"].active
    assert lists["foreign"].display_name == "Lê Văn Khác" and lists["foreign"].erased_at is None
    assert lists["nguyen"].status == HouseholdStatus.ACTIVE
    assert len(_actions("denied.scope")) == len(_other_ward_routes(lists))


def test_a_household_from_another_ward_cannot_be_merged_in(lists, login_as):
    client = login_as(lists["coordinator_a"])
    response = client.post(f"/lists/households/{lists['nguyen'].id}/merge",
                           data={"other_id": str(lists["foreign"].id)})
    assert response.status_code == 422
    db.session.expire_all()
    assert lists["foreign"].status == HouseholdStatus.ACTIVE


@pytest.mark.parametrize("role", ["volunteer_a", "leader_a", "youth_a", "admin"])
def test_other_roles_are_refused(lists, login_as, role):
    client = login_as(lists[role])
    home, area, team = lists["nguyen"], lists["area"], lists["team_a"]
    for method, url, data in [
        ("get", "/lists/", None), ("get", "/lists/areas", None), ("post", "/lists/areas", {"name": "Khu mới"}),
        ("post", f"/lists/areas/{area.id}/retired", {"retired": "1"}), ("post", "/lists/teams", {"name": "Tổ mới"}),
        ("post", f"/lists/teams/{team.id}/active", {"active": "0"}), ("get", "/lists/households", None),
        ("post", f"/lists/households/{home.id}/erase", {"confirm": "y"}), ("get", "/lists/import", None),
        ("get", "/lists/import/template.csv", None),
    ]:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 403, url
        assert "Bạn không có quyền" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not area.retired and team.active and home.erased_at is None
    assert count(Team) == 2 and not db.session.scalar(select(User).where(User.display_name == "Khu mới"))


def test_lists_need_a_login(client):
    assert client.get("/lists/").status_code == 302
