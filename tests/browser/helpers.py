"""Steps and checks shared by the browser tests."""

from playwright.sync_api import Page

from tests.conftest import PASSWORD

MIN_TAP = 44  # px: the smallest control a thumb hits reliably

def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def assert_fits_the_phone(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"horizontal scroll: {scroll_width}px of content in {inner_width}px"
    # A mobile browser widens its layout viewport to fit content that overflows (innerWidth grows
    # and the page is drawn smaller), which would hide the overflow from the check above.
    assert inner_width <= page.viewport_size["width"], f"page laid out {inner_width}px wide on a 360-px phone"


def assert_thumb_sized(page: Page, selector: str) -> int:
    controls = page.locator(selector)
    checked = 0
    for i in range(controls.count()):
        control = controls.nth(i)
        if not control.is_visible():
            continue
        box = control.bounding_box()
        assert box is not None
        assert box["height"] >= MIN_TAP, f"{control.inner_text()!r} is {box['height']}px tall"
        checked += 1
    return checked


def csp_violations(errors: list[str]) -> list[str]:
    return [e for e in errors if "Content Security Policy" in e]
