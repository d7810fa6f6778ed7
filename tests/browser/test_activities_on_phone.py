"""An activity recorded on a 360-px phone with no signal: kept on the phone, stored once when the connection
returns, and counted on the unit's board."""

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Activity
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_fits_the_phone, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def unit(recording_unit):
    return recording_unit


def activities() -> int:
    db.session.rollback()  # a fresh read: the live server writes from its own connection
    return db.session.scalar(select(func.count()).select_from(Activity))


def stored_once_sent(page: Page, seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while activities() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # a second copy, were one sent, would have arrived by now
    return activities()


def test_an_activity_recorded_offline_is_stored_once_and_counted_on_the_board(phone, browser, live_server, unit,
                                                                               screenshot):
    log_in(phone, live_server, unit["volunteer"].username)
    expect(phone.locator("body[data-offline-ready]")).to_have_count(1, timeout=20000)
    phone.context.set_offline(True)

    phone.goto(live_server + "/activities/new")  # the copy the phone kept
    expect(phone.get_by_role("heading", name="Ghi hoạt động")).to_be_visible()
    assert_fits_the_phone(phone)
    phone.get_by_label("Bàn hỗ trợ tại bộ phận một cửa").check(force=True)
    phone.get_by_label("Hoặc nơi khác").fill("Bộ phận một cửa UBND phường")
    phone.get_by_label("Số người được hỗ trợ dịch vụ công trực tuyến", exact=True).fill("9")
    phone.get_by_label("Số tài khoản VNeID mức độ 2 được kích hoạt").fill("3")
    screenshot(phone, "form")
    phone.get_by_role("button", name="Lưu hoạt động").click()
    phone.wait_for_url(re.compile(r"/\?queued=offline$"))
    expect(phone.locator("#queue-badge")).to_contain_text("1")
    phone.goto(live_server + "/queue")
    expect(phone.locator("[data-queue-list]")).to_contain_text("Bàn hỗ trợ tại bộ phận một cửa")
    expect(phone.locator("[data-queue-list]")).to_contain_text("Hoạt động")
    assert activities() == 0

    phone.context.set_offline(False)
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-badge")).to_be_hidden(timeout=30000)
    assert stored_once_sent(phone) == 1
    stored = db.session.scalar(select(Activity))
    assert (stored.kind, stored.people_online, stored.level2_activated) == ("help_desk", 9, 3)

    office = browser.new_context(**PHONE).new_page()
    log_in(office, live_server, unit["coordinator"].username)
    office.goto(live_server + "/ward")
    board = office.locator("#activities-board")
    expect(board.locator("[data-figure=activities]")).to_have_text("1")
    expect(board.locator("#activity-online")).to_contain_text("9")
    assert_fits_the_phone(office)
    board.scroll_into_view_if_needed()
    screenshot(office, "board")
    office.goto(live_server + "/activities")
    expect(office.locator(".activities")).to_contain_text("Bộ phận một cửa UBND phường")
    assert_fits_the_phone(office)
    office.context.close()
