"""What a board's share button sends and the public board's QR code.

A share sheet (Zalo, Messenger, SMS) gets one short line that says what the board shows, written here in
the reader's language with the locale's numbers ("Xã Thới Lai: 62% hộ được tiếp cận, 1.234 người có định
danh mức độ 2 — Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)"), then the link. The QR code is drawn on the
server by `segno` as an inline SVG: no script, no image request, and it prints sharp at any size.
"""

import segno
from flask_babel import gettext as _
from markupsafe import Markup

from app.models import Campaign, Indicator
from app.numbers import NumberFormat
from app.services.ranking import Board
from app.services.reports.coverage import WardReport
from app.units import unit_name

LEADERS_SHARED = 3  # the first rows of the leaderboard a summary names


def ward_summary(report: WardReport, period: str) -> str:
    """The unit board in a line: households reached to date, people with level 2, and the period in the board's
    own words ("Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)", services/reports/board_periods.py)."""
    fmt = NumberFormat()
    total = report.total
    reach = total.figures[Indicator.REACH].to_date.percent
    return _("%(unit)s: %(reach)s of households reached, %(level2)s people with VNeID level 2 — %(period)s",
             unit=unit_name(report.ward), reach="–" if reach is None else fmt.number(reach) + "%",
             level2=fmt.number(total.sums.level2), period=period)


def leaderboard_summary(board: Board) -> str:
    """The campaign, the day counted to, and its first teams that scored, with their (shared) ranks."""
    fmt = NumberFormat()
    campaign: Campaign = board.campaign
    province_wide = campaign.ward_code is None
    leaders = []
    for standing in [s for s in board.standings if s.score > 0][:LEADERS_SHARED]:
        team = _("%(team)s (%(unit)s)", team=standing.team, unit=standing.ward) if province_wide else standing.team
        leaders.append(_("%(rank)s. %(team)s, %(n)s points", rank=standing.rank, team=team,
                         n=fmt.number(standing.score)))
    day = f"{board.until:%d/%m/%Y}"
    if not leaders:
        return _("%(campaign)s, counted until %(day)s: no team has scored yet.", campaign=campaign.name, day=day)
    return _("%(campaign)s, counted until %(day)s: %(leaders)s", campaign=campaign.name, day=day,
             leaders="; ".join(leaders))


def qr_svg(url: str, title: str) -> Markup:
    """The QR code of `url` as an inline <svg> that scales to its box; `title` is what a screen reader says."""
    code = segno.make(url, error="m")  # 15% of the modules may be lost to a crease or a smudge on a poster
    # segno writes only its own markup: the URL becomes path data, the title is escaped (tests/test_sharing.py).
    svg = code.svg_inline(border=4, title=title, svgclass="qr", lineclass=None, omitsize=True)
    return Markup(svg)  # noqa: S704
