"""The periodic report on a 360-px phone: a coordinator writes, downloads and sends the month's report; the
province department sees it arrive."""

import io
from datetime import timedelta

import pytest
from docx import Document
from playwright.sync_api import expect

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.services import rollups
from app.services.reports.periods import Kind, current
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser


def test_a_coordinator_writes_downloads_and_sends_the_report_and_the_province_sees_it(
        phone, browser, live_server, console_errors, screenshot, make_area, make_team, make_user, make_household,
        make_visit):
    area = make_area(WARD_A, name="Khu vực 3 Bờ Sông Cái Răng")
    team = make_team(WARD_A, areas=[area], name="Tổ công nghệ số cộng đồng khu vực 3")
    volunteer = make_user(Role.VOLUNTEER, team=team, display_name="Trương Thị Hồng Nhung")
    for _ in range(3):
        make_visit(make_household(area), volunteer, visited_at=utcnow() - timedelta(minutes=5), level2_activated=1)
    rollups.rebuild()
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, WARD_A, display_name="Lê Văn Tám")
    province_user = make_user(Role.PROVINCE, display_name="Võ Thị Sở")
    period = current(Kind.MONTH)

    log_in(phone, live_server, coordinator.username)
    phone.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Báo cáo").click()
    expect(phone.locator("#chosen-period")).to_contain_text(f"{period.start:%d/%m/%Y}")
    assert_fits_the_phone(phone)
    phone.get_by_role("link", name="Viết báo cáo kỳ này").click()
    expect(phone.locator("#figure-level2")).to_be_visible()
    phone.get_by_label("Kết quả trong kỳ").fill("Các tổ đã hỗ trợ 3 hộ kích hoạt tài khoản định danh mức độ 2.")
    phone.get_by_label("Tồn tại, hạn chế").fill("Nhiều hộ đi làm ăn xa.")
    phone.get_by_label("Nhiệm vụ kỳ tới").fill("Quay lại các hộ vắng nhà vào buổi tối.")
    phone.get_by_label("Số, ký hiệu").fill("15/BC-UBND")
    phone.get_by_label("Họ tên người ký").fill("Nguyễn Văn An")
    screenshot(phone, "report-draft")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main button, main .btn") >= 1
    phone.get_by_role("button", name="Lưu bản nháp").click()
    expect(phone.locator("#report-status")).to_have_text("Bản nháp")
    assert assert_thumb_sized(phone, "main button, main .btn") >= 4  # download, print, save, send

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Tải về DOCX").click()
    document = Document(io.BytesIO(download_info.value.path().read_bytes()))
    text = "\n".join([p.text for p in document.paragraphs] +
                     [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "UBND PHƯỜNG NINH KIỀU" in text
    assert f"Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}" in text

    phone.get_by_role("link", name="Bản in").click()
    expect(phone.locator(".sheet")).to_contain_text("Độc lập - Tự do - Hạnh phúc")
    screenshot(phone, "report-print")
    assert_fits_the_phone(phone)
    phone.go_back()

    phone.get_by_role("button", name="Gửi lên tỉnh, thành phố").click()
    expect(phone.locator("#report-status")).to_have_text("Đã gửi")
    expect(phone.get_by_role("button", name="Lưu bản nháp")).to_have_count(0)
    screenshot(phone, "report-sent")
    assert_fits_the_phone(phone)
    assert csp_violations(console_errors) == []

    context = browser.new_context(**PHONE)
    province = context.new_page()
    try:
        log_in(province, live_server, province_user.username)
        province.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Báo cáo").click()
        expect(province.locator("#sent-count")).to_contain_text("1 / 103 đơn vị đã gửi")
        expect(province.locator("#on-time-count")).to_contain_text("1 / 103 đơn vị gửi đúng hạn")
        expect(province.locator("#units .list-item").first).to_contain_text("Đúng hạn")
        screenshot(province, "province-received")
        assert_fits_the_phone(province)
        province.locator("#units").get_by_role("link", name="Phường Ninh Kiều").click()
        expect(province.locator("main")).to_contain_text("Các tổ đã hỗ trợ 3 hộ")
        expect(province.locator("#figure-level2")).to_contain_text("3 /")
        assert_fits_the_phone(province)
    finally:
        context.close()
