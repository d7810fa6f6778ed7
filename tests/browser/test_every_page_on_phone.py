"""Every page of every role, walked from its navigation on a 360x740 phone over the demo data: no page is
wider than the screen, and nothing on it scrolls sideways (tables become cards on a phone; issue 14).

With PHUSO_SCREENSHOTS=folder (`make screenshots`), the walk also keeps a PNG of every page at 360 and at
1280 px wide in that folder, for anyone reviewing the interface."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Role
from app.services import demo
from tests.browser.helpers import log_in
from tests.browser.walk import DEMO_LOGINS, seed_demo, walk

pytestmark = pytest.mark.browser

# What is wider than the screen: the document itself, or any box that scrolls sideways inside it.
SIDEWAYS = """() => {
  // screen.width, not innerWidth: a mobile browser widens its layout to fit what overflows.
  const width = screen.width, found = [];
  if (document.documentElement.scrollWidth > width || window.innerWidth > width) {
    found.push(`the page: ${document.documentElement.scrollWidth}px`);
  }
  for (const el of document.querySelectorAll("main *")) {
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && el.scrollWidth > el.clientWidth + 1 && el.offsetParent) {
      const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className}`;
      found.push(`${name}: ${el.scrollWidth}px in ${el.clientWidth}px`);
    }
  }
  return found;
}"""


@pytest.fixture
def demo_data(ctx):
    seed_demo()
    db.session.commit()


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_no_page_of_a_role_scrolls_sideways_on_a_phone(phone, browser, live_server, demo_data, role):
    log_in(phone, live_server, DEMO_LOGINS[role], demo.DEMO_PASSWORD)
    too_wide: dict[str, list[str]] = {}
    folder = os.environ.get("PHUSO_SCREENSHOTS")
    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN").new_page() if folder else None
    if desktop:
        log_in(desktop, live_server, DEMO_LOGINS[role], demo.DEMO_PASSWORD)

    def check(page, path):
        found = page.evaluate(SIDEWAYS)
        if found:
            too_wide[path] = found
        if folder:
            keep_screenshots(page, desktop, live_server + path, Path(folder), f"{role.value}{path}")

    opened = walk(phone, live_server, check)
    if desktop:
        desktop.context.close()
    assert len(opened) >= 3, opened  # home and at least two pages of the navigation
    if role in (Role.YOUTH_LEADER, Role.COORDINATOR):  # a campaign's commendation, from its leaderboard
        assert any(path.endswith("/commendation") for path in opened), opened
    assert too_wide == {}, "\n".join(f"{path}: {'; '.join(found)}" for path, found in too_wide.items())


def keep_screenshots(phone, desktop, url: str, folder: Path, name: str) -> None:
    """The page as the phone shows it, and the same address on a 1280-px screen."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", name).strip("_")
    phone.screenshot(path=str(folder / f"{name}-360.png"), full_page=True)
    desktop.goto(url)
    desktop.screenshot(path=str(folder / f"{name}-1280.png"), full_page=True)


def test_a_board_table_on_a_phone_is_one_indicator_per_line_chosen_from_a_picker(phone, live_server, demo_data):
    log_in(phone, live_server, DEMO_LOGINS[Role.COORDINATOR], demo.DEMO_PASSWORD)
    phone.goto(live_server + "/ward")
    areas = phone.locator(".group-table").first.locator("tbody tr")
    expect(areas.first.locator("td:visible")).to_have_count(1)
    expect(areas.first.locator("td:visible")).to_have_attribute("data-label", "Tỷ lệ hộ được tiếp cận")
    phone.get_by_label("Chỉ số hiển thị").first.select_option(label="Hộ chưa được thăm trong 90 ngày")
    phone.wait_for_url(re.compile(r"sort=staleness"))  # applied on change, no button needed
    expect(areas.first.locator("td:visible")).to_have_attribute("data-label", "Hộ chưa được thăm trong 90 ngày")
    expect(phone.locator(".sort-picker .btn").first).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.COORDINATOR], ids=["volunteer", "coordinator"])
def test_large_text_grows_text_and_buttons_and_no_page_breaks(phone, live_server, demo_data, screenshot, role):
    log_in(phone, live_server, DEMO_LOGINS[role], demo.DEMO_PASSWORD)
    button = phone.locator("#text-size button")
    normal = button.bounding_box()["height"]
    button.click()
    expect(phone.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    expect(phone.locator("#text-size button")).to_have_attribute("aria-pressed", "true")
    assert phone.locator("#text-size button").bounding_box()["height"] >= normal * 1.2
    screenshot(phone, "large-text")
    too_wide: dict[str, list[str]] = {}
    walk(phone, live_server, lambda page, path: too_wide.update({path: page.evaluate(SIDEWAYS)}))
    assert {path: found for path, found in too_wide.items() if found} == {}
    # Twice the normal text (a phone's own font setting at 200 %): the daily pages still fit.
    for path in ("/", "/households", "/visits/new") if role == Role.VOLUNTEER else ("/", "/ward"):
        phone.goto(live_server + path)
        phone.evaluate("document.documentElement.style.fontSize = '32px'")
        assert phone.evaluate(SIDEWAYS) == [], path
