"""A volunteer on a 360-px phone finds a household without diacritics, logs a visit and sees it on "Hôm nay"."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Household, Role, Visit
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
    expect(phone.get_by_role("heading", name="Hôm nay", exact=True)).to_be_visible()
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
    # The list says no child aged 6-13; the visit activates one: stored, and the household's list is raised.
    expect(phone.locator("main")).to_contain_text("Kích hoạt mức độ 2 cho trẻ em 6–13 tuổi")
    phone.locator("[data-stepper]").nth(2).get_by_role("button", name="Thêm").click()
    phone.get_by_label("Đăng ký tạm trú, lưu trú").check()
    assert_fits_the_phone(phone)
    screenshot(phone, "visit-form")
    phone.get_by_role("button", name="Lưu lượt hỗ trợ").click()

    expect(phone.get_by_text("Đã lưu lượt hỗ trợ.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Hôm nay", exact=True)).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Nguyễn Văn Bình")
    screenshot(phone, "today")
    visit = db.session.scalar(select(Visit))
    assert visit.household_id == home.id and visit.level2_activated == 2 and visit.services == "residence"
    assert visit.level2_children == 1
    db.session.refresh(home)
    assert (home.children, home.children_level2) == (1, 1)
    assert csp_violations(console_errors) == []


def test_add_a_household_with_its_children_on_a_phone(phone, live_server, console_errors, screenshot, make_team,
                                                      make_user):
    team = make_team()
    volunteer = make_user(Role.VOLUNTEER, team=team)
    log_in(phone, live_server, volunteer.username)
    phone.goto(live_server + "/households/new")
    phone.get_by_label("Địa chỉ").fill("Số 7 Hẻm 12, Đường Mậu Thân")
    people = phone.locator("[data-stepper]").nth(0).get_by_role("button", name="Thêm")
    for _ in range(3):
        people.click()  # 4 people
    phone.locator("[data-stepper]").nth(2).get_by_role("button", name="Thêm").click()  # 1 child aged 6-13
    expect(phone.locator("main")).to_contain_text("Số người từ 14 tuổi trở lên")
    expect(phone.locator("main")).to_contain_text("Trẻ em 6–13 tuổi")
    assert_fits_the_phone(phone)
    screenshot(phone, "household-form")
    phone.get_by_role("button", name="Lưu hộ gia đình").click()
    expect(phone.get_by_role("heading", name="Ghi lượt hỗ trợ")).to_be_visible()
    household = db.session.scalar(select(Household))
    assert (household.people, household.eligible_people, household.children) == (4, 1, 1)
    assert csp_violations(console_errors) == []
