"""Walk every page a role reaches from its navigation, on the demo data: the pages a reviewer or a width check
needs to see. Used by the no-sideways-scroll test and by `make screenshots` (tests/browser/screenshots.py)."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import Page

from app.services import demo
from app.services.demo import SeedSize

# The demo's login for each role (app/services/demo.py), all with demo.DEMO_PASSWORD.
DEMO_LOGINS = {role: username for username, _name, role in demo.DEMO_ACCOUNTS}
PAGES_PER_ROLE = 40
# Links not followed: leaving (log out), files (downloads, exports), the public board's own tab, the static files.
SKIP = re.compile(r"^/(logout|static/|sw\.js|manifest)|\.(docx|csv|xlsx|svg|png)$|/export|/docx$|/download")


def seed_demo() -> None:
    """A small demo province: one unit with two areas, so that every list and board has rows."""
    demo.seed(92, SeedSize(wards=1, areas_per_ward=2, households_per_area=12, months=2))


def _pattern(path: str) -> str:
    """Pages of one kind count once: /households/12 and /households/13 are the same page with other data."""
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


def _links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "a[href]:not([download]):not([target=_blank])", "links => links.map(a => a.getAttribute('href'))")


def walk(page: Page, base: str, visit) -> list[str]:
    """Open the home page and every same-site page linked from it, breadth first, one page per kind (see
    `_pattern`, query strings left out), and call `visit(page, path)` on each. Returns the paths opened."""
    seen: set[str] = set()
    queue = deque(["/"])
    opened: list[str] = []
    while queue and len(opened) < PAGES_PER_ROLE:
        path = queue.popleft()
        key = _pattern(urlsplit(path).path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(base + path)
        if response is None or response.status >= 400 or not page.url.startswith(base):
            continue
        opened.append(path)
        visit(page, path)
        for href in _links(page):
            href = urldefrag(href)[0]
            if href.startswith(base):
                href = href[len(base):]
            target = urlsplit(href).path
            if href.startswith("/") and not SKIP.search(target) and _pattern(target) not in seen:
                queue.append(href)
    return opened
