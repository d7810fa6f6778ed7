"""Offline on a 360-px phone: capture with no signal, nothing lost, nothing doubled."""

import re
import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Role, User, Visit
from app.services.lists import households
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def team(make_team, make_user, make_household):
    team = make_team()
    area = team.areas[0]
    return {
        "volunteer": make_user(Role.VOLUNTEER, team=team, display_name="Phạm Ngọc Lan"),
        "households": [make_household(area, address=f"Số {n} Hẻm 51, Đường 3 Tháng 2", display_name=f"Hộ Thử {n}")
                       for n in range(1, 4)],
    }


def ready_for_the_field(page: Page, base: str, username: str) -> None:
    """Log in online and wait until the phone has stored the field pages and the team's households."""
    log_in(page, base, username)
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=20000)


def log_visit(page: Page, base: str, path: str | None = None, label: str | None = None) -> None:
    """Open the visit form (from the phone's copy when offline), choose "met" and save."""
    if path:
        page.goto(base + path)
    if label:
        expect(page.locator("[data-household-label]")).to_contain_text(label)
    page.get_by_label("Gặp được").check(force=True)
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    page.wait_for_url(re.compile(r"/\?queued=(offline|server)$"))


def add_household_offline(page: Page, base: str, name: str) -> str:
    page.goto(base + "/households/new")
    page.get_by_label("Địa chỉ").fill(f"Số 99 Hẻm Mới, {name}")
    page.get_by_label("Tên hiển thị (không bắt buộc)").fill(name)
    page.get_by_role("button", name="Lưu hộ gia đình").click()
    page.wait_for_url(re.compile(r"household_client="))
    return re.search(r"household_client=([0-9a-f-]+)", page.url).group(1)


def visits() -> int:
    db.session.rollback()  # a fresh read: the live server writes from its own connection
    return db.session.scalar(select(func.count()).select_from(Visit))


def visits_once_sent(page: Page, expected: int, seconds: float = 15) -> int:
    """The visits stored, once the phone has had time to send what it kept (the badge is hidden before the
    page has counted its queue, so it cannot tell "sent")."""
    deadline = time.monotonic() + seconds
    while visits() != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return visits()


def phone_with_profile(playwright, profile, **options):
    """A phone whose browser keeps its storage on disk, as a real one does across restarts."""
    return playwright.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                         **options, **PHONE)


def test_twenty_visits_logged_offline_arrive_exactly_once(phone, live_server, team, screenshot):
    households_before = db.session.scalar(select(func.count()).select_from(Household))
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    phone.context.set_offline(True)

    client_id = add_household_offline(phone, live_server, "Hộ Mới Ngoại Tuyến")
    log_visit(phone, live_server, label="Hộ Mới Ngoại Tuyến")
    expect(phone.get_by_text("Đã lưu trên máy")).to_be_visible()
    for _ in range(4):
        log_visit(phone, live_server, f"/visits/new?household_client={client_id}", "Hộ Mới Ngoại Tuyến")
    for n in range(15):
        home = team["households"][n % 3]
        log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)
    badge = phone.locator("#queue-badge")
    expect(badge).to_contain_text("21")
    screenshot(phone, "queued")

    phone.context.set_offline(False)
    expect(badge).to_be_hidden(timeout=30000)
    assert visits() == 20
    assert db.session.scalar(select(func.count()).select_from(Household)) == households_before + 1
    new = db.session.scalar(select(Household).where(Household.client_id == client_id))
    assert db.session.scalar(select(func.count()).where(Visit.household_id == new.id)) == 5
    assert db.session.scalar(select(func.count(func.distinct(Visit.client_id)))) == 20


def test_a_lost_acknowledgement_stores_nothing_new_on_replay(phone, live_server, team):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    phone.context.set_offline(True)
    home = team["households"][0]
    log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)

    answers = []

    def lose_first_answer(route):
        if not answers:
            answers.append(route.fetch().status)  # the server stores the visit ...
            route.abort("connectionreset")         # ... but its answer never reaches the phone
        else:
            answers.append("sent again")
            route.continue_()

    phone.route("**/api/visits", lose_first_answer)
    phone.context.set_offline(False)
    deadline = time.monotonic() + 15
    while not answers and time.monotonic() < deadline:
        phone.wait_for_timeout(100)
    assert answers[0] == 201 and visits() == 1

    phone.goto(live_server + "/queue")
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-badge")).to_be_hidden(timeout=15000)
    # The phone sent the same visit again (an item leaves the queue only on a 2xx) and the server recognised it:
    # nothing new stored. The page or the worker's Background Sync may resend it; page routes see only the page's.
    assert visits() == 1


def test_queued_work_survives_closing_the_browser(playwright, live_server, team, tmp_path, server_down):
    profile = tmp_path / "profile"
    first = phone_with_profile(playwright, profile)
    page = first.pages[0]
    ready_for_the_field(page, live_server, team["volunteer"].username)
    first.set_offline(True)
    server_down(True)  # no signal for the service worker either
    home = team["households"][1]
    log_visit(page, live_server, f"/visits/new?household={home.id}", home.display_name)
    first.close()

    # The phone restarts still without a signal.
    again = phone_with_profile(playwright, profile, offline=True)
    try:
        page = again.pages[0]
        page.goto(live_server + "/queue")
        expect(page.locator("#queue-list")).to_contain_text("Lượt hỗ trợ")
        assert visits() == 0
        server_down(False)
        again.set_offline(False)
        page.get_by_role("button", name="Gửi ngay").click()
        assert visits_once_sent(page, 1) == 1
    finally:
        again.close()


def test_an_expired_login_pauses_the_queue_until_the_volunteer_logs_in(phone, live_server, team, screenshot):
    volunteer = team["volunteer"]
    ready_for_the_field(phone, live_server, volunteer.username)
    phone.context.set_offline(True)
    home = team["households"][2]
    log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)

    user = db.session.get(User, volunteer.id)
    user.end_sessions()  # the login expires while the phone is offline
    db.session.commit()
    phone.context.set_offline(False)
    expect(phone.locator("#login-to-send")).to_be_visible(timeout=15000)
    assert visits() == 0

    phone.goto(live_server + "/")
    expect(phone).to_have_url(re.compile(r"/login"))
    expect(phone.locator("#login-to-send")).to_be_visible()
    expect(phone.locator("#queue-badge")).to_contain_text("1")
    screenshot(phone, "login-to-send")
    ready_for_the_field(phone, live_server, volunteer.username)
    assert visits_once_sent(phone, 1) == 1
    expect(phone.locator("#queue-badge")).to_be_hidden()


def test_the_app_is_installable_and_the_worker_controls_the_page(playwright, live_server, team, tmp_path):
    context = phone_with_profile(playwright, tmp_path / "profile")  # Chromium never installs from incognito
    try:
        page = context.pages[0]
        ready_for_the_field(page, live_server, team["volunteer"].username)
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = page.request.get(live_server + "/manifest.webmanifest").json()
        assert manifest["name"].startswith("Phủ Số") and manifest["display"] == "standalone"
    finally:
        context.close()


def queue_a_visit_the_server_refuses(page: Page, base: str, home: Household) -> None:
    """With no signal, a visit whose note holds a citizen-ID number, which the server will refuse."""
    page.context.set_offline(True)
    page.goto(f"{base}/visits/new?household={home.id}")
    expect(page.locator("[data-household-label]")).to_contain_text(home.display_name)
    page.get_by_label("Gặp được").check(force=True)
    page.get_by_label("Hỗ trợ khác").fill("Cài ứng dụng ngân hàng")
    page.get_by_label("Ghi chú").fill("CCCD của chủ hộ 079123456789")
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    page.wait_for_url(re.compile(r"/\?queued=offline$"))


def test_a_refused_item_needs_attention_with_the_servers_message(phone, live_server, team, make_visit):
    home = team["households"][0]
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    queue_a_visit_the_server_refuses(phone, live_server, home)

    phone.context.set_offline(False)
    phone.goto(live_server + "/queue")
    phone.get_by_role("button", name="Gửi ngay").click()  # whatever the back-off after the network came back
    item = phone.locator("#queue-list .is-attention")
    expect(item).to_contain_text("Cần xem lại", timeout=15000)
    expect(item).to_contain_text("giống số căn cước công dân")
    assert visits() == 0
    phone.on("dialog", lambda dialog: dialog.accept())
    item.get_by_role("button", name="Bỏ").click()
    expect(phone.locator("#queue-list")).to_contain_text("Không còn mục nào chờ")


def test_logging_out_with_unsent_items_warns_and_clears_private_pages(phone, live_server, team, server_down):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    server_down(True)
    phone.context.set_offline(True)
    home = team["households"][1]
    log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)
    phone.context.set_offline(False)

    warnings = []

    def keep_working(dialog):  # the volunteer reads the warning and stays
        warnings.append(dialog.message)
        dialog.dismiss()

    phone.once("dialog", keep_working)
    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone.locator("#queue-badge")).to_contain_text("1")  # dismissed: still logged in
    deadline = time.monotonic() + 5  # the warning comes once the phone has counted what waits
    while not warnings and time.monotonic() < deadline:
        phone.wait_for_timeout(50)
    assert warnings and "Còn 1 mục chưa gửi" in warnings[0]
    assert re.search(r"/\?queued=(offline|server)$", phone.url)
    server_down(False)
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone).to_have_url(re.compile(r"/login"))
    stored = phone.evaluate(
        "(async () => (await (await caches.open('phuso-pages')).keys()).map((r) => new URL(r.url).pathname))()")
    assert set(stored) <= {"/login"}  # the team's pages are gone; only the public login page may be kept
    expect(phone.locator("#queue-badge")).to_contain_text("1")  # the unsent visit stays on the phone


def stored_on_the_phone(page: Page) -> dict:
    """What the phone keeps: the text of every stored page and the addresses of the stored households."""
    return page.evaluate("""async () => {
        const cache = await caches.open('phuso-pages');
        const pages = [];
        for (const request of await cache.keys()) pages.push(await (await cache.match(request)).text());
        const households = (await PhusoQueue.searchHouseholds('', 1000)).map((h) => h.address);
        return { pages, households };
    }""")


def test_a_lent_phone_keeps_each_volunteers_data_apart(phone, live_server, team, make_team, make_user,
                                                       make_household, screenshot):
    lan = team["volunteer"]
    other_team = make_team()
    minh = make_user(Role.VOLUNTEER, team=other_team, display_name="Trần Văn Minh")
    theirs = make_household(other_team.areas[0], address="Số 7 Đường Cách Mạng Tháng 8", display_name="Hộ Của Minh")
    ready_for_the_field(phone, live_server, lan.username)
    phone.context.set_offline(True)
    home = team["households"][0]
    log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)

    user = db.session.get(User, lan.id)
    user.end_sessions()  # Lan logs out on another device while this phone has no signal
    db.session.commit()
    phone.context.set_offline(False)
    phone.goto(live_server + "/")
    expect(phone).to_have_url(re.compile(r"/login"))
    expect(phone.locator("#queue-badge")).to_contain_text("1")

    ready_for_the_field(phone, live_server, minh.username)
    stored = stored_on_the_phone(phone)
    assert stored["households"] == [theirs.address]  # Lan's team's households left the phone
    assert stored["pages"] and not any("Phạm Ngọc Lan" in page or home.address in page for page in stored["pages"])
    phone.goto(live_server + "/queue")
    queue = phone.locator("#queue-list")
    expect(queue).to_contain_text("1 mục của tài khoản khác đang chờ gửi")
    expect(queue).not_to_contain_text(home.display_name)
    expect(phone.get_by_role("link", name="Sửa")).to_have_count(0)
    screenshot(phone, "queue-of-another-account")
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-status")).to_contain_text("Đã gửi hết")
    assert visits() == 0  # never sent under Minh's login

    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone).to_have_url(re.compile(r"/login"))
    ready_for_the_field(phone, live_server, lan.username)
    assert visits_once_sent(phone, 1) == 1
    assert db.session.scalars(select(Visit.volunteer_id)).all() == [lan.id]


def test_logging_out_with_no_signal_opens_the_login_page_and_ends_the_session_once_online(
        phone, live_server, team, server_down, screenshot):
    volunteer = team["volunteer"]
    ready_for_the_field(phone, live_server, volunteer.username)
    session_token = volunteer.session_token
    server_down(True)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone).to_have_url(re.compile(r"/login\?logged_out=1$"))
    expect(phone.get_by_text("Đã đăng xuất trên máy này")).to_be_visible()
    expect(phone.get_by_label("Tên đăng nhập")).to_be_visible()  # the stored login page, not a browser error
    screenshot(phone, "logged-out-offline")
    assert stored_on_the_phone(phone) == {"pages": [], "households": []}
    home = team["households"][0]
    for path in ("/households", f"/visits/new?household={home.id}"):
        phone.goto(live_server + path)
        expect(phone.get_by_role("heading", name="Không có kết nối")).to_be_visible()
        expect(phone.get_by_text(home.display_name)).to_have_count(0)

    server_down(False)
    phone.context.set_offline(False)
    phone.goto(live_server + "/")  # the server still knew the login: the phone ends it now
    expect(phone).to_have_url(re.compile(r"/login$"))
    phone.goto(live_server + "/")
    expect(phone).to_have_url(re.compile(r"/login\?next="))
    db.session.rollback()
    assert db.session.get(User, volunteer.id).session_token != session_token


def test_a_visit_answered_with_a_gateway_error_is_kept_and_sent(phone, live_server, team, server_fault):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    server_fault("POST", "/visits/new", status=502)
    home = team["households"][0]
    phone.goto(f"{live_server}/visits/new?household={home.id}")
    phone.get_by_label("Gặp được").check(force=True)
    phone.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    phone.wait_for_url(re.compile(r"/\?queued=server$"))  # no "502 Bad Gateway", nothing to type again
    expect(phone.get_by_text("Máy chủ không trả lời. Đã lưu trên máy")).to_be_visible()
    assert visits_once_sent(phone, 1) == 1  # the sync API answers: the phone sends it at once


def test_a_visit_the_server_does_not_answer_in_time_is_kept_and_stored_once(
        phone, live_server, team, server_fault, short_server_timeout):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    server_fault("POST", "/visits/new", delay=4)  # the form's answer comes long after the phone gave up
    home = team["households"][1]
    phone.goto(f"{live_server}/visits/new?household={home.id}")
    phone.get_by_label("Gặp được").check(force=True)
    started = time.monotonic()
    phone.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    phone.wait_for_url(re.compile(r"/\?queued=server$"))
    assert time.monotonic() - started < 4
    assert visits_once_sent(phone, 1) == 1
    phone.wait_for_timeout(max(0, 5 - (time.monotonic() - started)) * 1000)  # the held post reaches the app too
    assert visits() == 1


def test_the_status_tells_a_silent_server_from_no_signal(phone, live_server, team, server_down, screenshot):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    server_down(True)
    home = team["households"][2]
    log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)
    phone.goto(live_server + "/queue")
    item = phone.locator("#queue-list .list-item")
    expect(item).to_contain_text(home.display_name)
    expect(item).to_contain_text(home.address)
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-status")).to_have_text(
        "Có mạng nhưng máy chủ không trả lời. Các mục sẽ được gửi khi máy chủ hoạt động lại.")
    screenshot(phone, "server-silent")
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-status")).to_contain_text("Không có sóng")
    assert visits() == 0


def test_an_item_that_needs_attention_is_corrected_and_sent_with_its_client_id(phone, live_server, team, screenshot):
    home = team["households"][0]
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    queue_a_visit_the_server_refuses(phone, live_server, home)
    client_id = phone.evaluate("PhusoQueue.items().then((items) => items[0].client_id)")

    phone.context.set_offline(False)
    phone.goto(live_server + "/queue")
    phone.get_by_role("button", name="Gửi ngay").click()  # whatever the back-off after the network came back
    item = phone.locator("#queue-list .is-attention")
    expect(item).to_contain_text("Cần xem lại", timeout=15000)
    expect(item).to_contain_text(home.address)
    screenshot(phone, "needs-attention")
    item.get_by_role("link", name="Sửa").click()
    expect(phone.get_by_label("Ghi chú")).to_have_value("CCCD của chủ hộ 079123456789")
    expect(phone.get_by_label("Hỗ trợ khác")).to_have_value("Cài ứng dụng ngân hàng")
    expect(phone.get_by_label("Gặp được")).to_be_checked()
    phone.get_by_label("Ghi chú").fill("Chủ hộ hẹn tuần sau")
    phone.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(phone).to_have_url(re.compile(r"/queue$"))
    expect(phone.locator("#queue-list")).to_contain_text("Không còn mục nào chờ", timeout=15000)
    db.session.rollback()
    stored = db.session.scalars(select(Visit)).all()
    assert [(v.client_id, v.note, v.household_id) for v in stored] == [(client_id, "Chủ hộ hẹn tuần sau", home.id)]


def test_a_visit_to_a_household_merged_meanwhile_goes_to_the_one_that_stayed(phone, live_server, team, make_user):
    duplicate, survivor = team["households"][0], team["households"][1]
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    phone.context.set_offline(True)
    log_visit(phone, live_server, f"/visits/new?household={duplicate.id}", duplicate.display_name)

    coordinator = make_user(Role.COORDINATOR, duplicate.ward_code)
    households.merge(coordinator, db.session.get(Household, survivor.id), db.session.get(Household, duplicate.id))
    db.session.commit()
    phone.context.set_offline(False)
    assert visits_once_sent(phone, 1) == 1
    assert db.session.scalars(select(Visit.household_id)).all() == [survivor.id]


def test_a_corrected_household_goes_with_the_visits_that_waited_for_it(phone, live_server, team):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    phone.context.set_offline(True)
    client_id = add_household_offline(phone, live_server, "Chủ hộ 079123456789")  # refused: a citizen-ID number
    log_visit(phone, live_server, label="Chủ hộ 079123456789")
    phone.context.set_offline(False)
    phone.goto(live_server + "/queue")
    refused = phone.locator("#queue-list .is-attention")
    expect(refused).to_have_count(1, timeout=15000)  # the household; its visit waits behind it
    expect(refused).to_contain_text("Hộ mới")
    expect(phone.locator("#queue-list .list-item")).to_have_count(2)

    refused.get_by_role("link", name="Sửa").click()
    expect(phone.get_by_label("Tên hiển thị (không bắt buộc)")).to_have_value("Chủ hộ 079123456789")
    phone.get_by_label("Tên hiển thị (không bắt buộc)").fill("Hộ Bà Sáu")
    phone.get_by_label("Địa chỉ").fill("Số 99 Hẻm Mới")
    phone.get_by_role("button", name="Lưu hộ gia đình").click()
    expect(phone.locator("#queue-list")).to_contain_text("Không còn mục nào chờ", timeout=15000)
    new = db.session.scalar(select(Household).where(Household.client_id == client_id))
    assert new.display_name == "Hộ Bà Sáu" and visits() == 1


def test_todays_count_shows_the_visits_waiting_on_the_phone(phone, live_server, team):
    ready_for_the_field(phone, live_server, team["volunteer"].username)
    phone.context.set_offline(True)
    for home in team["households"][:2]:
        log_visit(phone, live_server, f"/visits/new?household={home.id}", home.display_name)
    waiting = phone.locator("#waiting-today")
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text("+2 lượt ghi hôm nay đang chờ trên máy (chưa gửi)")
    phone.context.set_offline(False)
    assert visits_once_sent(phone, 2) == 2
    phone.goto(live_server + "/")
    expect(phone.locator(".stats .stat-value").first).to_have_text("2")  # counted by the server now
    expect(waiting).to_be_hidden()
