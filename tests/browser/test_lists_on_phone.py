"""A ward coordinator on a 360-px phone keeps the ward's lists: filters households as it types, retires an area,
imports a file through the preview; every page fits the screen with thumb-sized controls and no CSP error."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Role
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in

pytestmark = pytest.mark.browser


def test_coordinator_keeps_the_wards_lists_on_a_phone(
        phone, live_server, console_errors, screenshot, make_team, make_user, make_household, make_area, tmp_path):
    team = make_team()
    area = team.areas[0]
    coordinator = make_user(Role.COORDINATOR, display_name="Đỗ Thị Điều Phối")
    make_household(area, address="51/3 Hẻm 51, Đường 3 Tháng 2", display_name="Nguyễn Văn Bình")
    make_household(area, address="Số 12 Đường Mậu Thân", display_name="Trần Thị Hoa")
    make_area(name="Khu vực Cũ")

    log_in(phone, live_server, coordinator.username)
    phone.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Danh sách").click()
    expect(phone.get_by_role("heading", name="Danh sách của Phường Ninh Kiều")).to_be_visible()
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main a.list-item") == 6

    phone.locator("main").get_by_role("link", name="Hộ gia đình").click()
    phone.get_by_label("Địa chỉ hoặc tên").press_sequentially("nguyen van", delay=30)
    results = phone.locator("#results")
    expect(results).to_contain_text("Nguyễn Văn Bình")
    expect(results).not_to_contain_text("Trần Thị Hoa")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main select, main input[type=search], main button, main .check") >= 5
    screenshot(phone, "households")

    phone.goto(f"{live_server}/lists/areas")
    phone.get_by_role("row", name="Khu vực Cũ").get_by_role("button", name="Ngừng dùng").click()
    expect(phone.get_by_text("Đã ngừng dùng Khu vực Cũ")).to_be_visible()
    assert_fits_the_phone(phone)
    screenshot(phone, "areas")

    upload = tmp_path / "ho.csv"
    upload.write_text("Khu vực,Địa chỉ,Số người,Số người từ 14 tuổi\n"
                      f"{area.name},Số 5 Hẻm 7,3,2\n{area.name},Số 6 Hẻm 7,3,9\n", encoding="utf-8")
    phone.goto(f"{live_server}/lists/import")
    phone.get_by_label("Tệp CSV hoặc XLSX").set_input_files(str(upload))
    phone.get_by_role("button", name="Kiểm tra tệp").click()
    expect(phone.get_by_role("heading", name="Xem trước khi nhập")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("không thể nhiều hơn số người")
    assert_fits_the_phone(phone)
    screenshot(phone, "import-preview")
    phone.get_by_role("button", name="Nhập 1 hộ hợp lệ").click()
    expect(phone.get_by_text("Đã nhập 1 hộ gia đình.")).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(Household)) == 3
    assert csp_violations(console_errors) == []
