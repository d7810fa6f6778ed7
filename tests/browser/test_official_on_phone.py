"""The official figures on a 360-px phone: the coordinator enters the month's, the province sees them ranked."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.clock import local_today
from app.extensions import db
from app.models import OfficialFigure, ProvinceTarget, Role
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A, WARD_B

pytestmark = pytest.mark.browser


def test_the_coordinator_enters_the_months_figures_and_the_province_ranks_them(
        phone, live_server, console_errors, screenshot, make_user):
    # The browser reads the machine's clock, so the server does too here: last month from today.
    last_month = (local_today().replace(day=1) - timedelta(days=1)).replace(day=1)
    key = f"{last_month:%Y-%m}"
    admin = make_user(Role.ADMIN, display_name="Quản Trị Tỉnh")
    for indicator, value in (("digitised", 80), ("online_dossiers", 50), ("online_payment", 45)):
        db.session.add(ProvinceTarget(province_code=92, indicator=indicator, valid_from=date(2024, 1, 1), value=value))
    db.session.add(OfficialFigure(ward_code=WARD_B, period_kind="month", period_year=last_month.year,
                                  period_number=last_month.month,
                                  indicator="digitised", numerator=8089, denominator=10000, source="import"))
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, WARD_A, display_name="Lê Văn Tám")
    log_in(phone, live_server, coordinator.username)

    phone.goto(f"{live_server}/ward?ky={key}")
    phone.get_by_role("link", name="Nhập số liệu chính thức").click()
    expect(phone.get_by_role("heading", name="Số liệu chính thức của Phường Ninh Kiều")).to_be_visible()
    assert_fits_the_phone(phone)
    phone.get_by_label("Kỳ báo cáo").select_option(value=key)
    digitised = phone.get_by_role("group", name="Số hóa hồ sơ, kết quả giải quyết TTHC")
    digitised.get_by_label("Số hồ sơ, kết quả đã số hóa").fill("2.337")
    digitised.get_by_label("Hồ sơ đã giải quyết").fill("2000")
    phone.get_by_role("button", name="Lưu số liệu chính thức").click()
    # Refused: more digitised than handled; nothing stored, the message under the field.
    expect(phone.get_by_role("alert").filter(has_text="Tử số (2337) lớn hơn mẫu số (2000).")).to_be_visible()
    screenshot(phone, "refused")
    assert_fits_the_phone(phone)
    digitised.get_by_label("Hồ sơ đã giải quyết").fill("2500")
    online = phone.get_by_role("group", name="Hồ sơ trực tuyến")
    online.get_by_label("Số hồ sơ nộp trực tuyến").fill("665")
    online.get_by_label("Hồ sơ tiếp nhận").fill("2500")
    phone.get_by_role("button", name="Lưu số liệu chính thức").click()

    expect(phone.locator("#official-digitised")).to_contain_text("93,48%")
    expect(phone.locator("#official-digitised")).to_contain_text("Đạt")
    expect(phone.locator("#official-online_dossiers")).to_contain_text("Chưa đạt")
    phone.locator("#official").screenshot(path=str(screenshot(phone, "unit-board").with_name(
        "official-unit-section.png")))
    assert_fits_the_phone(phone)

    phone.context.clear_cookies()
    log_in(phone, live_server, admin.username)
    phone.goto(f"{live_server}/province?ky={key}")
    ranking = phone.locator("#official-digitised")
    expect(ranking).to_contain_text("0 / 2 xã, phường chưa đạt")
    expect(ranking.locator("tbody tr").first).to_contain_text("Phường Ninh Kiều")
    expect(phone.locator("#official-online_dossiers")).to_contain_text("1 / 1 xã, phường chưa đạt")
    phone.locator("#official").screenshot(path=str(screenshot(phone, "province-board").with_name(
        "official-province-section.png")))
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "#official .btn, #official select") >= 3
    assert csp_violations(console_errors) == []
