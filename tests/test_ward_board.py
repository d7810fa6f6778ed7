"""The ward coordinator's board (/ward), the province board, targets, visit review and the ward report."""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.extensions import db
from app.models import AuditLog, DailyCount, Indicator, Outcome, ProvinceTarget, Role, Target, Visit, Ward
from app.services import rollups
from app.services.reports.indicators import ACTIVITY_COUNTS, DEFINITIONS
from tests.conftest import WARD_A, WARD_B, count, queries_for

# Wednesday 15/10/2025, 10:00 in Vietnam: the first day of reporting month 11/2025 (Decree 09), so tests of the
# figures ask for 01/10–15/10/2025; this week starts Monday 13/10.
NOW = datetime(2025, 10, 15, 3, 0)


OCTOBER = "start=2025-10-01&end=2025-10-15"

pytestmark = pytest.mark.frozen_at(NOW)


@pytest.fixture
def ward(world, make_area, make_team, make_user, make_household, make_visit, frozen_clock, rollup_verified):
    """Ward A with hand-countable figures; household state and counters derived from the visits."""
    river = make_area(WARD_A, name="Khu vực Bờ Sông", official_households=10)
    market = make_area(WARD_A, name="Khu vực Chợ")
    river_team = make_team(WARD_A, areas=[river], name="Tổ CNSCĐ Bờ Sông")
    market_team = make_team(WARD_A, areas=[market], name="Tổ CNSCĐ Chợ")
    lan = make_user(Role.VOLUNTEER, team=river_team, display_name="Nguyễn Thị Lan")
    make_user(Role.TEAM_LEADER, team=river_team, display_name="Trần Văn Tổ Trưởng")
    minh = make_user(Role.VOLUNTEER, team=market_team, display_name="Lê Văn Minh")
    h1, h2, h3, _h4 = (make_household(river, people=4, eligible_people=3) for _ in range(4))
    m1 = make_household(market, people=2, eligible_people=2, display_name="=HYPERLINK(\"http://x\")")
    m2 = make_household(market, people=2, eligible_people=2)
    make_visit(h1, lan, visited_at=datetime(2025, 10, 13, 2), level2_activated=2, services="residence", online_people=1)
    make_visit(h2, lan, visited_at=datetime(2025, 10, 1, 2), level2_activated=1)
    make_visit(h3, lan, visited_at=datetime(2025, 6, 1, 2), outcome=Outcome.NOBODY_HOME)
    make_visit(m1, minh, visited_at=datetime(2025, 10, 6, 2), level2_activated=2, cashless_setup=True,
               followup_needed=True, followup_reason="Hẹn quay lại", followup_due=date(2025, 10, 10))
    make_visit(m2, minh, visited_at=datetime(2025, 10, 14, 2), followup_needed=True, followup_reason="Chờ con về",
               followup_due=date(2025, 10, 20))
    flagged = make_visit(m2, minh, visited_at=datetime(2025, 10, 14, 3), level2_activated=2, flagged=True,
                         flag_reason="Trùng", flagged_by_id=world["coordinator_a"].id, flagged_at=NOW)
    # Ward B has a visit too: it must never show in ward A's figures.
    other = make_household(world["team_b"].areas[0])
    other_visit = make_visit(other, world["volunteer_b"], visited_at=datetime(2025, 10, 14, 2), level2_activated=1)
    rollups.rebuild()
    db.session.commit()
    return {**world, "river": river, "market": market, "lan": lan, "minh": minh, "m1": m1, "flagged": flagged,
            "other_visit": other_visit, "river_team": river_team}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _card(body: str, key: str) -> str:
    start = body.rindex("<section", 0, body.index(f'id="indicator-{key}"'))
    return body[start:body.index("</section>", start)]


def test_indicators_to_date_and_for_the_period_beside_their_targets(ward, login_as):
    db.session.add_all([
        Target(ward_code=WARD_A, indicator=Indicator.REACH, period_start=date(2025, 10, 1),
               period_end=date(2025, 10, 31), value=30),
        Target(ward_code=WARD_A, indicator=Indicator.LEVEL2, period_start=date(2025, 1, 1),
               period_end=date(2025, 12, 31), value=40),
        # The province's default: it applies where the unit set none, and says so.
        ProvinceTarget(province_code=92, indicator=Indicator.ONLINE, valid_from=date(2025, 1, 1), value=50),
        ProvinceTarget(province_code=92, indicator=Indicator.REACH, valid_from=date(2025, 1, 1), value=90),
    ])
    db.session.commit()
    response = login_as(ward["coordinator_a"]).get(f"/ward?{OCTOBER}")
    body = _text(response)
    assert response.status_code == 200 and "style=" not in body
    assert "Các ngày đã chọn (01/10–15/10/2025, đến hôm nay)" in body
    # Reach: households met (2 in Bờ Sông, 2 in Chợ) over 10 (official count) + 2 + 0.
    reach = _card(body, "reach")
    assert "Tỷ lệ hộ được tiếp cận" in reach and "4 / 12 (33,33%)" in reach and "band-ok" in reach
    assert "Chỉ tiêu: 30,00%" in reach and "chỉ tiêu chung" not in reach  # the unit's own, not the province's
    level2 = _card(body, "level2")
    assert "5 / 16 (31,25%)" in level2 and "band-near" in level2 and "Chỉ tiêu: 40,00%" in level2
    # The period: level-2 activations from 01/10 (the flagged visit's 2 do not count).
    assert "Lượt kích hoạt mức 2 trong kỳ" in level2 and "5 / 16 (31,25%)" in level2
    online = _card(body, "online")
    assert "1 / 12 (8,33%)" in online and "band-far" in online
    assert "Chỉ tiêu: 50,00%" in online and "(chỉ tiêu chung của tỉnh)" in online
    # Nobody set one for follow-ups: no target is shown, and none invented.
    followup = _card(body, "followup")
    assert "1 / 2 (50,00%)" in followup and "Chỉ tiêu" not in followup and "Chưa đặt chỉ tiêu" in followup
    activity = _card(body, "activity")
    assert "2 / 5 (40,00%)" in activity and "1,0" in activity
    assert "2 / 6 (33,33%)" in _card(body, "staleness")
    assert "<svg" in body and "<polyline" in body


def test_areas_and_teams_worst_first_and_sortable(ward, login_as):
    client = login_as(ward["coordinator_a"])
    body = _text(client.get("/ward"))
    areas = body[body.index('id="areas"'):body.index('id="teams"')]
    assert areas.index("Khu vực Bờ Sông") < areas.index("Khu vực Chợ")
    assert "20,00%" in areas and "2 / 10" in areas and "100,00%" in areas
    best = _text(client.get("/ward?sort=reach&order=best"))
    areas = best[best.index('id="areas"'):best.index('id="teams"')]
    assert areas.index("Khu vực Chợ") < areas.index("Khu vực Bờ Sông")
    teams = best[best.index('id="teams"'):]
    assert teams.index("Tổ CNSCĐ Chợ") < teams.index("Tổ CNSCĐ Bờ Sông")


def test_a_chosen_period_and_a_bad_one(ward, login_as):
    client = login_as(ward["coordinator_a"])
    body = _text(client.get("/ward?start=2025-10-10&end=2025-10-15"))
    # Only h1 (13/10) and m2 (14/10) were first met between 10/10 and 15/10.
    assert "2 / 12 (16,67%)" in _card(body, "reach")
    bad = client.get("/ward?start=2025-10-15&end=2025-10-01")
    assert bad.status_code == 422 and "Ngày kết thúc kỳ đứng trước ngày bắt đầu." in _text(bad)


def test_province_board_shows_every_ward_and_opens_one(ward, login_as):
    client = login_as(ward["admin"])
    body = _text(client.get("/province"))
    assert "Phường Ninh Kiều" in body and "Phường Cái Răng" in body
    link = re.search(rf'<a href="(/ward\?[^"]*code={WARD_A})">Phường Ninh Kiều</a>', body)
    # Ward B: one met household, level 2 for 1 of its 3 people aged 14+.
    row = body[body.index("Phường Cái Răng</a>"):]
    row = row[:row.index("</tr>")]
    assert "33,33%</strong><br><small>1 / 3</small>" in row
    ward_body = _text(client.get(html.unescape(link.group(1))))
    assert "4 / 12 (33,33%)" in _card(ward_body, "reach")
    assert client.get("/ward").status_code == 302


def test_province_rows_agree_with_each_ward_report(ward, make_visit, make_area, make_household):
    """The province board adds up its counters per ward in SQL (distinct active members too); the ward
    report does it member by member: every figure of every ward agrees."""
    from app.services.reports import coverage

    # Lan visits in the market area too: one member active in two areas of the ward counts once.
    make_visit(ward["m1"], ward["lan"], visited_at=datetime(2025, 10, 14, 5))
    # A retired area keeps its households and visits; the ward's days hold them, no household figure counts them.
    closed = make_area(WARD_A, name="Khu vực Cũ")
    make_visit(make_household(closed), ward["lan"], visited_at=datetime(2025, 10, 2, 2))
    make_household(closed)
    closed.retired = True
    rollups.rebuild()
    db.session.commit()
    period = coverage.Period(date(2025, 10, 1), date(2025, 10, 15))
    rows, _total = coverage.province_rows(ward["admin"], period)
    by_code = {row.ward_code: row for row in rows}
    for code in (WARD_A, WARD_B):
        report = coverage.ward_report(ward["admin"], db.session.get(Ward, code), period)
        for definition in DEFINITIONS:
            province, own = by_code[code].figures[definition.key], report.total.figures[definition.key]
            assert (province.to_date, province.in_period) == (own.to_date, own.in_period), (code, definition.key)
            assert province.beside == own.beside, (code, definition.key)
        assert by_code[code].visits_per_member_week == report.total.visits_per_member_week
        assert by_code[code].visits_per_member_period == report.total.visits_per_member_period
    assert by_code[WARD_A].sums.members_active_period == 2  # Lan and Minh
    assert (by_code[WARD_A].sums.households, by_code[WARD_A].sums.reached_in_period,
            by_code[WARD_A].sums.stale) == (6, 4, 2)


def test_the_trend_counts_households_reached_by_each_weeks_end(ward, login_as, make_area, make_household,
                                                                make_visit):
    """The trend is read from the ward's days: households reached by each week's end are those reached now less
    those first reached after it, a retired area's households left out. It agrees with counting them."""
    from app.models import Household, HouseholdStatus
    from app.services.reports import coverage

    closed = make_area(WARD_A, name="Khu vực Cũ")
    # Reached in weeks across the trend's twelve, and before it; one on Sunday 12/10 at 23:30 in Vietnam.
    for when in (datetime(2025, 7, 1, 2), datetime(2025, 8, 5, 2), datetime(2025, 9, 9, 2),
                 datetime(2025, 10, 12, 16, 30), datetime(2025, 10, 12, 17, 30)):
        make_visit(make_household(ward["river"]), ward["lan"], visited_at=when)
        make_visit(make_household(closed), ward["lan"], visited_at=when)
    closed.retired = True
    rollups.rebuild()
    db.session.commit()
    report = coverage.ward_report(ward["admin"], db.session.get(Ward, WARD_A),
                                  coverage.Period(date(2025, 10, 1), date(2025, 10, 15)), with_trend=True)
    counted = []
    for week in report.trend:
        end = coverage.local_day_bounds(week.start)[0] + (coverage.timedelta(days=7))
        counted.append(db.session.scalar(select(coverage.func.count()).select_from(Household).where(
            Household.ward_code == WARD_A, Household.area_id != closed.id, Household.status == HouseholdStatus.ACTIVE,
            Household.reached_at < end)))
    assert [week.reach.part for week in report.trend] == counted, counted
    assert counted[0] == 1 and counted[-2:] == [6, 9]  # the one at 23:30 on Sunday 12/10 counts in its week
    assert {week.reach.whole for week in report.trend} == {report.total.sums.base}
    assert [week.visits for week in report.trend][-2:] == [3, 4]
    body = _text(login_as(ward["coordinator_a"]).get("/ward"))
    assert "13/10/2025 (tuần này, chưa hết tuần)" in body


def test_query_count_does_not_grow_with_areas_teams_and_wards(ward, login_as, make_area, make_team, make_user,
                                                               make_household, make_visit):
    coordinator, admin = login_as(ward["coordinator_a"]), login_as(ward["admin"])
    before = queries_for(coordinator, "/ward"), queries_for(admin, "/province")
    for n in range(6):  # from 3 areas to 9, each with a team, a member, a household and a visit
        code = WARD_A if n < 3 else WARD_B
        area = make_area(code)
        member = make_user(Role.VOLUNTEER, team=make_team(code, areas=[area]))
        make_visit(make_household(area), member, visited_at=datetime(2025, 10, 14, 2), followup_needed=True,
                   followup_due=date(2025, 10, 1))
    rollups.rebuild()
    db.session.commit()
    assert (queries_for(coordinator, "/ward"), queries_for(admin, "/province")) == before


def test_the_ward_board_reads_no_table_of_the_province_whole(ward, login_as):
    """Each of the board's statements finds its ward's rows by an index: no full read of members' areas,
    households, visits or daily counts (SQLite's plan; PostgreSQL picks its plan by table size)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked here is SQLite's; PostgreSQL picks its plan by table size")
    client = login_as(ward["coordinator_a"])
    client.get("/ward")
    sent = []

    def note(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.get("/ward").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    plans = [" ".join(str(step[-1]) for step in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters)) for statement, parameters in sent if statement.startswith("SELECT")]
    whole = [p for p in plans for table in ("member_area", "household", "visit", "daily_count", "ward_day_count")
             if f"SCAN {table}" in p]
    assert len(plans) > 15 and not whole, whole


def test_stale_means_no_visit_on_the_last_90_vietnamese_days(ward, login_as, make_household, make_visit):
    # Today is 15/10/2025 in Vietnam: 18/07 is the oldest of the last 90 days, 17/07 is before them.
    kept = make_household(ward["river"], address="Số 89 Đường Ngày")
    stale = make_household(ward["river"], address="Số 90 Đường Ngày")
    make_visit(kept, ward["lan"], visited_at=datetime(2025, 7, 17, 17, 30))  # 00:30 on 18/07 in Vietnam
    make_visit(stale, ward["lan"], visited_at=datetime(2025, 7, 17, 16, 30))  # 23:30 on 17/07
    rollups.rebuild()
    db.session.commit()
    client = login_as(ward["coordinator_a"])
    assert "3 / 8 (37,50%)" in _card(_text(client.get("/ward")), "staleness")
    listed = _text(client.get("/lists/households?stale=y"))
    assert "Số 90 Đường Ngày" in listed and "Số 89 Đường Ngày" not in listed


def test_province_query_count_does_not_grow_with_wards(ward, login_as, make_area, make_team, make_user,
                                                       make_household, make_visit):
    admin = login_as(ward["admin"])
    before = queries_for(admin, "/province")
    others = list(db.session.scalars(select(Ward.code).where(Ward.code.not_in((WARD_A, WARD_B))).limit(3)))
    for code in others:  # three more wards with figures, each with an area, a team, a household and a visit
        area = make_area(code)
        member = make_user(Role.VOLUNTEER, team=make_team(code, areas=[area]))
        make_visit(make_household(area), member, visited_at=datetime(2025, 10, 14, 2), level2_activated=1)
    rollups.rebuild()
    db.session.commit()
    assert queries_for(admin, "/province") == before


@pytest.mark.parametrize("who", ["volunteer_a", "leader_a", "youth_a"])
def test_field_roles_and_youth_leaders_are_refused(ward, login_as, who):
    client = login_as(ward[who])
    visit_id = ward["flagged"].id
    for url in ("/ward", "/province", "/ward/targets", "/ward/visits", f"/ward/visits/{visit_id}",
                "/ward/report.csv", "/ward/report.xlsx"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/ward/visits/{visit_id}/unflag").status_code == 403
    assert client.post("/ward/targets", data={"indicator": "reach", "period_start": "2025-10-01",
                                              "period_end": "2025-10-31", "value": "90"}).status_code == 403
    assert count(Target) == 0
    db.session.refresh(ward["flagged"])
    assert ward["flagged"].flagged


def test_a_coordinator_cannot_reach_another_ward(ward, login_as):
    client = login_as(ward["coordinator_a"])
    other = ward["other_visit"]
    assert client.get(f"/ward?code={WARD_B}").status_code == 404
    assert client.get(f"/ward/report.xlsx?code={WARD_B}").status_code == 404
    assert client.get(f"/ward/report.csv?code={WARD_B}").status_code == 404
    assert client.get(f"/ward/visits/{other.id}").status_code == 404
    assert client.post(f"/ward/visits/{other.id}/flag", data={"reason": "Lạ"}).status_code == 404
    assert "Khu vực" not in _text(client.get(f"/ward/visits?area={ward['team_b'].areas[0].id}")).split("ward-visits")[1]
    assert client.get("/province").status_code == 403
    db.session.refresh(other)
    assert not other.flagged
    denied = db.session.scalar(select(db.func.count()).select_from(AuditLog).where(AuditLog.action == "denied.scope"))
    assert denied >= 4


def test_set_a_target_and_bad_input(ward, login_as):
    client = login_as(ward["coordinator_a"])
    assert "Đặt chỉ tiêu" in _text(client.get("/ward/targets"))
    data = {"indicator": "online", "period_start": "2025-10-01", "period_end": "2025-12-31", "value": "45,5"}
    bad = client.post("/ward/targets", data={**data, "value": "120"})
    assert bad.status_code == 422 and "Chỉ tiêu là tỷ lệ phần trăm từ 0 đến 100." in _text(bad)
    bad = client.post("/ward/targets", data={**data, "period_end": "2025-09-01", "value": "45.5"})
    assert bad.status_code == 422 and "Ngày kết thúc kỳ đứng trước ngày bắt đầu." in _text(bad)
    bad = client.post("/ward/targets", data={**data, "indicator": "", "value": "45.5"})
    assert bad.status_code == 422 and "Hãy chọn chỉ số." in _text(bad)
    assert count(Target) == 0
    assert client.post("/ward/targets", data={**data, "value": "45.5"}).status_code == 303
    target = db.session.scalar(select(Target))
    assert (target.ward_code, target.indicator, float(target.value)) == (WARD_A, "online", 45.5)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "target.set"))
    assert entry.actor_id == ward["coordinator_a"].id and entry.detail["value"] == 45.5
    assert "Chỉ tiêu: 45,50%" in _card(_text(client.get("/ward")), "online")


def test_review_filter_flag_and_unflag_a_visit(ward, login_as):
    client = login_as(ward["coordinator_a"])
    listing = _text(client.get(f"/ward/visits?area={ward['market'].id}")).split('id="ward-visits"')[1]
    assert "Lê Văn Minh" in listing and "Nguyễn Thị Lan" not in listing
    assert "Đã gắn cờ" in listing
    flagged_only = _text(client.get("/ward/visits?flagged=yes"))
    assert flagged_only.count('class="list-item is-flagged"') == 1
    visit = db.session.scalar(select(Visit).where(Visit.household_id == ward["m1"].id))
    empty = client.post(f"/ward/visits/{visit.id}/flag", data={"reason": "  "})
    assert empty.status_code == 422 and "Hãy ghi lý do lượt hỗ trợ này có vẻ không hợp lý." in _text(empty)
    assert client.post(f"/ward/visits/{visit.id}/flag", data={"reason": "Hai mức 2 trong một phút"}).status_code == 303
    page = _text(client.get(f"/ward/visits/{visit.id}"))
    assert "Hai mức 2 trong một phút" in page and ward["coordinator_a"].display_name in page
    assert db.session.scalar(select(db.func.sum(DailyCount.level2_activated)).where(DailyCount.ward_code == WARD_A)) == 3
    assert "3 / 16 (18,75%)" in _card(_text(client.get("/ward")), "level2")
    assert client.post(f"/ward/visits/{visit.id}/unflag").status_code == 303
    assert "5 / 16 (31,25%)" in _card(_text(client.get("/ward")), "level2")
    actions = list(db.session.scalars(select(AuditLog.action).where(
        AuditLog.object_type == "visit", AuditLog.object_id == str(visit.id)).order_by(AuditLog.id)))
    assert actions == ["visit.flag", "visit.unflag"]


def _vi(text) -> str:
    with force_locale("vi"):
        return str(text)


def test_report_file_agrees_with_the_screen(ward, login_as):
    client = login_as(ward["coordinator_a"])
    body = _text(client.get(f"/ward?{OCTOBER}"))
    response = client.get(f"/ward/report.csv?{OCTOBER}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "Phường Ninh Kiều" in lines[0][0] and "01/10/2025" in lines[2][1] and "15/10/2025" in lines[2][1]
    header = lines[5]
    assert header[0] == "Chỉ số" and "Lũy kế đến nay" in header and "Chỉ tiêu (%)" in header
    # Each indicator's line (with its numerator), and after it the counts beside it (no numerator, no ratio).
    ratios = [line for line in lines[6:] if line[1]]
    assert len(ratios) == len(DEFINITIONS)
    for definition, line in zip(DEFINITIONS, ratios, strict=True):
        label, part, whole, percent = line[0], line[4], line[5], line[3]
        card = _card(body, definition.key)
        assert f"<h3>{label}</h3>" in card and f"{part} / {whole} ({percent})" in card
    besides = [(d, b) for d in DEFINITIONS for b in d.beside]
    assert len(lines[6:]) == len(DEFINITIONS) + len(besides) + len(ACTIVITY_COUNTS)
    # Then the activities beyond household visits, counts of the period.
    indicator_lines, activity_lines = lines[6:-len(ACTIVITY_COUNTS)], lines[-len(ACTIVITY_COUNTS):]
    assert [line[0] for line in activity_lines] == [_vi(c.label) for c in ACTIVITY_COUNTS]
    for (definition, _beside), line in zip(besides, [line for line in indicator_lines if not line[1]], strict=True):
        assert line[0] in _card(body, definition.key) and f"<strong>{line[4]}" in _card(body, definition.key)
    book = load_workbook(io.BytesIO(client.get(f"/ward/report.xlsx?{OCTOBER}").data))
    assert len(book.sheetnames) == 4
    indicators = [r for r in book.worksheets[0].iter_rows(min_row=7, values_only=True) if r[1]]
    assert [(r[4], r[5]) for r in indicators] == [(int(line[4]), int(line[5])) for line in ratios]
    assert book.worksheets[0]["D7"].number_format == "0.00%"
    followups = list(book.worksheets[3].iter_rows(min_row=7, values_only=True))
    assert any(r[2] == "'=HYPERLINK(\"http://x\")" for r in followups)
    exports = db.session.scalars(select(AuditLog).where(AuditLog.action == "report.export").order_by(AuditLog.id)).all()
    assert [e.detail["format"] for e in exports] == ["csv", "xlsx"] and exports[0].ward_code == WARD_A


def test_csv_of_the_areas_view(ward, login_as):
    response = login_as(ward["coordinator_a"]).get("/ward/report.csv?view=areas")
    text = response.get_data(as_text=True)
    assert "Khu vực Bờ Sông" in text and "20,00%" in text
    assert login_as(ward["coordinator_a"]).get("/ward/report.csv?view=secrets").status_code == 404


def test_ward_board_link_in_the_coordinators_navigation(ward, login_as):
    assert 'href="/ward"' in _text(login_as(ward["coordinator_a"]).get("/"))
    assert 'href="/province"' in _text(login_as(ward["admin"]).get("/"))


def test_the_charts_have_axes_values_the_target_and_their_figures_as_text(ward, login_as):
    db.session.add(Target(ward_code=WARD_A, indicator=Indicator.REACH, period_start=date(2025, 10, 1),
                          period_end=date(2025, 10, 31), value=30))
    db.session.commit()
    body = _text(login_as(ward["coordinator_a"]).get("/ward"))
    trend = body[body.index('<figure class="chart trend">'):]
    trend = trend[:trend.index("</figure>")]
    # Axes: visit counts on the left (0 and up), shares on the right; the reach target as a dashed line.
    left_axis = re.findall(r'class="tick" text-anchor="end">([^<]*)</text>', trend)
    assert left_axis == ["0", "1", "2"] and re.findall(r'class="tick tick-line">([^<]*)<', trend) == ["0%", "50%", "100%"]
    assert 'class="target"' in trend and "Chỉ tiêu 30,00%" in trend
    # The week of 13/10 is not over on Wednesday 15/10: drawn apart and labelled; the last reach is written.
    assert trend.count('class="bar is-current"') == 1 and ">tuần này</text>" in trend and ">33,33%</text>" in trend
    # Its figures as a table for screen readers.
    assert "<caption>Diễn biến theo tuần</caption>" in trend and "13/10/2025 (tuần này, chưa hết tuần)" in trend
    bars = body[body.index('<figure class="chart bars">'):]
    bars = bars[:bars.index("</figure>")]
    # The areas worst first, each with its share; the target across them.
    assert bars.index("Khu vực Bờ Sông") < bars.index("Khu vực Chợ") and "20,00%" in bars and "100,00%" in bars
    assert "Chỉ tiêu 30,00%" in bars and 'class="bar band-near"' in bars and 'class="bar band-ok"' in bars


def test_the_visit_review_says_which_page_of_how_many(ward, login_as, make_visit):
    for minute in range(52):  # with the ward's own: more than a page of 50
        make_visit(ward["m1"], ward["lan"], visited_at=datetime(2025, 10, 14, 1, minute))
    rollups.rebuild()
    db.session.commit()
    client = login_as(ward["coordinator_a"])
    first = _text(client.get("/ward/visits"))
    assert "Trang 1 / 2" in first and "page=2" in first
    second = _text(client.get("/ward/visits?page=2"))
    assert "Trang 2 / 2" in second and "Mới hơn" in second


def test_dates_compared_as_stored_count_what_a_plain_comparison_counts(world, make_area):
    """The boards compare dates in their CASE expressions as stored text (SQLite: without the column's
    NUMERIC affinity): the same days and moments count, the first and last of a period included."""
    from sqlalchemy import bindparam, case, func

    from app.models import Household, WardDayCount
    from app.services.as_stored import as_stored

    for day in (date(2026, 11, 14), date(2026, 11, 15), date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 15)):
        db.session.add(WardDayCount(ward_code=WARD_A, day=day, visits=1))
    db.session.flush()

    def days_counted(day):
        return db.session.scalar(
            select(func.sum(case((day.between(bindparam("start"), bindparam("end")), WardDayCount.visits), else_=0)))
            .where(WardDayCount.ward_code == WARD_A), {"start": date(2026, 11, 15), "end": date(2026, 12, 14)})

    assert days_counted(as_stored(WardDayCount.day)) == days_counted(WardDayCount.day) == 3
    moment = datetime(2026, 11, 20, 17, 0)  # a Vietnamese midnight in UTC, as the boards' bounds are
    area = make_area()
    for minutes in (-1, 0, 1):
        db.session.add(Household(ward_code=WARD_A, area_id=area.id, address=f"Số {minutes + 2}",
                                 display_name=f"Hộ {minutes}", reached_at=moment + timedelta(minutes=minutes)))
    db.session.flush()

    def reached_since(reached_at):
        return db.session.scalar(select(func.count(case((reached_at >= bindparam("since"), 1))))
                                 .where(Household.ward_code == WARD_A, Household.display_name.like("Hộ %")),
                                 {"since": moment})

    assert reached_since(as_stored(Household.reached_at)) == reached_since(Household.reached_at) == 2
    sql = str(select(as_stored(WardDayCount.day)).compile(db.engine))
    assert ("+ward_day_count.day" in sql) == (db.engine.dialect.name == "sqlite")


def test_the_trend_writes_the_last_share_clear_of_the_counts_over_the_bars():
    """Seen on a phone: the last week's share written across the visit counts of the bars beside it ("5 79,17% 5").
    It is lifted above any count it would run across, and stays by its point when none is in the way."""
    from app import charts
    from app.services.reports.coverage import TrendWeek
    from app.services.reports.figures import Ratio

    monday = date(2026, 9, 14)

    def chart(visits: list[int], reached: list[int]):
        weeks = [TrendWeek(monday + timedelta(weeks=n), v, Ratio(r, 24))
                 for n, (v, r) in enumerate(zip(visits, reached, strict=True))]
        return charts.trend(weeks, 80, date(2026, 12, 2))

    clash = chart([0, 0, 1, 4, 5, 4, 6, 4, 4, 5, 5, 4], [0, 0, 1, 4, 7, 10, 13, 14, 15, 17, 19, 19])
    last = clash.points[-1]
    label_left = last.x + clash.bar_width / 2 - 8 - charts.REACH_LABEL_WIDTH
    beside = [p.bar_y - 3 for p in clash.points if p.visits and p.x + clash.bar_width > label_left]
    assert clash.counts_shown and beside and any(abs(y - (last.point_y - 7)) < charts.LABEL_HEIGHT for y in beside)
    assert all(abs(y - clash.reach_label_y) >= charts.LABEL_HEIGHT for y in beside)
    assert clash.reach_label_y >= charts.LABEL_HEIGHT
    clear = chart([6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20])
    assert clear.reach_label_y == clear.points[-1].point_y - 7
