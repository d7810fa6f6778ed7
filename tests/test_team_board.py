"""The team board (/team): areas' reach and level-2 coverage, members' week, follow-ups, area assignments."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, HouseholdStatus, Role, member_areas
from tests.conftest import WARD_A, count, queries_for

# Wednesday 15/10/2025, 10:00 in Vietnam.
NOW = datetime(2025, 10, 15, 3, 0)


pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def board(make_area, make_team, make_user, make_household, make_visit, world):
    """Team A with two areas and hand-countable households; team B and the other roles from `world`."""
    river = make_area(WARD_A, name="Khu vực Bờ Sông", official_households=10)
    market = make_area(WARD_A, name="Khu vực Chợ")
    team = make_team(WARD_A, areas=[river, market], name="Tổ CNSCĐ Bờ Sông")
    leader = make_user(Role.TEAM_LEADER, team=team, display_name="Trần Thị Tổ Trưởng")
    lan = make_user(Role.VOLUNTEER, team=team, display_name="Nguyễn Thị Lan")
    minh = make_user(Role.VOLUNTEER, team=team, display_name="Lê Văn Minh")
    reached = datetime(2025, 10, 1)
    # River: 4 active households (2 reached) of an official 10; level 2: 1 + 2 of 4 x 3 eligible.
    make_household(river, eligible_people=3, people_level2=1, reached_at=reached)
    make_household(river, eligible_people=3, people_level2=2, reached_at=reached)
    make_household(river, eligible_people=3)
    home = make_household(river, eligible_people=3)
    make_household(river, eligible_people=3, people_level2=3, reached_at=reached, status=HouseholdStatus.MOVED)
    # Market: 3 active households, all reached; level 2: 2 + 2 + 0 of 3 x 2 eligible.
    for level2 in (2, 2, 0):
        make_household(market, eligible_people=2, people_level2=level2, reached_at=reached)
    # Visits this week: Lan 2, Minh 1 (plus one last week and one flagged that do not count).
    make_visit(home, lan, visited_at=datetime(2025, 10, 13, 2))
    make_visit(home, lan, visited_at=datetime(2025, 10, 15, 1), followup_needed=True,
               followup_due=date(2025, 10, 14), followup_reason="Hẹn quay lại cài VNeID")
    make_visit(home, minh, visited_at=datetime(2025, 10, 14), followup_needed=True, followup_due=date(2025, 10, 30))
    make_visit(home, minh, visited_at=datetime(2025, 10, 10))
    make_visit(home, minh, visited_at=datetime(2025, 10, 14), flagged=True)
    return {**world, "team": team, "leader": leader, "lan": lan, "minh": minh, "river": river, "market": market}


def test_board_shows_reach_and_level2_coverage_per_area(board, login_as, frozen_clock):
    response = login_as(board["leader"]).get("/team")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tổ CNSCĐ Bờ Sông" in body and "Bảng theo dõi của tổ" in body
    river, market = body.index("Khu vực Bờ Sông"), body.index("Khu vực Chợ")
    # Reach uses the official count (10) where it is larger than the 4 registered households.
    assert body.index("2 / 10 (20,00%)", river) < body.index("3 / 12 (25,00%)", river) < market
    assert body.index("3 / 3 (100,00%)", market) < body.index("4 / 6 (66,67%)", market)
    assert 'value="2" max="10"' in body and "Tỷ lệ hộ được tiếp cận" in body
    assert "Tỷ lệ bao phủ định danh điện tử mức 2" in body
    assert "style=" not in body


def test_board_shows_members_week_and_follow_ups(board, login_as, frozen_clock):
    body = login_as(board["leader"]).get("/team").get_data(as_text=True)
    table = body[body.index("Tổ viên trong tuần này"):body.index("</table>")]
    rows = {name: table.index(name) for name in ("Lê Văn Minh", "Nguyễn Thị Lan", "Trần Thị Tổ Trưởng")}
    assert '<td class="num">1</td>' in table[rows["Lê Văn Minh"]:rows["Nguyễn Thị Lan"]]
    assert '<td class="num">2</td>' in table[rows["Nguyễn Thị Lan"]:rows["Trần Thị Tổ Trưởng"]]
    assert '<td class="num">0</td>' in table[rows["Trần Thị Tổ Trưởng"]:]
    assert '<span class="stat-value">2</span><span class="stat-label">Chưa xong</span>' in body
    assert '<span class="stat-value">1</span><span class="stat-label">Quá hạn</span>' in body
    assert "Hẹn quay lại cài VNeID" in body
    # The open count heads the list: both open follow-ups are there, the one due in two weeks too.
    assert body.count("Ghi lượt quay lại") == 2 and "30/10/2025" in body


def test_a_follow_up_closed_from_the_board_can_be_undone_there(board, login_as):
    leader = login_as(board["leader"])
    visit_id = re.search(r'/followups/(\d+)/close\?next=/team"', leader.get("/team").get_data(as_text=True))[1]
    assert leader.post(f"/followups/{visit_id}/close", data={"next": "/team"}).headers["Location"] == "/team"
    body = leader.get("/team").get_data(as_text=True)
    assert "mà không ghi lượt quay lại" in body and f'action="/followups/{visit_id}/reopen"' in body
    assert '<span class="stat-value">1</span><span class="stat-label">Chưa xong</span>' in body


def test_htmx_request_gets_only_the_board_fragment(board, login_as):
    body = login_as(board["leader"]).get("/team", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="team-board">')
    assert "<html" not in body and "Phân công khu vực" in body


@pytest.mark.parametrize("who", ["volunteer_a", "coordinator_a", "youth_a", "admin", "lan"])
def test_only_team_leaders_open_the_board(board, login_as, who):
    client = login_as(board[who])
    assert client.get("/team").status_code == 403
    assert client.post("/team/assignments", data={"members": [board["lan"].id]}).status_code == 403
    assert count(member_areas) == 0


@pytest.mark.parametrize("who,shown", [("leader", True), ("lan", False)])
def test_board_link_in_the_leaders_navigation_only(board, login_as, who, shown):
    assert ('href="/team"' in login_as(board[who]).get("/").get_data(as_text=True)) is shown


def _stored_pairs() -> set[tuple[int, int]]:
    return set(db.session.execute(select(member_areas.c.user_id, member_areas.c.area_id)))


def test_assigning_areas_replaces_the_members_areas_and_is_audited(board, login_as):
    lan, minh, river, market = board["lan"], board["minh"], board["river"], board["market"]
    db.session.execute(member_areas.insert(), [{"user_id": lan.id, "area_id": market.id}])
    db.session.commit()
    leader = login_as(board["leader"])
    response = leader.post("/team/assignments", data={
        "members": [lan.id, minh.id], "pairs": [f"{lan.id}:{river.id}", f"{minh.id}:{river.id}", f"{minh.id}:{market.id}"],
    })
    assert response.status_code == 303 and response.location.endswith("/team#assignments")
    assert _stored_pairs() == {(lan.id, river.id), (minh.id, river.id), (minh.id, market.id)}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "team.assign_areas"))
    assert entry.object_id == str(board["team"].id) and entry.actor_id == board["leader"].id
    assert entry.detail["removed"] == [[lan.id, market.id]] and len(entry.detail["added"]) == 3
    body = leader.get("/team").get_data(as_text=True)
    assert "Đã lưu phân công khu vực." in body
    assert re.search(f'value="{minh.id}:{market.id}"\\s+checked', body)
    assert not re.search(f'value="{lan.id}:{market.id}"\\s+checked', body)


def test_members_left_out_of_the_form_keep_their_areas(board, login_as):
    lan, minh, river = board["lan"], board["minh"], board["river"]
    db.session.execute(member_areas.insert(), [{"user_id": minh.id, "area_id": river.id}])
    db.session.commit()
    login_as(board["leader"]).post("/team/assignments", data={"members": [lan.id], "pairs": []})
    assert _stored_pairs() == {(minh.id, river.id)}


def test_htmx_save_answers_with_the_assignments_fragment(board, login_as):
    lan, river = board["lan"], board["river"]
    response = login_as(board["leader"]).post(
        "/team/assignments", data={"members": [lan.id], "pairs": [f"{lan.id}:{river.id}"]},
        headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="assignments"') and "<html" not in body
    assert "Đã lưu phân công khu vực." in body
    assert _stored_pairs() == {(lan.id, river.id)}


@pytest.mark.parametrize("foreign", ["member", "area", "pair_member"])
def test_an_id_outside_the_team_is_404_and_changes_nothing(board, login_as, make_user, foreign):
    lan, river = board["lan"], board["river"]
    db.session.execute(member_areas.insert(), [{"user_id": lan.id, "area_id": river.id}])
    db.session.commit()
    other_member, other_area = board["volunteer_b"].id, board["team_b"].areas[0].id
    data = {
        "member": {"members": [lan.id, other_member], "pairs": []},
        "area": {"members": [lan.id], "pairs": [f"{lan.id}:{other_area}"]},
        "pair_member": {"members": [lan.id], "pairs": [f"{other_member}:{river.id}"]},
    }[foreign]
    audits = count(AuditLog)
    response = login_as(board["leader"]).post("/team/assignments", data=data)
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)
    assert _stored_pairs() == {(lan.id, river.id)}
    denied = db.session.scalars(select(AuditLog.action).where(AuditLog.id > audits)).all()
    assert "team.assign_areas" not in denied and "denied.scope" in denied


def test_leader_of_another_team_cannot_touch_this_team(board, login_as, make_user):
    other_leader = make_user(Role.TEAM_LEADER, team=board["team_b"])
    client = login_as(other_leader)
    assert "Tổ CNSCĐ Bờ Sông" not in client.get("/team").get_data(as_text=True)
    lan, river = board["lan"], board["river"]
    response = client.post("/team/assignments", data={"members": [lan.id], "pairs": [f"{lan.id}:{river.id}"]})
    assert response.status_code == 404
    assert count(member_areas) == 0


@pytest.mark.parametrize("data", [{"members": [], "pairs": []}, {"members": ["x"]}, {"members": ["1"], "pairs": ["1-2"]}])
def test_malformed_form_is_422_and_stores_nothing(board, login_as, data):
    response = login_as(board["leader"]).post("/team/assignments", data=data, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith('<section id="assignments"')
    assert body.count("Biểu mẫu không được gửi đúng. Vui lòng tải lại trang và thử lại.") == 1
    assert count(member_areas) == 0
    assert not db.session.scalar(select(AuditLog).where(AuditLog.action == "team.assign_areas"))


def test_malformed_form_without_javascript_gets_a_full_page(board, login_as):
    response = login_as(board["leader"]).post("/team/assignments", data={"members": []})
    assert response.status_code == 422
    assert "<html" in response.get_data(as_text=True)


def test_query_count_does_not_grow_with_areas_and_members(board, login_as, make_area, make_user, make_household,
                                                          make_visit, app, frozen_clock):
    client = login_as(board["leader"])

    with_two_areas = queries_for(client, "/team")
    team = board["team"]
    for _ in range(4):
        area = make_area(WARD_A)
        team.areas.append(area)
        member = make_user(Role.VOLUNTEER, team=team)
        db.session.execute(member_areas.insert(), [{"user_id": member.id, "area_id": area.id}])
        make_visit(make_household(area, reached_at=NOW), member, visited_at=NOW, followup_needed=True,
                   followup_due=date(2025, 10, 1))
    db.session.commit()
    assert len(team.areas) == 6
    assert queries_for(client, "/team") == with_two_areas
