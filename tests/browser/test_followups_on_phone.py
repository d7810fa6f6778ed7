"""A volunteer's follow-ups on a 360-px phone: closed by hand only after a second question, and undone in one
tap; and the visit form's tick boxes sit level with their labels."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import local_today, utcnow
from app.models import Role
from tests.browser.helpers import assert_fits_the_phone, csp_violations, log_in

pytestmark = pytest.mark.browser


def test_a_follow_up_closed_by_hand_is_asked_twice_and_undone_in_one_tap(
        phone, live_server, console_errors, screenshot, make_team, make_user, make_household, make_visit):
    team = make_team()
    volunteer = make_user(Role.VOLUNTEER, team=team, display_name="Phạm Ngọc Lan")
    for number, days in ((8, -1), (9, 3)):
        make_visit(make_household(team.areas[0], address=f"Số {number} Hẻm Chờ"), volunteer,
                   visited_at=utcnow() - timedelta(days=2), followup_needed=True,
                   followup_reason="Chờ công an duyệt mức 2", followup_due=local_today() + timedelta(days=days))

    log_in(phone, live_server, volunteer.username)
    followups = phone.locator("#today .list.compact")
    open_count = phone.locator(".stat", has_text="Chưa xong").locator(".stat-value")
    expect(open_count).to_have_text("2")
    expect(followups.locator(".list-item")).to_have_count(2)
    expect(followups.locator(".list-item").first).to_contain_text("Quá hạn")  # the overdue one first

    followups.locator(".list-item", has_text="Số 9 Hẻm Chờ").get_by_role("link", name="Đóng hẹn…").click()
    expect(phone.get_by_role("heading", name="Đóng hẹn hỗ trợ lại")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("không được tính điểm thi đua")
    assert_fits_the_phone(phone)
    screenshot(phone, "confirm")
    phone.get_by_role("button", name="Đóng hẹn, không ghi lượt").click()

    undo = phone.locator("#undo-close")
    expect(undo).to_contain_text("Số 9 Hẻm Chờ")
    expect(open_count).to_have_text("1")
    expect(followups.locator(".list-item")).to_have_count(1)
    assert_fits_the_phone(phone)
    screenshot(phone, "closed")
    undo.get_by_role("button", name="Hoàn tác").click()

    expect(phone.get_by_text("Hẹn hỗ trợ lại đã được mở lại.")).to_be_visible()
    expect(open_count).to_have_text("2")
    expect(followups).to_contain_text("Số 9 Hẻm Chờ")
    expect(phone.locator("#undo-close")).to_have_count(0)
    assert csp_violations(console_errors) == []


def test_the_visit_forms_tick_boxes_sit_level_with_their_labels(phone, live_server, make_team, make_user,
                                                                  make_household, screenshot):
    team = make_team()
    volunteer = make_user(Role.VOLUNTEER, team=team)
    home = make_household(team.areas[0], address="Số 3 Hẻm 5")
    log_in(phone, live_server, volunteer.username)
    phone.goto(f"{live_server}/visits/new?household={home.id}")
    boxes = phone.locator("main form input[type=checkbox]")
    assert boxes.count() >= 5
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if not box.is_visible():
            continue
        # The text the box belongs to: the label around it, or the one that names it.
        tick, text = box.evaluate("""input => {
            const label = input.closest('label') || document.querySelector(`label[for="${input.id}"]`);
            const words = label.querySelector('span') || label;
            const a = input.getBoundingClientRect(), b = words.getBoundingClientRect();
            return [[a.left, a.top + a.height / 2], [b.left, b.top, b.bottom]];
        }""")
        left, middle = tick
        text_left, text_top, text_bottom = text
        assert left < text_left, f"box {i} is not before its label"
        if text_bottom - text_top < 30:  # one line of text: level with its middle
            assert abs(middle - (text_top + text_bottom) / 2) <= 3, f"box {i} at {middle}px, its label at {text}"
        else:  # several lines: beside them
            assert text_top <= middle <= text_bottom, f"box {i} at {middle}px is beside no line of {text}"
    screenshot(phone, "visit-form-ticks")
