"""Measured by the tools others use: axe-core (WCAG 2.1 AA) and Lighthouse on the main page of every role.

    npm install --prefix bench axe-core lighthouse     # bench/node_modules, ignored by git
    .venv/bin/python -m bench.a11y [--node-modules DIR] [--only /ward] [--no-lighthouse]

A fresh SQLite database gets the demo data (Cần Thơ, one unit), the app is served by gunicorn with the
production config on a free 127.0.0.1 port behind gzip (as the reverse proxy serves it), and each demo role
logs in through the login page (CSRF on). The pages: each role's home and main board, the coordinator's and
the volunteer's household lists, the visit form and the public board of the demo's shared campaign. For each:
axe-core injected by Playwright into Debian's Chromium at 360x740 (violations of the WCAG 2.0/2.1 A and AA
rules), the compressed weight of everything the page loads, and Lighthouse (mobile, default simulated
throttling) with that role's session cookie.
"""

import argparse
import gzip
import json
import os
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.common import CHROMIUM_ARGS, COMPRESSIBLE, ROOT, fresh_app, load_average, machine, write_section
from bench.load import Server, free_port

CHROMIUM = "/usr/bin/chromium"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CATEGORIES = ["performance", "accessibility", "best-practices"]
SECTION = "Accessibility and Lighthouse (issue 14, item 11)"


@dataclass
class Page:
    path: str
    role: str  # a demo username, or "" for a page anyone may open
    what: str
    shown: str = ""  # the path as the table shows it (no household id, no token)
    violations: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)
    failed_audits: list[str] = field(default_factory=list)
    weight: int = 0
    requests: int = 0
    blocking_ms: int = 0


def seed(database: Path) -> tuple[list[Page], dict[str, str]]:
    """The demo data in a new SQLite file; the pages to measure and each role's username."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Campaign, Household, Role, User
    from app.services import demo
    from app.services.scope import scoped

    app = fresh_app("sqlite", sqlite_file=str(database))
    with app.app_context():
        demo.seed(92, demo.SeedSize(wards=1))
        db.session.commit()
        logins = {role.value: username for username, _name, role in demo.DEMO_ACCOUNTS}
        volunteer = db.session.scalar(select(User).where(User.username == logins["volunteer"]))
        household = db.session.scalar(scoped(volunteer, Household, Household.id).order_by(Household.id).limit(1))
        token = db.session.scalar(select(Campaign.share_token).where(Campaign.share_token.is_not(None))
                                  .order_by(Campaign.id).limit(1))
        campaign = db.session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))
    pages = [Page("/", logins[role.value], f"home, {role.value}") for role in Role]
    pages += [
        Page("/ward", logins["coordinator"], "unit board"),
        Page("/lists/households", logins["coordinator"], "household list"),
        Page("/province", logins["admin"], "province board"),
        Page("/province", logins["province"], "province board"),
        Page(f"/campaigns/{campaign}", logins["youth_leader"], "leaderboard"),
        Page("/team", logins["team_leader"], "team board"),
        Page("/households?pick=1", logins["volunteer"], "household list"),
        Page(f"/visits/new?household={household}", logins["volunteer"], "visit form"),
        Page(f"/board/public/{token}", "", "public board", "/board/public/<token>"),
    ]
    return pages, logins


def serve(database: Path, instance: str) -> Server:
    """gunicorn with the production config (2 workers), serving the seeded database behind gzip."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PHUSO_INSTANCE_DIR": instance,
           "PHUSO_BIND": f"127.0.0.1:{free_port()}", "WEB_CONCURRENCY": "2", "PHUSO_LOG_LEVEL": "warning"}
    server = Server(env, str(Path(instance) / "gunicorn.log"), workers=2, app="bench.common:gzipped_wsgi()")
    server.start()
    return server


def log_in(browser, base: str, username: str):
    """A phone's browser context logged in as `username` through the login form (its CSRF token included)."""
    from app.services import demo

    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="vi-VN", bypass_csp=True, service_workers="allow")
    if username:
        page = context.new_page()
        page.goto(base + "/login")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        answer = context.request.post(base + "/login", form={
            "csrf_token": token, "username": username, "password": demo.DEMO_PASSWORD}, max_redirects=0)
        if answer.status != 302:
            raise RuntimeError(f"login as {username} answered {answer.status}")
        page.close()
    return context


def measure_in_browser(context, base: str, axe: Path, page_info: Page) -> None:
    """axe-core's WCAG 2.1 AA violations and the compressed weight of everything the page loaded."""
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    answer = page.goto(base + page_info.path, wait_until="networkidle")
    if answer is None or answer.status != 200:
        raise RuntimeError(f"{page_info.path} as {page_info.role or 'anyone'}: {answer and answer.status}")
    page.add_script_tag(path=str(axe))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    page_info.violations = [f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in result["violations"]]
    for response in responses:
        if response.url.endswith("axe.min.js") or response.status in (204, 304) or 300 <= response.status < 400:
            continue
        try:
            body = response.body()
        except PlaywrightError:  # a response Playwright kept no body of (an aborted request): nothing arrived
            body = b""
        kind = response.headers.get("content-type", "")
        page_info.weight += len(gzip.compress(body, 6)) if kind.startswith(COMPRESSIBLE) else len(body)
        page_info.requests += 1
    page.close()


def lighthouse(node_modules: Path, base: str, cookie: str, page_info: Page, work: Path) -> None:
    name = "".join(c if c.isalnum() else "-" for c in f"{page_info.role}{page_info.shown or page_info.path}")
    report = work / f"lighthouse-{name}.json"
    command = [str(node_modules / ".bin/lighthouse"), base + page_info.path, "--quiet", "--output=json",
               f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile",
               "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=600,
                   stdout=subprocess.DEVNULL)
    data = json.loads(report.read_text())
    page_info.scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    page_info.blocking_ms = round(data["audits"]["total-blocking-time"]["numericValue"])
    refs = [ref["id"] for name in CATEGORIES for ref in data["categories"][name]["auditRefs"] if ref["weight"]]
    page_info.failed_audits = sorted({ref for ref in refs
                                      if (data["audits"][ref].get("score") is not None
                                          and data["audits"][ref]["score"] < 0.9)})


def report(pages: list[Page], seconds: float, note: str) -> str:
    rows = "\n".join(
        f"| {p.what} `{p.shown or p.path.split('?')[0]}` | {p.role or '(anyone)'} | {len(p.violations)}"
        f"{': ' + ', '.join(p.violations) if p.violations else ''} | {p.scores.get('performance', '–')} / "
        f"{p.scores.get('accessibility', '–')} / {p.scores.get('best-practices', '–')} | {p.blocking_ms} | "
        f"{p.weight / 1024:.1f} ({p.requests}) |" for p in pages)
    failing = "\n".join(f"- {p.what}, {p.role or 'anyone'}: {', '.join(p.failed_audits)}"
                        for p in pages if p.failed_audits)
    goal = textwrap.fill(f"Goal: axe 0, Lighthouse performance ≥ 95, accessibility and best practices 100. {note}",
                         112, break_on_hyphens=False)
    return f"""
`python -m bench.a11y` — {machine()}, load average {load_average()}, {seconds:.0f} s. The demo data of one
unit (`demo.seed`, Cần Thơ) on SQLite, served by gunicorn (production config) behind gzip as the reverse
proxy serves it; Debian's Chromium. axe-core {_version('axe-core')} with the WCAG 2.0/2.1 A and AA rules
(violation ids, impact, elements) at 360x740; Lighthouse {_version('lighthouse')}, mobile form factor, default
(simulated) throttling; "blocking": its total blocking time (main thread, simulated). Weight: everything
the page loads, gzip level 6 for text, in KB (requests); the service worker's own downloads are not counted.
{goal}

| page | login | axe violations | Lighthouse perf. / a11y / best pr. | blocking ms | weight KB (requests) |
|---|---|---|---|---|---|
{rows}

Lighthouse audits below 0.9 that count in a score:
{failing or "- none"}
"""


def _version(package: str) -> str:
    return NODE_VERSIONS.get(package, "?")


NODE_VERSIONS: dict[str, str] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "bench/node_modules",
                        help="where `npm install axe-core lighthouse` put them")
    parser.add_argument("--only", default=None, help="measure only the pages whose path contains this")
    parser.add_argument("--no-lighthouse", action="store_true", help="axe and weights only")
    parser.add_argument("--note", default="", help="a sentence for BENCHMARKS.md (before or after what)")
    parser.add_argument("--section", default=SECTION, help="the BENCHMARKS.md section to write")
    args = parser.parse_args()
    for package in ("axe-core", "lighthouse"):
        NODE_VERSIONS[package] = json.loads((args.node_modules / package / "package.json").read_text())["version"]
    axe = args.node_modules / "axe-core/axe.min.js"

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="phuso-a11y-"))
    database = work / "a11y.db"
    os.environ["PHUSO_INSTANCE_DIR"] = str(work)
    pages, _logins = seed(database)
    if args.only:
        pages = [p for p in pages if args.only in p.path]
    server = serve(database, str(work))
    base = f"http://127.0.0.1:{server.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for role in dict.fromkeys(p.role for p in pages):
                context = log_in(browser, base, role)
                cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
                for page_info in (p for p in pages if p.role == role):
                    measure_in_browser(context, base, axe, page_info)
                    if not args.no_lighthouse:
                        lighthouse(args.node_modules, base, cookie, page_info, work)
                    print(f"{page_info.what} {page_info.path} {page_info.role}: axe {len(page_info.violations)} "
                          f"{page_info.violations} lighthouse {page_info.scores} {page_info.failed_audits} "
                          f"{page_info.weight / 1024:.1f} KB", flush=True)
                context.close()
            browser.close()
    finally:
        server.stop()
    print(f"Lighthouse's reports: {work}/lighthouse-*.json")
    if not args.only:
        write_section(args.section, report(pages, time.perf_counter() - started, args.note))


if __name__ == "__main__":
    main()
