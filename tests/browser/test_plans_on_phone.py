"""A plan made on a 360-px phone: the leader plans today's area sweep for a member, who sees it on the home page."""

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_fits_the_phone, log_in

pytestmark = pytest.mark.browser


def test_the_leader_plans_a_sweep_and_the_volunteer_sees_it_on_the_home_page(phone, browser, live_server, make_team,
                                                                              make_area, make_user, screenshot):
    team = make_team(areas=[make_area(name="Khu vực Bình Minh")])
    leader = make_user(Role.TEAM_LEADER, team=team, display_name="Trần Văn Tổ")
    volunteer = make_user(Role.VOLUNTEER, team=team, display_name="Phạm Ngọc Lan")

    log_in(phone, live_server, leader.username)
    phone.goto(live_server + "/team")
    phone.get_by_role("link", name="Lên kế hoạch hoạt động").click()
    expect(phone.get_by_role("heading", name="Lên kế hoạch hoạt động")).to_be_visible()
    assert_fits_the_phone(phone)
    phone.get_by_label("Ra quân tại khu dân cư").check(force=True)
    phone.get_by_label("Khu vực", exact=True).select_option(label="Khu vực Bình Minh")
    phone.locator("label.option", has_text="Phạm Ngọc Lan").click()
    screenshot(phone, "form")
    phone.get_by_role("button", name="Lưu kế hoạch").click()
    expect(phone.get_by_role("heading", name="Kế hoạch của tổ")).to_be_visible()
    expect(phone.locator(".plan-item")).to_contain_text("Khu vực Bình Minh")
    assert_fits_the_phone(phone)
    screenshot(phone, "week")

    member = browser.new_context(**PHONE).new_page()
    log_in(member, live_server, volunteer.username)
    today = member.locator("#plan-today")
    expect(today).to_contain_text("Ra quân tại khu dân cư")
    expect(today).to_contain_text("Khu vực Bình Minh")
    expect(today.locator(".badge")).to_have_text("Bạn")
    assert_fits_the_phone(member)
    today.scroll_into_view_if_needed()
    screenshot(member, "home")
    member.context.close()
