"""A board's period and the unit search on a 360-px phone whose browser speaks English: dates stay dd/mm/yyyy,
"Tháng trước" shows last reporting month's figures, and typing "thoi lai" finds Xã Thới Lai."""

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from app.clock import utcnow
from app.extensions import db
from app.models import Outcome, Role
from app.services import rollups
from app.services.reports import periods
from app.services.reports.periods import Kind
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_fits_the_phone, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser
FIRST_REACHED = "Hộ được tiếp cận lần đầu trong kỳ"


@pytest.fixture
def english_phone(browser):
    """A phone set to English (en-US): `<input type="date">` would show mm/dd/yyyy on it."""
    context = browser.new_context(**{**PHONE, "locale": "en-US"})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def _as_utc(day) -> datetime:
    """Noon of a Vietnamese day (UTC+7) as the naive-UTC instant visits are stored with."""
    return datetime.combine(day, time(5))


def test_the_period_in_day_month_year_and_last_month_in_one_tap(
        english_phone, live_server, screenshot, make_area, make_team, make_user, make_household, make_visit):
    phone = english_phone
    month = periods.current(Kind.MONTH)
    last = month.previous()
    area = make_area(WARD_A, name="Khu vực Bờ Sông")
    team = make_team(WARD_A, areas=[area], name="Tổ Bờ Sông")
    volunteer = make_user(Role.VOLUNTEER, team=team)
    # Two households first met last reporting month, one this month (an hour ago, or its first day at noon).
    for day in (last.start + timedelta(days=1), last.start + timedelta(days=2)):
        make_visit(make_household(area), volunteer, visited_at=_as_utc(day), outcome=Outcome.MET)
    now = max(utcnow() - timedelta(hours=1), _as_utc(month.start))
    make_visit(make_household(area), volunteer, visited_at=now, outcome=Outcome.MET)
    make_household(area)
    rollups.rebuild()
    db.session.commit()
    log_in(phone, live_server, make_user(Role.COORDINATOR, WARD_A).username)

    phone.goto(f"{live_server}/ward")
    start = phone.get_by_label("Từ ngày")
    expect(start).to_have_value(month.start.strftime("%d/%m/%Y"))
    expect(start).to_have_attribute("placeholder", "dd/mm/yyyy")
    expect(start).to_have_attribute("inputmode", "numeric")
    label = f"Tháng {month.number:02d}/{month.year} ({month.start:%d/%m}–"
    expect(phone.locator("#period-now")).to_contain_text(label)
    expect(phone.locator("#period-now")).to_contain_text("đến hôm nay")
    expect(phone.get_by_role("link", name="Tháng này")).to_have_attribute("aria-current", "true")
    expect(phone.locator("#indicator-reach")).to_contain_text(f"{FIRST_REACHED} 1 / 4 (25,00%)")
    screenshot(phone, "this-month", full_page=False)
    assert_fits_the_phone(phone)

    phone.get_by_role("link", name="Tháng trước").click()
    expect(phone.locator("#period-now")).to_have_text(
        f"Tháng {last.number:02d}/{last.year} ({last.start:%d/%m}–{last.end:%d/%m/%Y})")
    expect(phone.get_by_role("link", name="Tháng trước")).to_have_attribute("aria-current", "true")
    expect(phone.get_by_label("Đến ngày")).to_have_value(last.end.strftime("%d/%m/%Y"))
    expect(phone.locator("#indicator-reach")).to_contain_text(f"{FIRST_REACHED} 2 / 4 (50,00%)")
    screenshot(phone, "last-month", full_page=False)

    # A day typed as people write it; a date the way an English phone would write it is refused in Vietnamese.
    start = phone.get_by_label("Từ ngày")
    start.fill(f"{last.start.day}/{last.start.month}/{last.start.year}")
    phone.get_by_label("Đến ngày").fill("12/31/2026")
    phone.locator(".board-period").get_by_role("button", name="Xem").click()
    expect(phone.get_by_role("alert").first).to_have_text("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/12/2026.")
    expect(phone.get_by_label("Đến ngày")).to_have_value("12/31/2026")
    screenshot(phone, "bad-date")
    assert_fits_the_phone(phone)
    assert csp_violations(phone.console_errors) == []


def test_the_unit_search_filters_as_one_types(english_phone, live_server, screenshot, make_user):
    phone = english_phone
    log_in(phone, live_server, make_user(Role.ADMIN).username)
    phone.goto(f"{live_server}/province")
    rows = phone.locator("#ward-rows tr")
    assert rows.count() > 100
    phone.get_by_label("Tìm xã, phường").press_sequentially("thoi lai", delay=20)
    expect(phone.locator("#ward-rows tr:visible")).to_have_count(1)
    expect(phone.locator("#ward-rows tr:visible")).to_contain_text("Xã Thới Lai")
    screenshot(phone, "province-search", full_page=False)
    assert_fits_the_phone(phone)
    phone.get_by_label("Tìm xã, phường").fill("không có đâu")
    phone.get_by_label("Tìm xã, phường").press("End")
    phone.get_by_label("Tìm xã, phường").press_sequentially("u")
    expect(phone.locator("#ward-rows tr:visible")).to_have_count(0)
    expect(phone.locator("#unit-q-count")).to_have_text("Không có xã, phường nào khớp.")

    # The account form: the unit is typed, our suggestions ignore diacritics; tapping one fills the field.
    phone.goto(f"{live_server}/admin/users/new")
    unit = phone.get_by_label("Xã, phường", exact=True)
    unit.press_sequentially("thoi lai", delay=20)
    suggestion = phone.locator(".unit-suggestion", has_text="Xã Thới Lai")
    expect(suggestion).to_be_visible()
    screenshot(phone, "account-unit", full_page=False)
    suggestion.click()
    expect(unit).to_have_value("Xã Thới Lai")
    expect(phone.locator(".unit-suggestions")).to_be_hidden()
    assert_fits_the_phone(phone)
    assert csp_violations(phone.console_errors) == []
    assert re.search(r"unit-search\.js", phone.content())
