"""Every role logs in on a 360-px phone and lands on a Vietnamese "Hôm nay" that fits the screen."""

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests.browser.helpers import assert_fits_the_phone, assert_thumb_sized, csp_violations, log_in
from tests.conftest import WARD_A

pytestmark = pytest.mark.browser

ROLES = [
    (Role.VOLUNTEER, "Tổ viên"),
    (Role.TEAM_LEADER, "Tổ trưởng"),
    (Role.COORDINATOR, "Cán bộ đầu mối"),
    (Role.YOUTH_LEADER, "Cán bộ Đoàn"),
    (Role.ADMIN, "Quản trị"),
]


@pytest.mark.parametrize(("role", "label"), ROLES, ids=[r.value for r, _ in ROLES])
def test_each_role_lands_on_today_in_vietnamese_on_a_phone(
        phone, live_server, console_errors, screenshot, make_team, make_user, role, label):
    team = make_team(WARD_A) if role in (Role.VOLUNTEER, Role.TEAM_LEADER) else None
    user = make_user(role, WARD_A, team=team, display_name="Nguyễn Thị Bích Ngọc")
    scope = {Role.ADMIN: "Thành phố Cần Thơ"}.get(role, team.name if team else "Phường Ninh Kiều")
    username = user.username

    log_in(phone, live_server, username)

    expect(phone).to_have_url(f"{live_server}/")
    expect(phone.get_by_role("heading", name="Hôm nay", exact=True)).to_be_visible()
    expect(phone.locator("main")).to_contain_text(label)
    expect(phone.locator("main")).to_contain_text(scope)
    if team is not None:
        expect(phone.locator("main")).to_contain_text("Phường Ninh Kiều")
    expect(phone.get_by_role("button", name="Đăng xuất")).to_be_visible()
    nav = phone.get_by_role("navigation", name="Menu chính")
    expect(nav.get_by_role("link", name="Hôm nay")).to_be_visible()
    screenshot(phone)

    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, ".bottomnav a, .bottomnav button") >= 1
    assert assert_thumb_sized(phone, ".topbar a, .topbar button") >= 3  # brand, EN, log out
    assert csp_violations(console_errors) == []


def test_wrong_password_is_explained_in_vietnamese(phone, live_server, console_errors, screenshot, make_user):
    username = make_user(Role.VOLUNTEER).username

    log_in(phone, live_server, username, password="not-the-password")

    expect(phone.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    expect(phone.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(phone.locator(".bottomnav")).to_have_count(0)
    screenshot(phone)
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main button, main input:not([type=checkbox]), main .check") >= 4
    assert csp_violations(console_errors) == []


def test_language_switch_turns_the_page_english_and_it_stays(
        phone, live_server, console_errors, screenshot, make_team, make_user):
    username = make_user(Role.VOLUNTEER, team=make_team(WARD_A)).username
    log_in(phone, live_server, username)
    expect(phone.get_by_role("heading", name="Hôm nay", exact=True)).to_be_visible()

    phone.get_by_role("button", name="EN").click()

    expect(phone.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Volunteer")
    expect(phone.get_by_role("button", name="VI")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    screenshot(phone)
    assert_fits_the_phone(phone)
    assert csp_violations(console_errors) == []


def test_login_page_fits_the_phone_in_vietnamese(phone, live_server, console_errors, screenshot):
    phone.goto(f"{live_server}/login")

    expect(phone.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(phone.get_by_label("Tên đăng nhập")).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "vi")
    screenshot(phone)
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, ".topbar a, .topbar button, main button, main input:not([type=checkbox]), main .check") >= 6
    assert csp_violations(console_errors) == []


def test_admin_screens_fit_the_phone(phone, live_server, console_errors, screenshot, make_team, make_user):
    team = make_team(WARD_A, name="Tổ công nghệ số cộng đồng khu vực 3 phường Ninh Kiều")
    make_user(Role.VOLUNTEER, team=team, display_name="Trương Thị Hồng Nhung",
              username="truongthihongnhung.tocongnghesocongdong.khuvuc3")
    make_user(Role.COORDINATOR, WARD_A, display_name="Lê Văn Tám", active=False)
    make_user(Role.YOUTH_LEADER, WARD_A, display_name="Nguyễn Thị Đoàn")  # an administrator manages these two
    username = make_user(Role.ADMIN, display_name="Quản trị Cần Thơ").username
    log_in(phone, live_server, username)
    nav = phone.get_by_role("navigation", name="Menu chính")

    nav.get_by_role("link", name="Xã, phường").click()
    expect(phone.get_by_role("heading", name="Xã, phường")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Phường Ninh Kiều")
    screenshot(phone, "wards", full_page=False)  # 103 wards: the first screenful is what matters
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main button, main .btn") >= 1

    nav.get_by_role("link", name="Người dùng").click()
    expect(phone.get_by_role("heading", name="Người dùng")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Trương Thị Hồng Nhung")
    expect(phone.locator("main")).to_contain_text("Tổ viên · Tổ công nghệ số cộng đồng khu vực 3")
    screenshot(phone, "users")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main button, main .btn, main .chip") >= 5

    phone.get_by_role("link", name="Tài khoản mới").click()
    expect(phone.get_by_role("heading", name="Tài khoản mới")).to_be_visible()
    phone.get_by_role("button", name="Tạo tài khoản").click()
    expect(phone.get_by_role("alert").first).to_be_visible()
    screenshot(phone, "new-account")
    assert_fits_the_phone(phone)
    assert assert_thumb_sized(phone, "main button, main input:not([type=hidden]), main select") >= 5
    assert csp_violations(console_errors) == []
