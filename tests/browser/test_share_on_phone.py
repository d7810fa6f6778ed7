"""Boards on a 360x740 phone: about ten teams of the leaderboard on the first screen with shared ranks, and the
share button of the unit board, the leaderboard and the public board (the share sheet, else the clipboard),
and the public board's QR code as the phone draws it, read back by a QR reader."""

import re
from datetime import timedelta

import pytest
import zxingcpp
from playwright.sync_api import Page, expect

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Campaign, Role
from app.services import rollups
from app.services.reports import periods
from app.services.reports.periods import Kind
from tests.browser.helpers import assert_fits_the_phone, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser

# Met households of each team (5 points each: met once, first reached): two pairs of tied teams.
TEAMS = {"Tổ CNSCĐ Khu vực 1 Cái Khế": 6, "Tổ CNSCĐ Khu vực 2 An Hòa": 5, "Tổ CNSCĐ Khu vực 3 Thới Bình": 5,
         "Tổ CNSCĐ Khu vực 4 Xuân Khánh": 4, "Tổ CNSCĐ Khu vực 5 Hưng Lợi": 3, "Tổ CNSCĐ Khu vực 6 An Khánh": 3,
         "Tổ CNSCĐ Khu vực 7 Tân An": 2, "Tổ CNSCĐ Khu vực 8 An Phú": 2, "Tổ CNSCĐ Khu vực 9 An Cư": 1,
         "Tổ CNSCĐ Khu vực 10 An Nghiệp": 1, "Tổ CNSCĐ Khu vực 11 An Bình": 1, "Tổ CNSCĐ Khu vực 12 Long Tuyền": 0,
         "Tổ CNSCĐ Khu vực 13 Long Hòa": 0}
# Replaces the phone's share sheet: what a page hands it is kept for the test to read.
SHARE_SHEET = "window.sharedWith = []; navigator.share = async (data) => { window.sharedWith.push(data); };"
NO_SHARE_SHEET = "delete Navigator.prototype.share; delete navigator.share;"


@pytest.fixture
def campaign(make_area, make_team, make_user, make_household, make_visit) -> Campaign:
    """A ward campaign running this month with thirteen teams, shared with a public link."""
    for name, met in TEAMS.items():
        team = make_team(WARD_A, areas=[make_area(WARD_A)], name=name)
        member = make_user(Role.VOLUNTEER, team=team)
        for _ in range(met):
            make_visit(make_household(team.areas[0]), member, visited_at=utcnow() - timedelta(hours=1))
    rollups.rebuild()
    today = local_today()
    record = Campaign(name="Thi đua chuyển đổi số", start_date=today - timedelta(days=3),
                      end_date=today + timedelta(days=20), province_code=92, ward_code=WARD_A,
                      weights={"met": 1, "level2": 5, "tutored": 2, "cashless": 2, "followups_closed": 3,
                               "first_reach": 4}, share_token="bang-cong-khai-thu")
    db.session.add(record)
    db.session.commit()
    return record


def _rows_on_first_screen(page: Page, rows: str = "#leaderboard tbody tr") -> int:
    """Leaderboard rows wholly between the top bar and the bottom navigation of the first screen (if any)."""
    return page.evaluate("""(rows) => {
        const bar = document.querySelector('.topbar');
        const top = bar ? bar.getBoundingClientRect().bottom : 0;
        const nav = document.querySelector('.bottomnav');
        const bottom = nav ? nav.getBoundingClientRect().top : window.innerHeight;
        return [...document.querySelectorAll(rows)].filter((row) => {
            const box = row.getBoundingClientRect();
            return box.top >= top && box.bottom <= bottom;
        }).length;
    }""", rows)


def test_the_leaderboard_shows_about_ten_teams_with_shared_ranks_on_the_first_screen(
        phone, live_server, console_errors, screenshot, campaign, make_user):
    log_in(phone, live_server, make_user(Role.YOUTH_LEADER, WARD_A).username)
    phone.goto(f"{live_server}/campaigns/{campaign.id}")
    expect(phone.get_by_role("heading", name="Thi đua chuyển đổi số")).to_be_visible()
    ranks = phone.locator("#leaderboard tbody tr td:first-child").all_inner_texts()
    assert [r.split()[0] for r in ranks[:6]] == ["1", "2", "2", "4", "5", "5"]
    expect(phone.locator("#leaderboard .medal-2")).to_have_count(2)
    expect(phone.locator("#leaderboard .medal-3")).to_have_count(0)
    screenshot(phone, "first-screen", full_page=False)
    assert _rows_on_first_screen(phone) >= 9
    assert_fits_the_phone(phone)
    phone.set_viewport_size({"width": 1280, "height": 800})  # a desktop names the columns, per member too
    expect(phone.get_by_role("columnheader", name="Điểm bình quân mỗi thành viên")).to_be_visible()
    screenshot(phone, "desktop", full_page=False)
    phone.get_by_text("Cách tính điểm").click()
    expect(phone.locator("#ties")).to_contain_text("cùng điểm số thì đồng hạng")
    assert csp_violations(console_errors) == []


def _share_and_read(page: Page) -> dict:
    page.get_by_role("button", name="Chia sẻ").click()
    page.wait_for_function("window.sharedWith.length > 0")
    return page.evaluate("window.sharedWith[0]")


def test_the_share_button_opens_the_share_sheet_with_a_vietnamese_summary_and_the_link(
        phone, browser, live_server, console_errors, screenshot, campaign, make_user):
    phone.add_init_script(SHARE_SHEET)
    log_in(phone, live_server, make_user(Role.COORDINATOR, WARD_A).username)

    phone.goto(f"{live_server}/ward")
    shared = _share_and_read(phone)
    month = periods.current(Kind.MONTH)  # the board opens on the reporting month (Decree 09 cut-off)
    assert shared["text"].startswith("Phường Ninh Kiều: ") and "hộ được tiếp cận" in shared["text"]
    assert "người có định danh điện tử mức độ 2" in shared["text"]
    assert f"— Tháng {month.number:02d}/{month.year} (" in shared["text"]
    assert shared["url"] == f"{live_server}/ward" and shared["title"] == "Phường Ninh Kiều"
    screenshot(phone, "ward-board", full_page=False)
    assert_fits_the_phone(phone)

    phone.goto(f"{live_server}/campaigns/{campaign.id}")
    shared = _share_and_read(phone)
    assert shared["text"].startswith("Thi đua chuyển đổi số, tính đến ")
    assert "1. Tổ CNSCĐ Khu vực 1 Cái Khế, 30 điểm; 2. Tổ CNSCĐ Khu vực 2 An Hòa, 25 điểm; " \
           "2. Tổ CNSCĐ Khu vực 3 Thới Bình, 25 điểm" in shared["text"]
    # The leaderboard hands on its public board, which opens without a login.
    assert shared["url"] == f"{live_server}/board/public/bang-cong-khai-thu"

    public = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="vi-VN").new_page()
    public.add_init_script(SHARE_SHEET)
    public.goto(f"{live_server}/board/public/bang-cong-khai-thu")
    shared = _share_and_read(public)
    assert shared["url"] == f"{live_server}/board/public/bang-cong-khai-thu"
    assert "2. Tổ CNSCĐ Khu vực 3 Thới Bình, 25 điểm" in shared["text"]
    public.context.close()
    assert csp_violations(console_errors) == []


def test_without_a_share_sheet_the_summary_and_link_are_copied_and_the_page_says_so(
        phone, live_server, console_errors, screenshot, campaign):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    phone.add_init_script(NO_SHARE_SHEET)
    phone.goto(f"{live_server}/board/public/bang-cong-khai-thu")
    assert phone.evaluate("typeof navigator.share") == "undefined"
    phone.get_by_role("button", name="Chia sẻ").click()
    status = phone.get_by_role("status")
    expect(status).to_contain_text("Đã sao chép")
    expect(status).to_be_visible()
    copied = phone.evaluate("navigator.clipboard.readText()")
    summary, link = copied.split("\n")
    assert summary.startswith("Thi đua chuyển đổi số, tính đến ") and "1. Tổ CNSCĐ Khu vực 1 Cái Khế, 30 điểm" in summary
    assert link == f"{live_server}/board/public/bang-cong-khai-thu"
    screenshot(phone, "copied", full_page=False)
    assert_fits_the_phone(phone)
    assert csp_violations(console_errors) == []


def _qr_as_drawn(page: Page) -> list[str]:
    """The page's QR code drawn by the phone's browser on a canvas, read back by a QR reader."""
    side, pixels = page.evaluate("""async () => {
        const svg = document.querySelector('svg.qr');
        const image = new Image();
        const source = new XMLSerializer().serializeToString(svg).replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" ');
        image.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(source);
        await image.decode();
        const side = 296;
        const canvas = Object.assign(document.createElement('canvas'), {width: side, height: side});
        const context = canvas.getContext('2d');
        context.fillStyle = '#fff';
        context.fillRect(0, 0, side, side);
        context.drawImage(image, 0, 0, side, side);
        const rgba = context.getImageData(0, 0, side, side).data;
        return [side, Array.from({length: side * side}, (_, i) => rgba[i * 4])];
    }""")
    return [found.text for found in zxingcpp.read_barcodes(memoryview(bytes(pixels)).cast("B", (side, side)))]


def test_the_public_board_shows_its_qr_code_and_opens_its_a4_poster(phone, live_server, console_errors, screenshot,
                                                                   campaign):
    phone.goto(f"{live_server}/board/public/bang-cong-khai-thu")
    qr = phone.get_by_role("img", name="Mã QR của đường dẫn tới bảng này")
    qr.scroll_into_view_if_needed()
    expect(qr).to_be_visible()
    assert _qr_as_drawn(phone) == [f"{live_server}/board/public/bang-cong-khai-thu"]
    screenshot(phone, "public")
    assert_fits_the_phone(phone)
    phone.evaluate("window.scrollTo(0, 0)")
    assert _rows_on_first_screen(phone, "table tbody tr") >= 9

    phone.get_by_role("link", name="Áp phích A4 có mã QR").click()
    expect(phone.get_by_role("heading", name="Thi đua chuyển đổi số")).to_be_visible()
    assert _qr_as_drawn(phone) == [f"{live_server}/board/public/bang-cong-khai-thu"]
    screenshot(phone, "poster")
    assert_fits_the_phone(phone)
    phone.emulate_media(media="print")
    assert phone.locator(".toolbar").is_hidden()
    expect(phone.locator("svg.qr")).to_be_visible()
    # Printed (headless Chromium's PDF honours the poster's @page): one A4 sheet, 595x842 points.
    pdf = phone.pdf(prefer_css_page_size=True)
    sheets = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert [(round(float(w)), round(float(h))) for w, h in sheets] == [(595, 842)]
    assert csp_violations(console_errors) == []
