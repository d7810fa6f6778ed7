"""What axe-core and Lighthouse found (issue 14, item 11; bench/a11y.py measures the pages): a skip link, a
focus ring that stands out, no request a coordinator's page cannot use, a public board that refreshes its
figures without a meta refresh."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import Role
from app.services import rollups
from tests.browser.helpers import csp_violations, log_in

pytestmark = pytest.mark.browser


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(phone, live_server, screenshot, make_team,
                                                                    make_user):
    volunteer = make_user(Role.VOLUNTEER, team=make_team())
    log_in(phone, live_server, volunteer.username)
    expect(phone.get_by_role("navigation", name="Menu chính")).to_be_visible()

    phone.keyboard.press("Tab")
    skip = phone.get_by_role("link", name="Bỏ qua đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # hidden until focused, then on screen
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    screenshot(phone, full_page=False)

    phone.keyboard.press("Enter")
    expect(phone.locator("main#main")).to_be_focused()
    # The next Tab goes on inside the content, not back to the top bar.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.getElementById('main').contains(document.activeElement)")


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS colours as the browser computes them (rgb() or rgba())."""
    lighter, darker = sorted((_luminance(tuple(float(v) for v in re.findall(r"[\d.]+", colour)))
                              for colour in (first, second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ring_against_background(page: Page, selector: str) -> tuple[str, str, str]:
    """Focus the first visible match from the keyboard's point of view and read its outline's colour and style, and the
    colour of what the outline is drawn on: the nearest ancestor with an opaque background."""
    return page.evaluate("""selector => {
        const element = [...document.querySelectorAll(selector)].find((e) => e.checkVisibility());
        element.focus({ focusVisible: true });
        const style = getComputedStyle(element);
        let under = element.parentElement;
        while (under && ['transparent', 'rgba(0, 0, 0, 0)'].includes(getComputedStyle(under).backgroundColor)) {
            under = under.parentElement;
        }
        return [style.outlineColor, style.outlineStyle,
                under ? getComputedStyle(under).backgroundColor : 'rgb(255, 255, 255)'];
    }""", selector)


def test_focus_ring_contrasts_three_to_one_with_what_surrounds_it(phone, live_server, make_team, make_user):
    volunteer = make_user(Role.VOLUNTEER, team=make_team())
    log_in(phone, live_server, volunteer.username)
    expect(phone.get_by_role("navigation", name="Menu chính")).to_be_visible()
    phone.keyboard.press("Tab")  # the keyboard in use: the browser shows :focus-visible rings from now on
    checked = 0
    for selector in ("main .btn", "main a.btn-primary", ".topbar .brand", ".topbar .chip", ".skip-link"):
        if not phone.locator(selector).filter(visible=True).count():
            continue
        colour, style, background = ring_against_background(phone, selector)
        assert style != "none", f"{selector} shows no focus ring"
        assert contrast(colour, background) >= 3, f"{selector}: ring {colour} on {background}"
        checked += 1
    phone.goto(f"{live_server}/households/new")
    colour, style, background = ring_against_background(phone, "main input[type=text], main input:not([type])")
    assert style != "none" and contrast(colour, background) >= 3, f"input: ring {colour} on {background}"
    assert checked >= 3


def test_offline_data_is_fetched_only_for_those_who_work_in_the_field(browser, live_server, make_team,
                                                                       make_user):
    from tests.browser.conftest import PHONE

    team = make_team()
    people = {Role.COORDINATOR: make_user(Role.COORDINATOR), Role.VOLUNTEER: make_user(Role.VOLUNTEER, team=team)}
    asked = {}
    for role, user in people.items():
        context = browser.new_context(**PHONE)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        log_in(page, live_server, user.username)
        # The end of offline.js's start on this page (the field pages stored, or nothing to store).
        expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=20000)
        asked[role] = [url for url in requests if url.endswith("/api/offline-data")]
        context.close()
    assert asked[Role.COORDINATOR] == []
    assert len(asked[Role.VOLUNTEER]) == 1  # the request watched for is made where it belongs


def test_public_board_refreshes_its_figures_without_a_meta_refresh(
        phone, live_server, console_errors, make_area, make_team, make_user, make_household, make_visit,
        make_campaign):
    team = make_team(areas=[make_area(name="Khu vực Bờ Sông")], name="Tổ CNSCĐ Bờ Sông")
    volunteer = make_user(Role.VOLUNTEER, team=team)
    household = make_household(team.areas[0])
    make_visit(household, volunteer, visited_at=utcnow() - timedelta(hours=3))
    campaign = make_campaign(ward_code=team.ward_code, name="Tháng thi đua chuyển đổi số")
    campaign.start_date, campaign.end_date = local_today() - timedelta(days=6), local_today() + timedelta(days=20)
    rollups.rebuild()
    db.session.commit()

    phone.clock.install()
    phone.goto(f"{live_server}/board/public/{campaign.share_token}")
    expect(phone.locator("meta[http-equiv=refresh]")).to_have_count(0)
    row = phone.locator(".public-table tbody tr").first
    expect(row).to_contain_text("Tổ CNSCĐ Bờ Sông")
    before = row.locator("td.num strong").inner_text()
    url = phone.url

    # Two people activate level 2 in another household: the projected board shows it within a minute.
    make_visit(make_household(team.areas[0]), volunteer, visited_at=utcnow() - timedelta(hours=1),
               level2_activated=2)
    rollups.rebuild()
    db.session.commit()
    with phone.expect_response(lambda response: response.url == url):
        phone.clock.run_for(61_000)
    expect(row.locator("td.num strong")).not_to_have_text(before)
    assert phone.url == url  # the same page, updated in place
    assert csp_violations(console_errors) == []
