"""The unit's periodic report: written as a draft, downloaded as DOCX (read back with python-docx) or printed,
sent (its figures frozen), seen by the province; the board shows what moved after sending."""

import io
from datetime import date, timedelta

import pytest
from docx import Document
from flask_babel import force_locale
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, PeriodicReport, ReportStatus, Role, Target, Visit, Ward
from app.numbers import NumberFormat
from app.services import rollups, visits
from app.services.reports import coverage
from app.services.reports.indicators import DEFINITIONS
from app.services.reports.periods import Kind, ReportPeriod
from tests.conftest import WARD_A, WARD_B

# The clock stands at 20/11/2026 (conftest): Decree 09's December report runs 15/11/2026 – 14/12/2026.
DECEMBER = ReportPeriod(Kind.MONTH, 2026, 12)
PERIOD_ARGS = "kind=month&cutoff=decree09&year=2026&number=12"
TEXT = {"doc_number": "15/BC-UBND", "place": "Ninh Kiều", "doc_date": "2026-12-14",
        "results": "Các tổ đã đến 5 hộ.\nKích hoạt tài khoản mức độ 2 cho 4 người.",
        "shortcomings": "Còn hộ vắng nhà.", "next_tasks": "Quay lại các hộ hẹn hỗ trợ.",
        "recipients": "Sở Khoa học và Công nghệ\nLưu: VT", "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "signer_name": "Nguyễn Văn An"}


@pytest.fixture
def unit(world, make_area, make_household, make_visit, rollup_verified):
    """Ward A with visits inside December's report period and one before it; ward B with one of its own."""
    area = world["team_a"].areas[0]
    area.official_households = 8
    households = [make_household(area, people=4, eligible_people=3) for _ in range(5)]
    yesterday = utcnow() - timedelta(days=1)
    kept = [make_visit(h, world["volunteer_a"], visited_at=yesterday, level2_activated=1,
                       services="residence", online_people=1) for h in households[:3]]
    make_visit(households[3], world["volunteer_a"], visited_at=yesterday, followup_needed=True,
               followup_reason="Hẹn lại", followup_due=utcnow().date() - timedelta(days=2))
    make_visit(households[4], world["volunteer_a"], visited_at=utcnow() - timedelta(days=15), level2_activated=1)
    make_visit(make_household(world["team_b"].areas[0]), world["volunteer_b"], visited_at=yesterday,
               level2_activated=2)
    db.session.add(Target(ward_code=WARD_A, indicator="level2", period_start=date(2026, 1, 1),
                          period_end=date(2026, 12, 31), value=40))
    rollups.rebuild()
    db.session.commit()
    return {**world, "visits": kept}


def _write(client, **changes) -> str:
    response = client.post(f"/reports/new?{PERIOD_ARGS}", data={**TEXT, **changes})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.location


def _docx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(response.data))


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _board_cells(actor, ward_code: int) -> dict[str, list[str]]:
    """What the board counts for December's period, per indicator, written the Vietnamese way."""
    ward = db.session.get(Ward, ward_code)
    total = coverage.ward_report(actor, ward, coverage.Period(DECEMBER.start, DECEMBER.end)).total
    with force_locale("vi"):
        fmt = NumberFormat()
        cells = {}
        for d in DEFINITIONS:
            figure = total.figures[d.key]
            period = figure.in_period
            cells[str(d.label)] = [
                f"{fmt.number(period.part)} / {fmt.number(period.whole)}" if period else "",
                fmt.percent(period.percent) if period and period.whole else ("–" if period else ""),
                f"{fmt.number(figure.to_date.part)} / {fmt.number(figure.to_date.whole)}",
                fmt.percent(figure.to_date.percent) if figure.to_date.whole else "–",
                "" if figure.target is None else fmt.percent(figure.target),
            ]
            for b in figure.beside:  # counts beside the ratio, each on its own line
                cells[str(b.label)] = [fmt.number(b.in_period) if b.in_period is not None else "", "",
                                       fmt.number(b.to_date), "", ""]
        cells["Lượt hỗ trợ trong kỳ"] = [fmt.number(total.sums.visits), "", "", "", ""]
    return cells


def _label(key: str) -> str:
    with force_locale("vi"):
        return str(next(d.label for d in DEFINITIONS if d.key == key))


def _docx_cells(document) -> dict[str, list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Chỉ số")
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}


def test_a_coordinator_writes_downloads_and_sends_the_months_report(unit, login_as):
    client = login_as(unit["coordinator_a"])
    index = client.get("/reports").get_data(as_text=True)
    assert "15/11/2026" in index and "14/12/2026" in index  # December's period by Decree 09 is proposed
    page = client.get(f"/reports/new?{PERIOD_ARGS}")
    assert page.status_code == 200 and 'id="figure-level2"' in page.get_data(as_text=True)

    location = _write(client)
    report = db.session.scalar(select(PeriodicReport))
    assert location.endswith(f"/reports/{report.id}") and report.status == ReportStatus.DRAFT
    assert (report.period_start, report.period_end) == (date(2026, 11, 15), date(2026, 12, 14))
    saved = client.post(f"/reports/{report.id}", data={**TEXT, "shortcomings": "Một số hộ chưa có nhu cầu."})
    assert saved.status_code == 303

    document = _docx(client.get(f"/reports/{report.id}/docx"))
    text = _all_text(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND PHƯỜNG NINH KIỀU" in text and "Số: 15/BC-UBND" in text
    assert "Ninh Kiều, ngày 14 tháng 12 năm 2026" in text
    assert "BÁO CÁO" in text and "tháng 12 năm 2026" in text
    assert "(Từ ngày 15/11/2026 đến ngày 14/12/2026)" in text
    assert "Một số hộ chưa có nhu cầu." in text and "Nơi nhận:" in text
    assert "- Sở Khoa học và Công nghệ;" in text and "- Lưu: VT." in text
    assert "CHỦ TỊCH" in text and "Nguyễn Văn An" in text
    # Every figure is the board's for the same period.
    assert _docx_cells(document) == _board_cells(unit["coordinator_a"], WARD_A)
    level2 = _docx_cells(document)[_label("level2")]
    assert level2[0] == "3 / 15" and level2[1] == "20,00%" and level2[4] == "40,00%"

    # A4 in Times New Roman 13-14 with Decree 30's margins.
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15]
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 14

    sent = client.post(f"/reports/{report.id}/send", data=TEXT)
    assert sent.status_code == 303
    db.session.refresh(report)
    assert report.status == ReportStatus.SENT and report.sent_by_id == unit["coordinator_a"].id
    assert {row["key"] for row in report.snapshot["rows"]} >= {d.key.value for d in DEFINITIONS}
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "periodic_report")))
    assert {"report.create", "report.save", "report.download", "report.send"} <= actions


def test_a_sent_report_keeps_its_figures_and_the_board_shows_what_moved(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_url = _write(client)
    report_id = int(report_url.rsplit("/", 1)[1])
    assert client.post(f"/reports/{report_id}/send", data=TEXT).status_code == 303
    before = _docx_cells(_docx(client.get(f"/reports/{report_id}/docx")))

    # The volunteer corrects a visit afterwards: 1 level-2 activation becomes 3 (3 of 15 become 5 of 15).
    visit = db.session.get(Visit, unit["visits"][0].id)
    visits.update(unit["volunteer_a"], visit, visits.VisitInput(
        client_id=visit.client_id, household_id=visit.household_id, visited_at=visit.visited_at,
        outcome=visit.outcome, level2_activated=3, services=("residence",), online_people=1))
    db.session.commit()

    after = _docx_cells(_docx(client.get(f"/reports/{report_id}/docx")))
    assert after == before  # the sent report does not move
    assert after[_label("level2")][0] == "3 / 15"
    assert _board_cells(unit["coordinator_a"], WARD_A)[_label("level2")][0] == "5 / 15"

    board = client.get(f"/ward?start={DECEMBER.start}&end={DECEMBER.end}").get_data(as_text=True)
    assert 'id="changed-since-sent"' in board and "Đã thay đổi sau khi gửi" in board
    start = board.index('id="changed-since-sent"')
    changed = board[start:board.index("</section>", start)]
    assert _label("level2") in changed and "3 / 15" in changed and "5 / 15" in changed
    assert _label("reach") not in changed  # what did not move is not listed
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'id="changed-since-sent"' in page and "5 / 15" in page
    # Another period's board has nothing to compare.
    assert 'id="changed-since-sent"' not in client.get("/ward").get_data(as_text=True)


def test_a_sent_report_cannot_be_changed_or_sent_again(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_id = int(_write(client).rsplit("/", 1)[1])
    assert client.post(f"/reports/{report_id}/send", data=TEXT).status_code == 303
    assert client.post(f"/reports/{report_id}", data={**TEXT, "results": "Sửa sau khi gửi"}).status_code == 409
    assert client.post(f"/reports/{report_id}/send", data=TEXT).status_code == 409
    report = db.session.get(PeriodicReport, report_id)
    db.session.refresh(report)
    assert report.results == TEXT["results"]
    # The period's report already exists: "write" opens it.
    assert client.get(f"/reports/new?{PERIOD_ARGS}").location.endswith(f"/reports/{report_id}")


def test_sending_needs_the_results_and_the_signer(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_id = int(_write(client, results="", signer_name="").rsplit("/", 1)[1])  # a draft may be incomplete
    refused = client.post(f"/reports/{report_id}/send", data={**TEXT, "results": ""})
    assert refused.status_code == 422
    assert "Hãy viết kết quả của kỳ trước khi gửi." in refused.get_data(as_text=True)
    assert db.session.get(PeriodicReport, report_id).status == ReportStatus.DRAFT
    too_long = client.post(f"/reports/{report_id}", data={**TEXT, "doc_number": "x" * 41})
    assert too_long.status_code == 422


def test_print_view_is_the_same_page_without_inline_code(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_id = int(_write(client).rsplit("/", 1)[1])
    page = client.get(f"/reports/{report_id}/print")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "style=" not in body and "<style" not in body
    assert "<script>" not in body and "onclick" not in body
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "UBND PHƯỜNG NINH KIỀU" in body
    assert "Ninh Kiều, ngày 14 tháng 12 năm 2026" in body and "(Từ ngày 15/11/2026 đến ngày 14/12/2026)" in body
    for label, cells in _board_cells(unit["coordinator_a"], WARD_A).items():
        assert label in body
        for cell in cells:
            assert cell in body
    # The document stays Vietnamese for a reader who chose English.
    client.post("/language/en", data={"next": "/"})
    assert "Số: 15/BC-UBND" in client.get(f"/reports/{report_id}/print").get_data(as_text=True)


def test_other_units_and_roles_do_not_see_a_report(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_id = int(_write(client).rsplit("/", 1)[1])
    other = login_as(unit["coordinator_b"])
    for method, path in (("GET", f"/reports/{report_id}"), ("GET", f"/reports/{report_id}/docx"),
                         ("GET", f"/reports/{report_id}/print"), ("POST", f"/reports/{report_id}"),
                         ("POST", f"/reports/{report_id}/send")):
        assert other.open(path, method=method, data=TEXT).status_code == 404, path
    assert db.session.get(PeriodicReport, report_id).status == ReportStatus.DRAFT
    # The province does not see a draft; a volunteer has no reports at all.
    assert login_as(unit["province"]).get(f"/reports/{report_id}").status_code == 404
    assert login_as(unit["volunteer_a"]).get(f"/reports/{report_id}").status_code == 403
    assert login_as(unit["volunteer_a"]).get("/reports").status_code == 403


def test_the_province_sees_which_units_sent_and_opens_each(unit, login_as):
    coordinator = login_as(unit["coordinator_a"])
    report_id = int(_write(coordinator).rsplit("/", 1)[1])
    province = login_as(unit["province"])
    listing = province.get(f"/reports/province?{PERIOD_ARGS}").get_data(as_text=True)
    assert "0 / 103 đơn vị đã gửi" in listing and f"/reports/{report_id}" not in listing

    assert coordinator.post(f"/reports/{report_id}/send", data=TEXT).status_code == 303
    listing = province.get(f"/reports/province?{PERIOD_ARGS}").get_data(as_text=True)
    assert "1 / 103 đơn vị đã gửi" in listing and f"/reports/{report_id}" in listing
    units = listing[listing.index('id="units"'):]
    assert units.index("Phường Ninh Kiều") < units.index("Phường Cái Răng")  # who sent comes first
    assert "Chưa gửi" in units
    assert province.get(f"/reports/{report_id}").status_code == 200
    assert province.post(f"/reports/{report_id}", data=TEXT).status_code == 403  # reading only
    document = _docx(province.get(f"/reports/{report_id}/docx"))
    assert _docx_cells(document) == _board_cells(unit["coordinator_a"], WARD_A)
    # An administrator of the province reads the same; another period has nothing sent.
    assert "1 / 103 đơn vị đã gửi" in login_as(unit["admin"]).get(f"/reports?{PERIOD_ARGS}",
                                                                      follow_redirects=True).get_data(as_text=True)
    other = province.get("/reports/province?kind=quarter&cutoff=decree09&year=2026&number=4").get_data(as_text=True)
    assert "0 / 103 đơn vị đã gửi" in other


def test_the_province_sees_who_sent_on_time_and_who_late(unit, login_as):
    admin = login_as(unit["admin"])
    settings = admin.get(f"/reports/province?{PERIOD_ARGS}").get_data(as_text=True)
    assert 'name="due_days"' in settings and 'value="6"' in settings  # the 20th for a month cut off on the 14th
    assert "Hạn gửi: 20/12/2026" in settings
    refused = admin.post(f"/reports/province/due-days?{PERIOD_ARGS}", data={"due_days": "99"})
    assert refused.status_code == 422 and "Nhập số ngày từ 0 đến 60." in refused.get_data(as_text=True)
    assert admin.post(f"/reports/province/due-days?{PERIOD_ARGS}", data={"due_days": "3"}).status_code == 303
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "report.due_days")).detail == {
        "value": 3, "previous": 6}
    coordinator = login_as(unit["coordinator_a"])
    assert coordinator.post(f"/reports/province/due-days?{PERIOD_ARGS}", data={"due_days": "9"}).status_code == 403

    # November's report (15/10-14/11) was due on 17/11; today is 20/11: sent three days late.
    november = "kind=month&cutoff=decree09&year=2026&number=11"
    assert "Quá hạn (hạn 17/11/2026)" in coordinator.get(f"/reports?{november}").get_data(as_text=True)
    sent_late = coordinator.post(f"/reports/new?{november}", data=TEXT).location
    assert coordinator.post(f"{sent_late}/send", data=TEXT).status_code == 303
    listing = admin.get(f"/reports/province?{november}").get_data(as_text=True)
    assert "1 / 103 đơn vị đã gửi" in listing and "0 / 103 đơn vị gửi đúng hạn" in listing
    units = listing[listing.index('id="units"'):]
    assert "Trễ 3 ngày" in units and units.count("Quá hạn (hạn 17/11/2026)") == 102

    # December's, sent now, is on time; the others still have until 17/12.
    assert "Hạn gửi: 17/12/2026" in coordinator.get(f"/reports?{PERIOD_ARGS}").get_data(as_text=True)
    assert coordinator.post(f"{_write(coordinator)}/send", data=TEXT).status_code == 303
    listing = admin.get(f"/reports/province?{PERIOD_ARGS}").get_data(as_text=True)
    assert "1 / 103 đơn vị gửi đúng hạn" in listing and "(0,97%)" in listing
    units = listing[listing.index('id="units"'):]
    assert units.count("Đúng hạn") == 1 and units.count("Hạn 17/12/2026") == 102


def test_the_province_roll_up_sums_what_units_sent_and_what_the_others_count(unit, login_as):
    coordinator = login_as(unit["coordinator_a"])
    report_id = int(_write(coordinator).rsplit("/", 1)[1])
    assert coordinator.post(f"/reports/{report_id}/send", data=TEXT).status_code == 303
    response = login_as(unit["province"]).get(f"/reports/province/rollup.docx?{PERIOD_ARGS}")
    document = _docx(response)
    text = _all_text(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "THÀNH PHỐ CẦN THƠ" in text
    assert "1 / 103 đơn vị đã gửi báo cáo" in text and "(Từ ngày 15/11/2026 đến ngày 14/12/2026)" in text
    table = document.tables[-1]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert len(rows) == 104  # 103 units and the whole province
    assert rows["Phường Ninh Kiều"][2] == "đã gửi" and rows["Phường Cái Răng"][2] == "chưa gửi"
    heads = [c.text for c in table.rows[0].cells]
    level2 = heads.index(_label("level2") + " (trong kỳ)")
    visits_column = heads.index("Lượt hỗ trợ trong kỳ")
    assert rows["Phường Ninh Kiều"][level2] == "20,00%"  # 3 of 15, as sent
    assert rows["Phường Cái Răng"][level2] == "66,67%"  # 2 of 3, counted now
    assert rows["Toàn tỉnh, thành phố"][level2] == "27,78%"  # 5 of 18
    assert rows["Toàn tỉnh, thành phố"][visits_column] == "5"
    # Teams and members per unit and in all: ward A's team (2 members), ward B's (1).
    teams, members = heads.index("Tổ đang hoạt động (lũy kế)"), heads.index("Tổ viên (lũy kế)")
    assert (rows["Phường Ninh Kiều"][teams], rows["Phường Ninh Kiều"][members]) == ("1", "2")
    assert (rows["Toàn tỉnh, thành phố"][teams], rows["Toàn tỉnh, thành phố"][members]) == ("2", "3")
    assert "Phường Ninh Kiều" in rows and login_as(unit["coordinator_a"]).get(
        f"/reports/province/rollup.docx?{PERIOD_ARGS}").status_code == 403


def test_new_report_of_another_unit_cannot_be_made(unit, login_as):
    """A coordinator writes only its own unit's report: the ward comes from the account, never the form."""
    client = login_as(unit["coordinator_b"])
    _write(client)
    report = db.session.scalar(select(PeriodicReport))
    assert report.ward_code == WARD_B
    assert login_as(unit["admin"]).post(f"/reports/new?{PERIOD_ARGS}", data=TEXT).status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(PeriodicReport)) == 1


def test_a_province_account_is_made_by_the_administrator_and_reads_the_province(world, login_as):
    admin = login_as(world["admin"])
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert 'value="province"' in page
    response = admin.post("/admin/users/new", data={
        "display_name": "Võ Thị Sở", "username": "so.tonghop", "password": "mat-khau-so-42",
        "confirm": "mat-khau-so-42", "role": "province", "ward_code": str(WARD_A), "team_id": "0"})
    assert response.status_code == 302
    from app.services.accounts import find_login
    user = find_login("so.tonghop")
    assert user.role == Role.PROVINCE and user.ward_code is None and user.province_code == 92


def test_typed_control_characters_never_break_the_document_and_no_citizen_id_is_kept(unit, login_as):
    client = login_as(unit["coordinator_a"])
    report_id = int(_write(client, results="Dòng 1\r\nDòng\x01 2\x00\ufffe", signer_name="An <b>&</b>").rsplit("/", 1)[1])
    text = _all_text(_docx(client.get(f"/reports/{report_id}/docx")))
    assert "Dòng 2" in text and "An <b>&</b>" in text
    refused = client.post(f"/reports/{report_id}", data={**TEXT, "shortcomings": "Hộ số CCCD 079123456789"})
    assert refused.status_code == 422 and "CCCD" in refused.get_data(as_text=True)
    assert "079123456789" not in db.session.get(PeriodicReport, report_id).shortcomings


def test_the_province_department_reads_unit_boards_but_never_households(unit, login_as):
    province = login_as(unit["province"])
    assert province.get("/province").status_code == 200
    board = province.get(f"/ward?code={WARD_A}")
    assert board.status_code == 200 and "Phường Ninh Kiều" in board.get_data(as_text=True)
    followups = province.get(f"/ward/report.csv?code={WARD_A}&view=followups").get_data(as_text=True)
    assert "Hẹn lại" not in followups and "Đường 3 Tháng 2" not in followups  # no household or visit details
    for path in ("/lists/households", "/ward/visits", f"/visits/{unit['visits'][0].id}"):
        assert province.get(path).status_code in (403, 404), path
