"""A volunteer on a 360-px phone finds a household without diacritics, logs a visit and sees it on "Hôm nay"."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Role, Visit
from tests.browser.helpers import assert_fits_the_phone, csp_violations, log_in

pytestmark = pytest.mark.browser


def test_find_without_diacritics_log_a_visit_and_see_it_today(
        phone, live_server, console_errors, screenshot, make_team, make_user, make_household):
    team = make_team()
    volunteer = make_user(Role.VOLUNTEER, team=team, display_name="Phạm Ngọc Lan")
    home = make_household(team.areas[0], address="51/3 Hẻm 51, Đường 3 Tháng 2", display_name="Nguyễn Văn Bình",
                          people=4, eligible_people=3)
    make_household(team.areas[0], address="Số 12 Đường Mậu Thân", display_name="Trần Thị Hoa")

    log_in(phone, live_server, volunteer.username)
    expect(phone.get_by_role("heading", name="Hôm nay")).to_be_visible()
    phone.get_by_role("link", name="Ghi lượt hỗ trợ").click()

    search = phone.get_by_placeholder("Địa chỉ, số nhà hoặc tên")
    search.press_sequentially("nguyen van", delay=30)  # results come as you type
    results = phone.locator("#results")
    expect(results).to_contain_text("Nguyễn Văn Bình")
    expect(results).not_to_contain_text("Trần Thị Hoa")
    screenshot(phone, "search")
    results.get_by_role("link", name="Ghi lượt").first.click()

    expect(phone.get_by_role("heading", name="Ghi lượt hỗ trợ")).to_be_visible()
    phone.locator("label.option", has_text="Gặp được").click()
    plus = phone.locator("[data-stepper]").nth(1).get_by_role("button", name="Thêm")
    plus.click()
    plus.click()
    phone.get_by_label("Đăng ký tạm trú, lưu trú").check()
    assert_fits_the_phone(phone)
    screenshot(phone, "visit-form")
    phone.get_by_role("button", name="Lưu lượt hỗ trợ").click()

    expect(phone.get_by_text("Đã lưu lượt hỗ trợ.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Hôm nay")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Nguyễn Văn Bình")
    screenshot(phone, "today")
    visit = db.session.scalar(select(Visit))
    assert visit.household_id == home.id and visit.level2_activated == 2 and visit.services == "residence"
    assert csp_violations(console_errors) == []
