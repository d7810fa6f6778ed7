"""Sharing a board: the summary a share button sends (Vietnamese, the locale's numbers), the link it sends, the
public board's QR code (decoded back to its link) and the printable A4 poster."""

import html
import re
from datetime import date

import segno
import zxingcpp

from app import sharing
from app.clock import utcnow
from app.extensions import db
from app.models import Campaign, Role
from app.services import rollups
from tests.conftest import WARD_A

NOVEMBER = {"name": "Thi đua tháng 11", "start_date": date(2026, 11, 1), "end_date": date(2026, 11, 30)}
QR_SVG = re.compile(r'<svg viewBox="0 0 \d+ \d+" class="qr">.*?</svg>', re.S)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _share_data(page: str) -> dict[str, str]:
    button = re.search(r'<button class="btn share-button"[^>]*>', page)
    assert button, "no share button"
    return {name: html.unescape(value) for name, value in re.findall(r'data-share-([a-z]+)="([^"]*)"', button[0])}


def _campaign(ward_code=WARD_A, weights=None, **kw) -> Campaign:
    campaign = Campaign(**{**NOVEMBER, **kw}, province_code=92, ward_code=ward_code,
                        weights=weights or {"met": 1, "level2": 5, "tutored": 2, "cashless": 2,
                                            "followups_closed": 3, "first_reach": 4})
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _modules(svg: str) -> list[list[bool]]:
    """The dark modules of a QR code drawn as segno draws it: one path of horizontal runs ("M4 4.5h7m3 0h1…")."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, args in re.findall(r"([Mmh])([-\d. ]+)", re.search(r' d="([^"]+)"', svg)[1]):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                grid[int(y)][column] = True
            x += numbers[0]
    return grid


def _decoded(svg: str, pixels: int = 4) -> list[str]:
    """What a QR reader (zxing-cpp) reads from the SVG's modules drawn black on white."""
    grid = _modules(svg)
    rows = []
    for line in grid:
        row = b"".join((b"\x00" if dark else b"\xff") * pixels for dark in line)
        rows.extend([row] * pixels)
    side = len(grid) * pixels
    return [found.text for found in zxingcpp.read_barcodes(memoryview(b"".join(rows)).cast("B", (side, side)))]


def test_the_public_board_shows_a_qr_code_of_its_own_link_and_a_share_button(world, client):
    _campaign(share_token="qr-token")
    page = _text(client.get("/board/public/qr-token"))
    link = "http://localhost/board/public/qr-token"
    svg = QR_SVG.search(page)[0]
    assert "<title>Mã QR của đường dẫn tới bảng này</title>" in svg and "style=" not in svg
    # Drawn by segno for exactly this link, and read back as this link by a QR reader.
    drawn = segno.make(link, error="m").matrix_iter(border=4)
    assert _modules(svg) == [[bool(module) for module in row] for row in drawn]
    assert _decoded(svg) == [link]
    assert "Mở bảng này trên điện thoại" in page and 'href="/board/public/qr-token/poster"' in page
    shared = _share_data(page)
    assert shared["url"] == link and shared["title"] == "Thi đua tháng 11"
    assert shared["text"] == "Thi đua tháng 11, tính đến 20/11/2026: chưa tổ nào có điểm."
    assert shared["copied"].startswith("Đã sao chép") and '<script src="/static/js/share.js" defer></script>' in page


def test_the_poster_is_an_a4_page_with_the_campaign_and_the_qr_code(world, client, login_as):
    campaign = _campaign(share_token="poster-token")
    response = client.get("/board/public/poster-token/poster")
    page = _text(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<h1>Thi đua tháng 11</h1>" in page and "Phường Ninh Kiều" in page and "01/11/2026 – 30/11/2026" in page
    assert "Quét mã để xem bảng xếp hạng thi đua" in page and "In" in page
    assert _decoded(QR_SVG.search(page)[0]) == ["http://localhost/board/public/poster-token"]
    assert 'href="/static/css/poster.css"' in page and "<script>" not in page and "style=" not in page
    assert "@page { size: A4 portrait" in _text(client.get("/static/css/poster.css"))
    # The campaign's managers find it beside the public link; a revoked link takes the poster with it.
    leader = login_as(world["youth_a"])
    assert 'href="/board/public/poster-token/poster"' in _text(leader.get(f"/campaigns/{campaign.id}"))
    assert leader.post(f"/campaigns/{campaign.id}/share/revoke").status_code == 303
    assert client.get("/board/public/poster-token/poster").status_code == 404


def test_the_qr_title_is_text_not_markup(app):
    with app.test_request_context():
        svg = sharing.qr_svg("https://example.org/?a=1&b=<2>", title='Bảng "A" <b>')
    assert '<title>Bảng "A" &lt;b&gt;</title>' in svg and "<b>" not in svg
    assert _decoded(str(svg)) == ["https://example.org/?a=1&b=<2>"]


def test_the_leaderboard_shares_its_leaders_with_tied_ranks_and_the_public_link_when_there_is_one(
        world, make_team, make_user, make_household, make_visit, login_as):
    weights = {"met": 1000, "level2": 0, "tutored": 0, "cashless": 0, "followups_closed": 0, "first_reach": 234}
    for name, met in (("Tổ Bình Thủy", 2), ("Tổ Cái Khế", 1), ("Tổ An Hòa", 1)):
        team = make_team(WARD_A, name=name)
        member = make_user(Role.VOLUNTEER, team=team)
        for _ in range(met):
            make_visit(make_household(team.areas[0]), member, visited_at=utcnow())
    rollups.rebuild()
    db.session.commit()
    campaign = _campaign(weights=weights)
    leader = login_as(world["youth_a"])
    shared = _share_data(_text(leader.get(f"/campaigns/{campaign.id}")))
    assert shared["text"] == ("Thi đua tháng 11, tính đến 20/11/2026: 1. Tổ Bình Thủy, 2.468 điểm; "
                              "2. Tổ An Hòa, 1.234 điểm; 2. Tổ Cái Khế, 1.234 điểm")
    assert shared["url"] == f"http://localhost/campaigns/{campaign.id}"  # no public link: for those who log in
    assert leader.post(f"/campaigns/{campaign.id}/share").status_code == 303
    token = db.session.get(Campaign, campaign.id).share_token
    assert _share_data(_text(leader.get(f"/campaigns/{campaign.id}")))["url"] == f"http://localhost/board/public/{token}"
    # A province-wide campaign names each team's commune or ward.
    province = _campaign(ward_code=None, weights=weights)
    text = _share_data(_text(login_as(world["admin"]).get(f"/campaigns/{province.id}")))["text"]
    assert "1. Tổ Bình Thủy (Phường Ninh Kiều), 2.468 điểm" in text


def test_the_unit_board_shares_reach_level_two_and_the_month(world, make_area, make_household, login_as):
    area = make_area(WARD_A)
    make_household(area, people=1300, eligible_people=1250, people_level2=1234, reached_at=utcnow())
    make_household(area)
    page = _text(login_as(world["coordinator_a"]).get("/ward"))
    shared = _share_data(page)
    assert shared["text"] == ("Phường Ninh Kiều: 50% hộ được tiếp cận, 1.234 người có định danh điện tử mức độ 2"
                              " — Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)")
    assert shared["url"] == "http://localhost/ward" and shared["title"] == "Phường Ninh Kiều"
    # A chosen period is named by its days, and the link keeps it.
    chosen = _share_data(_text(login_as(world["province"]).get(f"/ward?code={WARD_A}&start=2026-11-03&end=2026-11-10")))
    assert chosen["text"].endswith("— Các ngày đã chọn (03/11–10/11/2026)")
    assert chosen["url"] == f"http://localhost/ward?code={WARD_A}&start=2026-11-03&end=2026-11-10"


