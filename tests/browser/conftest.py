"""Browser fixtures: the test app served on a real port, Debian's Chromium driven by Playwright,
and a 360-px phone to hold in the hand. Screenshots land in test-artifacts/ for humans to look at."""

import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from app import clock

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class Reachability:
    """Makes the server unreachable for a while: every request answers 503, as a dead link would fail.
    Or one request (method and path) goes wrong: a gateway in front answers it with an error status, or
    holds it for some seconds before the app sees it, as an overloaded server does.

    Playwright's offline switch covers pages but not a service worker that the browser starts by
    itself, and its routes do not see the worker's own requests, so tests that need "no network" or
    a failing server for the worker too switch the server itself.
    """

    def __init__(self, app):
        self.app, self.down, self.faults = app, False, {}

    def __call__(self, environ, start_response):
        status, delay = self.faults.get((environ["REQUEST_METHOD"], environ["PATH_INFO"]), (None, 0))
        if self.down:
            status = 503
        if status:
            start_response(f"{status} Gateway Fault", [("Content-Type", "text/plain")])
            return [b"unreachable"]
        time.sleep(delay)
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def reachability(app):
    return Reachability(app.wsgi_app)


@pytest.fixture
def server_down(reachability):
    """Call server_down(True) to cut the server off; it is always back after the test."""
    def switch(down: bool) -> None:
        reachability.down = down
    yield switch
    reachability.down = False


@pytest.fixture
def server_fault(reachability):
    """server_fault("POST", "/visits/new", status=502) answers that request with a gateway error;
    delay=5 holds it five seconds before the app answers it. Cleared after the test."""
    def fault(method: str, path: str, status: int | None = None, delay: float = 0) -> None:
        reachability.faults[(method, path)] = (status, delay)
    yield fault
    reachability.faults.clear()


@pytest.fixture
def short_server_timeout(app):
    """Phones give up waiting for the server after 1.5 s instead of 20 (set before the phone loads the app)."""
    before = app.config["SERVER_TIMEOUT_MS"]
    app.config["SERVER_TIMEOUT_MS"] = 1500
    yield 1.5
    app.config["SERVER_TIMEOUT_MS"] = before


@pytest.fixture(scope="session")
def live_server(app, reachability):
    """The session's test app (same database as the factories) on 127.0.0.1 and a free port."""
    app.wsgi_app = reachability
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# A cheap phone in Vietnam: 360x740, touch, Vietnamese, Vietnam's clock, service workers on.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "service_workers": "allow"}


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: browser tests need Debian's Chromium. Run .ci/ensure-chromium "
                    "(Playwright's own browser download does not work here).", pytrace=False)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser):
    """A fresh page on a cheap phone, with its own cookies and storage."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def recording_unit(make_team, make_user):
    """A team's volunteer who records activities, and the unit's coordinator."""
    from app.models import Role

    team = make_team()
    return {"volunteer": make_user(Role.VOLUNTEER, team=team, display_name="Phạm Ngọc Lan"),
            "coordinator": make_user(Role.COORDINATOR, team.ward_code)}


@pytest.fixture
def console_errors(phone) -> list[str]:
    """Every console error the phone's page logs (CSP violations arrive this way)."""
    errors: list[str] = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


@pytest.fixture
def screenshot(request):
    """Save a screenshot (whole page, or only what the screen shows) named after the test into test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page: Page, suffix: str = "", full_page: bool = True) -> Path:
        name = re.sub(r"[^\w.-]+", "_", request.node.name + (f"-{suffix}" if suffix else "")).strip("_")
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture(autouse=True)
def frozen_clock():
    """The browser and its service worker read the machine's clock, so the server's runs with it here:
    these tests build every date from `utcnow()` and are left out of the shifted-clock run in .ci/run."""
    clock.fix(None)
    yield None
