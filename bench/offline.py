"""What a phone downloads to work offline, and how long the first sync takes on slow 4G.

    .venv/bin/python -m bench.offline [--households 500]

The app is served on 127.0.0.1 behind a small WSGI layer that does what the production reverse proxy
and a slow 4G link do together: gzip text responses, then hold each response for the round trip
(150 ms) and for its compressed size at 1.6 Mbit/s (Lighthouse's "slow 4G"). That layer sits in front
of every request, the service worker's included, which browser-side throttling would not reach.
Debian's Chromium then logs in as a volunteer and waits until the phone is ready for the field
(service worker installed, field pages stored, the team's households in IndexedDB).
"""

import argparse
import gzip
import threading
import time

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from bench.common import CHROMIUM_ARGS, Gzip, fresh_app, machine, write_section

RTT_S = 0.150
BYTES_PER_S = 1_600_000 / 8


class SlowFourG(Gzip):
    """gzip like the reverse proxy, then delay like the radio link; counts what crossed it."""

    def respond(self, body: bytes) -> None:
        time.sleep(RTT_S + len(body) / BYTES_PER_S)


def shell_sizes(app, client) -> list[tuple[str, int, int]]:
    """Raw and gzip size of every file a first visit needs."""
    from app.pwa.views import SHELL_STATIC

    paths = [f"/static/{name}" for name in SHELL_STATIC] + ["/sw.js", "/manifest.webmanifest", "/login", "/",
                                                             "/offline"]
    sizes = []
    anonymous = app.test_client()
    for path in paths:
        body = (anonymous if path == "/login" else client).get(path).get_data()
        sizes.append((path, len(body), len(gzip.compress(body, 6))))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=500)
    args = parser.parse_args()

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Role, User
    from app.services import demo

    app = fresh_app("sqlite")
    with app.app_context():
        demo.seed(92, demo.SeedSize(wards=1, areas_per_ward=1, households_per_area=args.households, months=3))
        db.session.commit()
        volunteer = db.session.scalar(select(User.username).where(User.role == Role.VOLUNTEER, User.team_id.is_not(None)))
    client = app.test_client()
    client.post("/login", data={"username": volunteer, "password": demo.DEMO_PASSWORD})
    sizes = shell_sizes(app, client)
    data = client.get("/api/offline-data").get_data()
    data_raw, data_gz = len(data), len(gzip.compress(data, 6))

    link = SlowFourG(app.wsgi_app)
    app.wsgi_app = link
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                      locale="vi-VN", service_workers="allow")
        page = context.new_page()
        started = time.perf_counter()
        page.goto(base + "/login")
        page.get_by_label("Tên đăng nhập").fill(volunteer)
        page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
        link.bytes = link.requests = 0
        login_at = time.perf_counter()
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=120000)
        first_sync_s = time.perf_counter() - login_at
        stored = page.evaluate("(async () => (await PhusoQueue.searchHouseholds('', 100000)).length)()")
        browser.close()
    server.shutdown()
    first_visit_s = login_at - started

    shell_raw = sum(raw for path, raw, _ in sizes if path not in ("/", "/offline"))
    shell_gz = sum(gz for path, _, gz in sizes if path not in ("/", "/offline"))
    rows = "\n".join(f"| `{path}` | {raw / 1024:.1f} | {gz / 1024:.1f} |" for path, raw, gz in sizes)
    write_section("Offline: app shell and first sync (offline issue)", f"""
`python -m bench.offline` — {machine()}. Sizes in KB; "gzip" is what a phone downloads through the
reverse proxy (gzip level 6); the app itself sends files uncompressed.

| file | raw KB | gzip KB |
|---|---|---|
{rows}

- App shell for a first visit (static files, service worker, manifest, login page): **{shell_gz / 1024:.1f} KB
  compressed** ({shell_raw / 1024:.1f} KB raw). Goal: under 100 KB. htmx is most of it.
- Offline data of a team with {args.households} households (`/api/offline-data`: areas and households, no
  phone numbers): **{data_gz / 1024:.1f} KB compressed** ({data_raw / 1024:.1f} KB raw); {stored} households
  were stored on the phone.
- First sync on slow 4G (150 ms round trip, 1.6 Mbit/s, every request including the service worker's):
  opening the login page took {first_visit_s:.1f} s; from pressing "Đăng nhập" to ready for the field
  (home page, service worker installed, {len(sizes)}-file shell and field pages stored, households saved)
  took **{first_sync_s:.1f} s**, {link.requests} requests and {link.bytes / 1024:.0f} KB.
""")
    print(f"shell {shell_gz / 1024:.1f} KB gz; data {data_gz / 1024:.1f} KB gz; first sync {first_sync_s:.1f} s; "
          f"{link.requests} requests {link.bytes / 1024:.0f} KB; stored {stored}")


if __name__ == "__main__":
    main()
