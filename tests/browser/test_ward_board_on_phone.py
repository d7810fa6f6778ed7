"""The ward coordinator's board, visit review and targets on a 360-px phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Indicator, Role, Target
from app.services import rollups
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser


def test_ward_board_fits_the_phone_and_a_visit_can_be_flagged(
        phone, live_server, console_errors, screenshot, make_area, make_team, make_user, make_household, make_visit):
    areas = [make_area(WARD_A, name=f"Khu vực {n} Bờ Sông Cái Răng") for n in range(1, 4)]
    team = make_team(WARD_A, areas=areas, name="Tổ công nghệ số cộng đồng khu vực 1")
    volunteer = make_user(Role.VOLUNTEER, team=team, display_name="Trương Thị Hồng Nhung")
    for area in areas:
        make_visit(make_household(area), volunteer, visited_at=utcnow() - timedelta(days=1), level2_activated=1)
    today = local_today()
    db.session.add(Target(ward_code=WARD_A, indicator=Indicator.REACH, period_start=today - timedelta(days=60),
                          period_end=today + timedelta(days=60), value=30))
    rollups.rebuild()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, WARD_A, display_name="Lê Văn Tám")
    log_in(phone, live_server, coordinator.username)

    phone.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Bảng theo dõi xã, phường").click()
    expect(phone.get_by_role("heading", name="Phường Ninh Kiều")).to_be_visible()
    expect(phone.locator("#indicator-reach")).to_contain_text("Tỷ lệ hộ được tiếp cận")
    screenshot(phone, "ward-board")
    assert_fits_the_phone(phone)
    # The weekly trend as drawn on the phone: inside the screen, axis labels that can be read, the target line.
    trend = phone.locator("figure.chart.trend svg")
    expect(trend).to_be_visible()
    chart = trend.bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 360
    ticks = trend.locator("text.tick")
    assert ticks.count() >= 4  # visits on the left, shares on the right
    for i in range(ticks.count()):
        assert ticks.nth(i).evaluate("t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a") >= 10
    target = trend.locator("line.target").bounding_box()
    assert target and target["width"] > chart["width"] / 2 and chart["y"] <= target["y"] <= chart["y"] + chart["height"]
    expect(phone.locator("figure.chart.trend")).to_contain_text("Chỉ tiêu 30,00%")
    assert assert_thumb_sized(phone, "main button, main .btn, main .sort-link, main summary") >= 6

    phone.get_by_role("link", name="Xem xét lượt hỗ trợ").click()
    phone.locator("#ward-visits a").first.click()
    phone.get_by_role("button", name="Gắn cờ lượt hỗ trợ này").click()
    expect(phone.get_by_role("alert").first).to_be_visible()
    phone.get_by_label("Vì sao lượt hỗ trợ này có vẻ không hợp lý?").fill("Cùng giờ với hộ bên cạnh")
    phone.get_by_role("button", name="Gắn cờ lượt hỗ trợ này").click()
    expect(phone.locator("main")).to_contain_text("Lê Văn Tám gắn cờ lúc")
    screenshot(phone, "flagged")
    assert_fits_the_phone(phone)
    assert csp_violations(console_errors) == []
