"""The "Hôm nay" home of volunteers and team leaders: my visits, my team's week, follow-ups due."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditLog, Outcome, Role
from app.services import rollups

# Wednesday 15/10/2025, 10:00 in Vietnam. Its week starts Monday 13/10 00:00 local = 12/10 17:00 UTC.
NOW = datetime(2025, 10, 15, 3, 0)


pytestmark = pytest.mark.frozen_at(NOW)


def stats(body: str) -> dict[str, str]:
    return {label: value for value, label in
            re.findall(r'stat-value">([^<]*)</span><span class="stat-label">([^<]*)<', body)}


def test_local_day_and_week_are_vietnamese_and_returned_as_naive_utc():
    assert clock.local_today(datetime(2025, 10, 14, 16, 59)) == date(2025, 10, 14)
    assert clock.local_today(datetime(2025, 10, 14, 17, 0)) == date(2025, 10, 15)
    assert clock.local_day_bounds(date(2025, 10, 15)) == (datetime(2025, 10, 14, 17), datetime(2025, 10, 15, 17))
    week = (datetime(2025, 10, 12, 17), datetime(2025, 10, 19, 17))
    assert clock.local_week_bounds(date(2025, 10, 13)) == week  # Monday
    assert clock.local_week_bounds(date(2025, 10, 19)) == week  # Sunday


@pytest.fixture
def week_of_visits(world, make_household, make_visit, make_user):
    team_a = world["team_a"]
    area = team_a.areas[0]
    first, second, third = (make_household(area) for _ in range(3))
    volunteer, leader = world["volunteer_a"], world["leader_a"]
    # Local Wednesday 00:00 and 09:00: today.
    make_visit(first, volunteer, visited_at=datetime(2025, 10, 14, 17, 0), level2_activated=2)
    make_visit(second, volunteer, visited_at=datetime(2025, 10, 15, 2, 0), outcome=Outcome.NOBODY_HOME)
    # Local Monday 00:00: this week; the same household met again counts once.
    make_visit(first, volunteer, visited_at=datetime(2025, 10, 12, 17, 0), level2_activated=1)
    # Local Sunday 23:59 of last week: not counted.
    make_visit(third, volunteer, visited_at=datetime(2025, 10, 12, 16, 59), level2_activated=5)
    # Flagged as implausible by the coordinator: not counted.
    make_visit(third, volunteer, visited_at=datetime(2025, 10, 15, 1, 0), level2_activated=3, flagged=True)
    make_visit(third, leader, visited_at=datetime(2025, 10, 13, 5, 0), level2_activated=1)
    # Another team's visit this week.
    make_visit(make_household(world["team_b"].areas[0]), world["volunteer_b"],
               visited_at=datetime(2025, 10, 14, 2, 0), level2_activated=4)
    return world


def test_volunteer_home_shows_my_visits_and_my_teams_week(week_of_visits, login_as, frozen_clock):
    response = login_as(week_of_visits["volunteer_a"]).get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    figures_shown = stats(body)
    assert figures_shown["Hôm nay"] == "2"
    assert figures_shown["Tuần này"] == "3"
    assert figures_shown["Lượt hỗ trợ"] == "4"
    assert figures_shown["Hộ đã gặp"] == "2"
    assert figures_shown["Kích hoạt định danh mức 2"] == "4"
    assert "Lượt hỗ trợ của tôi" in body and "Tổ của tôi tuần này" in body
    assert "Tổ viên" in body and week_of_visits["team_a"].name in body


def test_leader_sees_its_own_visits_and_the_same_team_figures(week_of_visits, login_as, frozen_clock):
    body = login_as(week_of_visits["leader_a"]).get("/").get_data(as_text=True)
    shown = stats(body)
    assert (shown["Hôm nay"], shown["Tuần này"], shown["Lượt hỗ trợ"]) == ("0", "1", "4")


def test_other_team_sees_only_its_own_figures(week_of_visits, login_as, frozen_clock):
    shown = stats(login_as(week_of_visits["volunteer_b"]).get("/").get_data(as_text=True))
    assert (shown["Tuần này"], shown["Lượt hỗ trợ"], shown["Kích hoạt định danh mức 2"]) == ("1", "1", "4")


def test_htmx_request_gets_only_the_figures_fragment(week_of_visits, login_as, frozen_clock):
    response = login_as(week_of_visits["volunteer_a"]).get("/", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="today">')
    assert "<html" not in body and "bottomnav" not in body
    assert stats(body)["Tuần này"] == "3"


def test_open_follow_ups_most_urgent_first_under_their_count(world, make_household, make_visit, login_as,
                                                            frozen_clock):
    area, volunteer = world["team_a"].areas[0], world["volunteer_a"]

    def followup(address, **fields):
        make_visit(make_household(area, address=address), volunteer, visited_at=datetime(2025, 10, 10),
                   followup_needed=True, followup_reason="Chờ công an duyệt mức 2", **fields)

    followup("Số 1 Hẻm Quá Hạn", followup_due=date(2025, 10, 14))
    followup("Số 2 Hẻm Tuần Sau", followup_due=date(2025, 10, 22))
    followup("Số 3 Hẻm Còn Xa", followup_due=date(2025, 11, 23))
    followup("Số 4 Hẻm Đã Xong", followup_due=date(2025, 10, 14), followup_closed_at=datetime(2025, 10, 14))
    followup("Số 5 Hẻm Chưa Hẹn", followup_due=None)
    make_visit(make_household(world["team_b"].areas[0], address="Số 6 Tổ Khác"), world["volunteer_b"],
               followup_needed=True, followup_due=date(2025, 10, 14))

    body = login_as(world["leader_a"]).get("/").get_data(as_text=True)
    # The count heads the list it counts: four open, one of them overdue, all four listed.
    assert stats(body)["Chưa xong"] == "4" and stats(body)["Quá hạn"] == "1"
    order = [body.index(a) for a in ("Số 1 Hẻm Quá Hạn", "Số 2 Hẻm Tuần Sau", "Số 3 Hẻm Còn Xa", "Số 5 Hẻm Chưa Hẹn")]
    assert order == sorted(order)
    for absent in ("Số 4 Hẻm Đã Xong", "Số 6 Tổ Khác"):
        assert absent not in body
    assert body.count('badge badge-danger">Quá hạn') == 1
    assert "14/10/2025" in body and "22/10/2025" in body and "Chưa hẹn ngày" in body
    assert "Chờ công an duyệt mức 2" in body
    assert "Xem tất cả" not in body  # all of them are on the page


def test_a_long_follow_up_list_shows_the_first_ten_and_pages_through_all(world, make_household, make_visit,
                                                                         login_as):
    area, volunteer = world["team_a"].areas[0], world["volunteer_a"]
    for day in range(1, 13):
        make_visit(make_household(area, address=f"Số {day} Hẻm Hẹn"), volunteer, visited_at=datetime(2025, 10, 1),
                   followup_needed=True, followup_due=date(2025, 10, day))
    client = login_as(world["volunteer_a"])
    home = client.get("/").get_data(as_text=True)
    assert stats(home)["Chưa xong"] == "12" and stats(home)["Quá hạn"] == "12"
    assert home.count("Ghi lượt quay lại") == 10 and "Số 10 Hẻm Hẹn" in home and "Số 11 Hẻm Hẹn" not in home
    assert 'href="/followups">Xem tất cả 12 hẹn chưa xong' in home
    page = client.get("/followups").get_data(as_text=True)
    assert stats(page)["Chưa xong"] == "12" and page.count("Ghi lượt quay lại") == 12
    assert "Số 12 Hẻm Hẹn" in page and "Xem tất cả" not in page
    # Another team sees none of them; staff have no team list.
    other = login_as(world["volunteer_b"]).get("/followups").get_data(as_text=True)
    assert stats(other)["Chưa xong"] == "0" and "Hẻm Hẹn" not in other
    assert login_as(world["coordinator_a"]).get("/followups").status_code == 403


def test_no_follow_ups_says_so(world, login_as):
    body = login_as(world["volunteer_a"]).get("/").get_data(as_text=True)
    assert "Không có hộ nào cần quay lại." in body
    assert stats(body)["Hôm nay"] == "0"


def test_today_count_heads_the_visits_listed_and_see_all_shows_the_day(world, make_household, make_visit,
                                                                        login_as):
    area, volunteer = world["team_a"].areas[0], world["volunteer_a"]
    for minute in range(11):
        make_visit(make_household(area, address=f"Số {minute} Hẻm Hôm Nay"), volunteer,
                   visited_at=datetime(2025, 10, 15, 1, minute))
    make_visit(make_household(area, address="Số 99 Hẻm Bị Đánh Dấu"), volunteer, visited_at=datetime(2025, 10, 15, 2),
               flagged=True)
    make_visit(make_household(area, address="Số 7 Hẻm Hôm Qua"), volunteer, visited_at=datetime(2025, 10, 14, 2))
    client = login_as(volunteer)
    home = client.get("/").get_data(as_text=True)
    # A flagged visit does not count, so it is not in the list the count heads either.
    assert stats(home)["Hôm nay"] == "11" and "Hẻm Bị Đánh Dấu" not in home
    assert home.count("Hẻm Hôm Nay") == 10 and "Số 10 Hẻm Hôm Nay" in home and "Số 0 Hẻm Hôm Nay" not in home
    assert 'href="/visits?day=2025-10-15">Xem tất cả 11 lượt hôm nay' in home
    day = client.get("/visits?day=2025-10-15").get_data(as_text=True)
    assert "12 lượt ngày 15/10/2025" in day and day.count("Hẻm Hôm Nay") == 11 and "Hẻm Hôm Qua" not in day
    assert "Hẻm Bị Đánh Dấu" in day and "bị đánh dấu: không tính" in day
    wrong = client.get("/visits?day=15-10-2025").get_data(as_text=True)
    assert "Ngày không hợp lệ" in wrong and "Hẻm Hôm Qua" in wrong


def test_home_has_the_big_log_a_visit_button(world, login_as):
    body = login_as(world["volunteer_a"]).get("/").get_data(as_text=True)
    assert "Ghi lượt hỗ trợ" in body and 'href="/visits/new"' in body


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.YOUTH_LEADER, Role.ADMIN])
def test_other_roles_keep_the_scope_summary(world, login_as, role):
    user = next(u for u in world.values() if getattr(u, "role", None) == role)
    body = login_as(user).get("/").get_data(as_text=True)
    assert "Khu vực" in body and "Lượt hỗ trợ của tôi" not in body and "Ghi lượt hỗ trợ" not in body


def test_a_follow_up_closed_without_a_visit_is_confirmed_and_can_be_undone(world, make_household, make_visit,
                                                                          login_as, frozen_clock, rollup_verified):
    household = make_household(world["team_a"].areas[0], address="Số 8 Hẻm Chờ")
    opened = make_visit(household, world["volunteer_a"], visited_at=datetime(2025, 10, 13, 2), followup_needed=True,
                        followup_reason="Chờ công an duyệt mức 2", followup_due=date(2025, 10, 16))
    rollups.rebuild()
    db.session.commit()
    client = login_as(world["volunteer_a"])
    home = client.get("/").get_data(as_text=True)
    # From the list: log the return visit (the way that counts), or close it after a second question.
    assert f'href="/visits/new?household={household.id}&amp;followup={opened.id}"' in home and "Ghi lượt quay lại" in home
    assert f"/followups/{opened.id}/close?next=/" in home
    confirm = client.get(f"/followups/{opened.id}/close?next=/").get_data(as_text=True)
    assert "Số 8 Hẻm Chờ" in confirm and "không được tính điểm thi đua" in confirm
    assert client.post(f"/followups/{opened.id}/close", data={"next": "/"}).status_code == 303
    db.session.refresh(opened)
    assert opened.followup_closed_at is not None
    home = client.get("/").get_data(as_text=True)
    assert "Đã đóng hẹn của Số 8 Hẻm Chờ mà không ghi lượt quay lại." in home and "Hoàn tác" in home
    assert "Hoàn tác" not in client.get("/").get_data(as_text=True)  # offered once
    assert client.post(f"/followups/{opened.id}/reopen", data={"next": "/"}).status_code == 303
    db.session.refresh(opened)
    assert opened.followup_closed_at is None and "Số 8 Hẻm Chờ" in client.get("/").get_data(as_text=True)
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == str(opened.id))).all()
    assert "followup.close" in actions and "followup.reopen" in actions
    # Another team's member cannot reopen it; reopening an open one says so.
    assert login_as(world["volunteer_b"]).post(f"/followups/{opened.id}/reopen").status_code == 404
    client.post(f"/followups/{opened.id}/reopen", data={"next": "/"})
    assert "Hẹn hỗ trợ lại này vẫn đang mở." in client.get("/").get_data(as_text=True)
