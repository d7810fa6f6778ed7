"""A youth-union leader runs a province campaign on a 360-px phone; its public board opens with no login."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Role
from app.services import rollups
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A, WARD_B

pytestmark = pytest.mark.browser


def test_leaderboard_and_public_board_fit_the_phone(
        phone, browser, live_server, console_errors, screenshot, make_area, make_team, make_user, make_household,
        make_visit):
    river = make_team(WARD_A, areas=[make_area(WARD_A, name="Khu vực Bờ Sông")], name="Tổ công nghệ số cộng đồng Bờ Sông")
    market = make_team(WARD_B, areas=[make_area(WARD_B, name="Khu vực Chợ Cái Răng")], name="Tổ CNSCĐ Chợ Cái Răng")
    for team, level2 in ((river, 2), (market, 0)):
        member = make_user(Role.VOLUNTEER, team=team, display_name="Trương Thị Hồng Nhung")
        make_visit(make_household(team.areas[0], address="Số 12 Hẻm 51"), member,
                   visited_at=utcnow() - timedelta(hours=2), level2_activated=level2)
    rollups.rebuild()
    db.session.commit()
    leader = make_user(Role.YOUTH_LEADER, ward_code=None, display_name="Lê Văn Đoàn")
    log_in(phone, live_server, leader.username)

    phone.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Xếp hạng").click()
    phone.get_by_role("link", name="Tạo đợt thi đua mới").click()
    phone.get_by_label("Tên đợt thi đua").fill("Tháng thi đua chuyển đổi số")
    today = local_today()
    phone.get_by_label("Ngày bắt đầu").fill(f"{today - timedelta(days=6):%d/%m/%Y}")
    phone.get_by_label("Ngày kết thúc").fill(f"{today + timedelta(days=20):%d/%m/%Y}")
    phone.get_by_label("Phạm vi tham gia").press_sequentially("toan tinh")
    phone.locator(".unit-suggestion", has_text="Toàn tỉnh").click()
    screenshot(phone, "form")
    assert_fits_the_phone(phone)
    phone.get_by_role("button", name="Tạo đợt thi đua").click()

    expect(phone.get_by_role("heading", name="Tháng thi đua chuyển đổi số")).to_be_visible()
    rows = phone.locator("#leaderboard tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Tổ công nghệ số cộng đồng Bờ Sông")
    expect(rows.first).to_contain_text("15")  # 1 met + 2 x 5 level 2 + 4 first reach
    screenshot(phone, "leaderboard")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main .btn, main input, #leaderboard .sort-link") >= 5

    # Among a province's 100-odd units the filter is typed: "cai rang" suggests the ward, picking it shows it.
    phone.get_by_label("Xã, phường").fill("cai rang")
    phone.get_by_role("button", name="Phường Cái Răng").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tổ CNSCĐ Chợ Cái Răng")
    expect(phone).to_have_url(re.compile(r"\?ward=Ph%C6%B0%E1%BB%9Dng(\+|%20)C%C3%A1i(\+|%20)R%C4%83ng$"))  # a link to share

    phone.get_by_role("button", name="Tạo đường dẫn công khai").click()
    link = phone.locator("a.share-link").get_attribute("href")
    assert link and "/board/public/" in link

    projector = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN")
    public = projector.new_page()
    public.goto(link)
    expect(public.get_by_role("heading", name="Tháng thi đua chuyển đổi số")).to_be_visible()
    expect(public.locator("table")).to_contain_text("Tổ CNSCĐ Chợ Cái Răng")
    expect(public.locator("body")).not_to_contain_text("Trương Thị Hồng Nhung")
    expect(public.locator("body")).not_to_contain_text("Số 12 Hẻm 51")
    screenshot(public, "public")
    assert_fits_the_phone(public)
    projector.close()

    phone.get_by_role("button", name="Thu hồi đường dẫn công khai").click()
    expect(phone.locator("a.share-link")).to_have_count(0)
    assert csp_violations(console_errors) == []
