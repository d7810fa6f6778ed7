"""A unit's official figures: the coordinator's entry, the province's file, its targets, and the boards that show
them (values, targets, ranks, "k / n xã, phường chưa đạt", the level-2 review mark)."""

import html
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog, OfficialFigure, OfficialIndicator, PeriodKind, ProvinceTarget, Role
from app.services.reports.official import OfficialPeriod, parse_count
from tests.conftest import WARD_A, WARD_B, count, queries_for

WARD_C = 31201  # a third unit of Cần Thơ (province 92)
WARD_FAR = 26740  # Phường Sài Gòn, Hồ Chí Minh City: not in the administrator's province
HEADER = "Mã đơn vị,Tên đơn vị,Kỳ,Chỉ số,Tử số,Mẫu số"


def _entry(**values) -> dict:
    data = {"period": "2026-10", "digitised_numerator": "", "digitised_denominator": "",
            "online_dossiers_numerator": "", "online_dossiers_denominator": "", "online_payment_numerator": "",
            "online_payment_denominator": "", "level2_accounts_numerator": ""}
    data.update(values)
    return data


def _figures() -> dict:
    return {(f.ward_code, f.period_kind, f.period_year, f.period_number, f.indicator): (f.numerator, f.denominator)
            for f in db.session.scalars(select(OfficialFigure))}


def _csv(*lines: str) -> bytes:
    return ("\ufeff" + "\n".join((HEADER, *lines)) + "\n").encode()


def _upload(client, data: bytes, name: str = "so-lieu.csv"):
    return client.post("/official/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _token(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return response.location.rsplit("/", 1)[-1]


def _targets(admin, valid_from=date(2024, 1, 1), values=(80, 50, 45)):
    for indicator, value in zip(("digitised", "online_dossiers", "online_payment"), values, strict=True):
        db.session.add(ProvinceTarget(province_code=92, indicator=indicator, valid_from=valid_from, value=value,
                                      set_by_id=admin.id))
    db.session.commit()


# Periods ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("10/2026", ("month", 2026, 10)), ("Tháng 10/2026", ("month", 2026, 10)), ("2026-10", ("month", 2026, 10)),
    ("thang 3 nam 2026", ("month", 2026, 3)), ("Quý 3/2026", ("quarter", 2026, 3)), ("Q3 2026", ("quarter", 2026, 3)),
    ("Quý III năm 2026", ("quarter", 2026, 3)), ("2026-Q2", ("quarter", 2026, 2)),
    ("6 tháng đầu năm 2026", ("half", 2026, 1)), ("6 tháng cuối năm 2026", ("half", 2026, 2)),
    ("2026-H2", ("half", 2026, 2)), ("Năm 2025", ("year", 2025, 1)), ("2025", ("year", 2025, 1)),
    ("13/2026", None), ("Quý 5/2026", None), ("tháng mười", None), ("", None), ("10/1999", None), ("1e309", None),
])
def test_periods_as_people_write_them(text, expected):
    period = OfficialPeriod.parse(text)
    assert (None if period is None else (period.kind.value, period.year, period.number)) == expected
    if period is not None:
        assert OfficialPeriod.parse(period.key) == period  # the key reads back as the same period


def test_a_period_knows_its_calendar_days_and_the_one_before():
    quarter = OfficialPeriod(PeriodKind.QUARTER, 2026, 1)
    assert (quarter.start, quarter.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.previous() == OfficialPeriod(PeriodKind.QUARTER, 2025, 4)
    assert OfficialPeriod(PeriodKind.MONTH, 2024, 2).end == date(2024, 2, 29)


@pytest.mark.parametrize(("text", "value"), [("1234", 1234), ("1.234", 1234), ("1,234", 1234), ("0", 0),
                                             ("-1", None), ("12.5", None), ("abc", None), ("9999999999", None)])
def test_counts_as_people_write_them(text, value):
    assert parse_count(text) == value


# The coordinator's entry --------------------------------------------------------------------------------------

def test_the_coordinator_enters_the_units_figures_audited(world, login_as):
    client = login_as(world["coordinator_a"])
    page = client.get("/official/ward?ky=2026-10")
    assert page.status_code == 200 and "Số hóa hồ sơ, kết quả giải quyết" in page.text
    response = client.post("/official/ward", data=_entry(
        digitised_numerator="2.337", digitised_denominator="2500", online_dossiers_numerator="665",
        online_dossiers_denominator="2500", level2_accounts_numerator="41230"))
    assert response.status_code == 303 and "ky=2026-10" in response.location
    assert _figures() == {
        (WARD_A, "month", 2026, 10, "digitised"): (2337, 2500),
        (WARD_A, "month", 2026, 10, "online_dossiers"): (665, 2500),
        (WARD_A, "month", 2026, 10, "level2_accounts"): (41230, None),
    }
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "official_figure.set")).all()
    assert {(e.ward_code, e.detail["indicator"], tuple(e.detail["new"]), e.detail["old"]) for e in entries} == {
        (WARD_A, "digitised", (2337, 2500), None), (WARD_A, "online_dossiers", (665, 2500), None),
        (WARD_A, "level2_accounts", (41230, None), None)}
    assert all(e.actor_id == world["coordinator_a"].id and e.detail["period"] == "2026-10" for e in entries)

    # The form starts from what is stored; a change is audited with the old and the new values.
    again = client.get("/official/ward?ky=2026-10").text
    assert 'value="2337"' in again and 'value="41230"' in again
    assert client.post("/official/ward", data=_entry(digitised_numerator="2400", digitised_denominator="2500")
                       ).status_code == 303
    change = db.session.scalar(select(AuditLog).where(AuditLog.action == "official_figure.set")
                               .order_by(AuditLog.id.desc()))
    assert (change.detail["old"], change.detail["new"]) == ([2337, 2500], [2400, 2500])
    assert _figures()[(WARD_A, "month", 2026, 10, "online_dossiers")] == (665, 2500)  # left blank: kept


@pytest.mark.parametrize(("values", "message"), [
    ({"digitised_numerator": "2600", "digitised_denominator": "2500"}, "Tử số (2600) lớn hơn mẫu số (2500)."),
    ({"digitised_numerator": "12", "digitised_denominator": ""}, "Thiếu mẫu số"),
    ({"online_payment_numerator": "-3", "online_payment_denominator": "10"}, "Tử số phải là số nguyên, từ 0 trở lên."),
    ({"online_payment_numerator": "3", "online_payment_denominator": "mười"}, "Mẫu số phải là số nguyên, từ 0 trở lên."),
    ({"level2_accounts_numerator": "12,5"}, "Tử số phải là số nguyên, từ 0 trở lên."),
    ({}, "Nhập ít nhất một số liệu."),
    ({"period": "2027-01", "digitised_numerator": "1", "digitised_denominator": "2"}, "Lựa chọn không hợp lệ"),
])
def test_a_bad_entry_is_refused_in_vietnamese_and_stores_nothing(world, login_as, values, message):
    client = login_as(world["coordinator_a"])
    good = {"online_dossiers_numerator": "665", "online_dossiers_denominator": "2500"}
    response = client.post("/official/ward", data=_entry(**{**(good if values else {}), **values}))
    assert response.status_code == 422
    assert message in response.text
    assert count(OfficialFigure) == 0  # the good indicator beside the bad one is not stored either
    assert count(AuditLog) == db.session.scalar(select(db.func.count()).select_from(AuditLog).where(
        AuditLog.action != "official_figure.set"))


def test_only_a_coordinator_enters_and_only_for_its_own_unit(world, login_as):
    for who in ("admin", "volunteer_a", "youth_a", "leader_a"):
        assert login_as(world[who]).post("/official/ward", data=_entry(
            digitised_numerator="1", digitised_denominator="2")).status_code == 403
    # The coordinator of B enters for B, never for A; and sees only B's figures.
    client = login_as(world["coordinator_b"])
    assert client.post("/official/ward", data=_entry(digitised_numerator="1", digitised_denominator="2")
                       ).status_code == 303
    assert set(_figures()) == {(WARD_B, "month", 2026, 10, "digitised")}
    assert client.get(f"/ward?code={WARD_A}").status_code == 404


# The province's file ------------------------------------------------------------------------------------------

def test_a_good_file_is_previewed_then_stored_and_audited(world, login_as):
    admin = login_as(world["admin"])
    token = _token(_upload(admin, _csv(
        f"{WARD_A},Phường Ninh Kiều,10/2026,Số hóa hồ sơ,2337,2500",
        f"{WARD_A},,Tháng 10/2026,Hồ sơ trực tuyến,665,2500",
        ",phuong cai rang,10/2026,thanh toan truc tuyen,209,1250",
        f"{WARD_B},,10/2026,Tài khoản mức độ 2,41230,",
    )))
    preview = admin.get(f"/official/import/{token}")
    assert preview.status_code == 200 and "Lưu 4 số liệu" in preview.text and "Phường Cái Răng" in preview.text
    assert count(OfficialFigure) == 0  # nothing before the confirmation

    assert admin.post(f"/official/import/{token}").status_code == 303
    assert _figures() == {
        (WARD_A, "month", 2026, 10, "digitised"): (2337, 2500),
        (WARD_A, "month", 2026, 10, "online_dossiers"): (665, 2500),
        (WARD_B, "month", 2026, 10, "online_payment"): (209, 1250),
        (WARD_B, "month", 2026, 10, "level2_accounts"): (41230, None),
    }
    assert db.session.scalar(select(db.func.count()).select_from(AuditLog).where(
        AuditLog.action == "official_figure.set")) == 4
    summary = db.session.scalar(select(AuditLog).where(AuditLog.action == "official_figure.import"))
    assert summary.detail == {"rows": 4, "new": 4, "changed": 0}
    assert admin.get(f"/official/import/{token}").status_code == 404  # used up


def test_a_reimport_updates_the_period_with_old_and_new_audited(world, login_as):
    admin = login_as(world["admin"])
    admin.post(f"/official/import/{_token(_upload(admin, _csv(f'{WARD_A},,Quý 3/2026,Số hóa hồ sơ,70,100')))}")
    token = _token(_upload(admin, _csv(f"{WARD_A},,2026-Q3,so hoa,90,100", f"{WARD_B},,Quý III/2026,so hoa,5,10")))
    preview = admin.get(f"/official/import/{token}").text
    assert "70 / 100" in preview  # the value it replaces
    admin.post(f"/official/import/{token}")
    assert _figures() == {(WARD_A, "quarter", 2026, 3, "digitised"): (90, 100),
                          (WARD_B, "quarter", 2026, 3, "digitised"): (5, 10)}
    changed = db.session.scalar(select(AuditLog).where(AuditLog.action == "official_figure.set",
                                                       AuditLog.ward_code == WARD_A).order_by(AuditLog.id.desc()))
    assert (changed.detail["old"], changed.detail["new"], changed.detail["source"]) == ([70, 100], [90, 100], "import")


def test_an_xlsx_file_is_read_as_well(world, login_as):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Kỳ", "Chỉ số", "Tử số", "Mẫu số"])
    sheet.append([WARD_A, "6 tháng đầu năm 2026", "Thanh toán trực tuyến", 1672, 10000])
    out = io.BytesIO()
    book.save(out)
    admin = login_as(world["admin"])
    admin.post(f"/official/import/{_token(_upload(admin, out.getvalue(), 'so-lieu.xlsx'))}")
    assert _figures() == {(WARD_A, "half", 2026, 1, "online_payment"): (1672, 10000)}


BAD_ROWS = [
    (f"{WARD_FAR},,10/2026,Số hóa hồ sơ,1,2", "Mã đơn vị", "Không có xã, phường nào của tỉnh có mã “26740”."),
    ("99999999,,10/2026,Số hóa hồ sơ,1,2", "Mã đơn vị", "Không có xã, phường nào của tỉnh có mã “99999999”."),
    (",Xã Không Có,10/2026,Số hóa hồ sơ,1,2", "Tên đơn vị", "Không có xã, phường nào của tỉnh tên “Xã Không Có”"),
    (f"{WARD_A},Phường Cái Răng,10/2026,Số hóa hồ sơ,1,2", "Tên đơn vị",
     "Mã 31135 là Phường Ninh Kiều, không phải “Phường Cái Răng”."),
    (",,10/2026,Số hóa hồ sơ,1,2", "Mã đơn vị", "Thiếu đơn vị"),
    (f"{WARD_A},,tháng mười,Số hóa hồ sơ,1,2", "Kỳ báo cáo", "Không rõ kỳ “tháng mười”"),
    (f"{WARD_A},,12/2026,Số hóa hồ sơ,1,2", "Kỳ báo cáo", "Kỳ Tháng 12/2026 chưa bắt đầu."),
    (f"{WARD_A},,10/2026,Tỷ lệ hài lòng,1,2", "Chỉ số", "Không rõ chỉ số “Tỷ lệ hài lòng”"),
    (f"{WARD_A},,10/2026,Số hóa hồ sơ,-1,2", "Tử số", "Tử số phải là số nguyên, từ 0 trở lên."),
    (f"{WARD_A},,10/2026,Số hóa hồ sơ,1.5,2", "Tử số", "Tử số phải là số nguyên, từ 0 trở lên."),
    (f"{WARD_A},,10/2026,Số hóa hồ sơ,1,", "Mẫu số", "Thiếu mẫu số"),
    (f"{WARD_A},,10/2026,Số hóa hồ sơ,1,hai", "Mẫu số", "Mẫu số phải là số nguyên, từ 0 trở lên."),
    (f"{WARD_A},,10/2026,Số hóa hồ sơ,3,2", "Tử số", "Tử số (3) lớn hơn mẫu số (2)."),
    (f"{WARD_B},,10/2026,Số hóa hồ sơ,1,2", "Dòng", "Dòng 2 đã có chỉ số này của đơn vị và kỳ này."),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS, ids=[m for _r, _c, m in BAD_ROWS])
def test_each_kind_of_bad_row_is_refused_with_its_reason_and_nothing_is_stored(world, login_as, row, column, message):
    admin = login_as(world["admin"])
    good = f"{WARD_B},,10/2026,Số hóa hồ sơ,1,2"
    response = admin.get(f"/official/import/{_token(_upload(admin, _csv(good, row)))}")
    assert response.status_code == 422
    assert message in response.text and f"<td>{column}</td>" in response.text
    assert "Không thể lưu khi còn dòng bị từ chối" in response.text and "Lưu 1 số liệu" not in response.text
    # Even a confirmation sent by hand stores nothing: the good row waits with the bad one.
    token = response.request.path.rsplit("/", 1)[-1]
    refused = admin.post(f"/official/import/{token}")
    assert refused.status_code == 422 and "không có gì được lưu" in refused.text
    assert count(OfficialFigure) == 0
    assert not db.session.scalars(select(AuditLog).where(AuditLog.action.like("official_figure.%"))).all()


def test_an_unreadable_file_is_refused_whole(world, login_as):
    admin = login_as(world["admin"])
    response = _upload(admin, "Kỳ,Chỉ số\n10/2026,Số hóa hồ sơ\n".encode())
    assert response.status_code == 422 and "Thiếu các cột: Mã đơn vị / Tên đơn vị, Tử số" in response.text
    assert _upload(admin, b"PK\x03\x04 not a workbook", "x.xlsx").status_code == 422
    assert count(OfficialFigure) == 0


def test_only_the_province_imports_and_an_upload_stays_its_uploaders(world, make_user, login_as):
    for who in ("coordinator_a", "volunteer_a", "youth_a"):
        assert _upload(login_as(world[who]), _csv(f"{WARD_A},,10/2026,Số hóa hồ sơ,1,2")).status_code == 403
    token = _token(_upload(login_as(world["admin"]), _csv(f"{WARD_A},,10/2026,Số hóa hồ sơ,1,2")))
    other_admin = login_as(make_user(Role.ADMIN))
    assert other_admin.get(f"/official/import/{token}").status_code == 404
    assert other_admin.post(f"/official/import/{token}").status_code == 404
    assert count(OfficialFigure) == 0


def test_templates_read_back_as_good_files(world, login_as):
    admin = login_as(world["admin"])
    for kind in ("csv", "xlsx"):
        template = admin.get(f"/official/import/template.{kind}")
        assert template.status_code == 200
        preview = admin.get(f"/official/import/{_token(_upload(admin, template.data, f'mau.{kind}'))}")
        assert preview.status_code == 200 and "Lưu 4 số liệu" in preview.text


# Targets ------------------------------------------------------------------------------------------------------

def test_the_administrator_sets_the_province_targets(world, login_as):
    admin = login_as(world["admin"])
    assert admin.post("/official/targets", data={"indicator": "digitised", "valid_from": "2024-01-01",
                                                 "value": "80"}).status_code == 303
    bad = admin.post("/official/targets", data={"indicator": "digitised", "valid_from": "2024-01-01", "value": "180"})
    assert bad.status_code == 422 and "Chỉ tiêu là tỷ lệ phần trăm từ 0 đến 100." in bad.text
    target = db.session.scalar(select(ProvinceTarget))
    assert (target.indicator, target.valid_from, float(target.value)) == ("digitised", date(2024, 1, 1), 80.0)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "province_target.set")).detail["value"] == 80
    assert "80,00%" in admin.get("/official/targets").text
    assert login_as(world["coordinator_a"]).post("/official/targets", data={
        "indicator": "digitised", "valid_from": "2024-01-01", "value": "10"}).status_code == 403


# The boards ---------------------------------------------------------------------------------------------------

def _store(ward_code, indicator, numerator, denominator=None, period=(PeriodKind.MONTH, 2026, 10)):
    kind, year, number = period
    db.session.add(OfficialFigure(ward_code=ward_code, period_kind=kind, period_year=year, period_number=number,
                                  indicator=indicator, numerator=numerator, denominator=denominator, source="import"))
    db.session.commit()


@pytest.fixture
def province(world):
    _targets(world["admin"])
    for code, (digitised, online, payment) in {WARD_A: (9348, 2660, 1672), WARD_B: (8089, 3480, 3946),
                                               WARD_C: (7500, 5200, 3946)}.items():
        _store(code, "digitised", digitised, 10000)
        _store(code, "online_dossiers", online, 10000)
        _store(code, "online_payment", payment, 10000)
    return world


def test_the_province_board_ranks_units_against_the_targets(province, login_as):
    page = login_as(province["admin"]).get("/province?ky=2026-10")
    assert page.status_code == 200
    text = page.text
    digitised = text[text.index('id="official-digitised"'):text.index('id="official-online_dossiers"')]
    # Best first: Ninh Kiều 93,48% (1st), Cái Răng 80,89% (2nd), the third unit 75,00% (3rd, below 80%).
    assert digitised.index("93,48%") < digitised.index("80,89%") < digitised.index("75,00%")
    assert "Chỉ tiêu của tỉnh: 80,00% (áp dụng từ 01/01/2024)" in digitised
    assert "1 / 3 xã, phường chưa đạt" in digitised
    online = text[text.index('id="official-online_dossiers"'):text.index('id="official-online_payment"')]
    assert "26,60%" in online and "3 / 3 xã, phường chưa đạt" not in online and "2 / 3 xã, phường chưa đạt" in online
    payment = text[text.index('id="official-online_payment"'):text.index('id="wards"')]
    # Two units at 39,46% share the 1st rank; 16,72% is 3rd.
    assert payment.count('<td class="num">1</td>') == 2 and '<td class="num">3</td>' in payment
    assert "3 / 3 xã, phường chưa đạt" in payment
    assert text.count("Chưa đạt") >= 6 and "Đạt" in text
    # Each unit opens its own board at its official figures of the same period.
    link = re.search(r'<a href="(/ward\?[^"]*)">([^<]+)</a>', digitised)
    opened = login_as(province["admin"]).get(html.unescape(link.group(1)))
    assert link.group(1).endswith("#official") and "ky=2026-10" in link.group(1)
    assert opened.status_code == 200 and f"<h1>{link.group(2)}</h1>" in opened.text


def test_no_target_no_verdict(world, login_as):
    _store(WARD_A, "digitised", 9348, 10000)
    text = login_as(world["admin"]).get("/province?ky=2026-10").text
    assert "Tỉnh chưa đặt chỉ tiêu." in text and "chưa đạt" not in text and "93,48%" in text


def test_the_unit_board_shows_its_figures_against_the_targets(province, login_as):
    text = login_as(province["coordinator_a"]).get("/ward?ky=2026-10").text
    assert "Số liệu chính thức" in text and "Tháng 10/2026" in text
    assert "93,48%" in text and "26,60%" in text and "16,72%" in text
    assert text.count("Chưa đạt") == 2 and "Chỉ tiêu của tỉnh: 45,00%" in text
    # Without ?ky= the board opens the latest period with figures.
    assert "93,48%" in login_as(province["coordinator_a"]).get("/ward").text


def test_a_unit_whose_reported_activations_exceed_the_police_increase_needs_review(
        world, make_household, make_visit, login_as, rollup_verified):
    from app.services import rollups

    _store(WARD_A, "level2_accounts", 1000, period=(PeriodKind.MONTH, 2026, 9))
    _store(WARD_A, "level2_accounts", 1003)  # up by 3 in October
    _store(WARD_B, "level2_accounts", 500, period=(PeriodKind.MONTH, 2026, 9))
    _store(WARD_B, "level2_accounts", 520)  # up by 20
    home_a = make_household(world["team_a"].areas[0], people=6, eligible_people=6)
    make_visit(home_a, world["volunteer_a"], visited_at=datetime(2026, 10, 5, 3), level2_activated=5)
    home_b = make_household(world["team_b"].areas[0], people=6, eligible_people=6)
    make_visit(home_b, world["volunteer_b"], visited_at=datetime(2026, 10, 6, 3), level2_activated=4)
    make_visit(home_b, world["volunteer_b"], visited_at=datetime(2026, 11, 2, 3), level2_activated=2)  # November
    rollups.rebuild()
    db.session.commit()

    text = login_as(world["admin"]).get("/province?ky=2026-10").text
    level2 = text[text.index('id="official-level2"'):]
    a_row = level2[level2.index("Phường Ninh Kiều"):level2.index("</tr>", level2.index("Phường Ninh Kiều"))]
    b_row = level2[level2.index("Phường Cái Răng"):level2.index("</tr>", level2.index("Phường Cái Răng"))]
    assert "1.003" in a_row and ">3<" in a_row and ">5<" in a_row and "cần rà soát" in a_row
    assert ">20<" in b_row and ">4<" in b_row and "cần rà soát" not in b_row
    assert "1 xã, phường cần rà soát" in level2

    unit = login_as(world["coordinator_a"]).get("/ward?ky=2026-10").text
    assert "cần rà soát" in unit and "Các tổ báo cáo nhiều lượt kích hoạt hơn" in unit
    # September has no count before it: no increase, no mark.
    assert "cần rà soát" not in login_as(world["coordinator_a"]).get("/ward?ky=2026-09").text


def test_the_official_part_of_the_province_board_costs_the_same_for_any_number_of_units(world, login_as):
    _targets(world["admin"])
    client = login_as(world["admin"])
    _store(WARD_A, "digitised", 1, 2)
    _store(WARD_A, "level2_accounts", 10)
    few = queries_for(client, "/province?ky=2026-10")
    from app.models import Ward

    for ward in db.session.scalars(select(Ward).where(Ward.province_code == 92)):
        for indicator in OfficialIndicator:
            if ward.code != WARD_A:
                _store(ward.code, indicator.value, 5, None if indicator == "level2_accounts" else 10)
    assert queries_for(client, "/province?ky=2026-10") == few


def test_the_demo_holds_the_provinces_targets_figures_and_a_unit_to_review(app, ctx):
    from app.services import demo

    demo.seed(92, demo.SeedSize(wards=2, areas_per_ward=2, households_per_area=30, months=2))
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})
    text = client.get("/province").text
    assert "Tháng 10/2026" in text  # the last month that ended
    for shown in ("93,48%", "26,60%", "16,72%", "Chỉ tiêu của tỉnh: 80,00% (áp dụng từ 01/01/2024)",
                  "Chỉ tiêu của tỉnh: 50,00%", "Chỉ tiêu của tỉnh: 45,00%"):
        assert shown in text
    digitised = text[text.index('id="official-digitised"'):text.index('id="official-online_dossiers"')]
    failed, judged = map(int, re.search(r"(\d+) / (\d+) xã, phường chưa đạt", digitised).groups())
    assert judged == 103 and 0 < failed < judged  # some units meet the target, some do not
    level2 = text[text.index('id="official-level2"'):]
    mark = '<span class="badge badge-danger">cần rà soát</span>'
    # The second seeded unit (Xã Thới Lai first, then Phường Ninh Kiều): its teams reported too many.
    assert level2.count(mark) == 1 and "1 xã, phường cần rà soát" in level2
    review_row = level2[level2.index(mark) - 400:level2.index(mark)]
    assert "Phường Ninh Kiều" in review_row
    again = demo.official_figures(92, [])  # a second run keeps what is there
    assert again is None and count(OfficialFigure) == 103 * 3 * 2 + 4


def test_a_province_default_for_a_household_indicator_shows_as_the_provinces(world, login_as):
    admin = login_as(world["admin"])
    form = admin.get("/official/targets").text
    assert '<optgroup label="Chỉ số hộ gia đình (chỉ tiêu chung cho mọi xã, phường)">' in form
    assert '<option value="level2">' in form
    assert admin.post("/official/targets", data={"indicator": "level2", "valid_from": "2026-01-01",
                                                 "value": "75"}).status_code == 303
    coordinator = login_as(world["coordinator_a"])
    board = coordinator.get("/ward").text
    level2 = board[board.index('id="indicator-level2"'):board.index('id="indicator-online"')]
    assert "Chỉ tiêu: 75,00%" in level2 and "(chỉ tiêu chung của tỉnh)" in level2
    reach = board[board.index('id="indicator-reach"'):board.index('id="indicator-level2"')]
    assert "Chỉ tiêu" not in reach and "Chưa đặt chỉ tiêu" in reach  # nobody set one
    targets_page = coordinator.get("/ward/targets").text
    defaults = targets_page[targets_page.index("Chỉ tiêu chung của tỉnh đang áp dụng"):]
    assert "75,00%" in defaults and "chưa có" in defaults
    # The unit's own target replaces the province's default on its board.
    assert coordinator.post("/ward/targets", data={"indicator": "level2", "period_start": "2026-11-01",
                                                   "period_end": "2026-11-30", "value": "60"}).status_code == 303
    level2 = coordinator.get("/ward").text
    level2 = level2[level2.index('id="indicator-level2"'):level2.index('id="indicator-online"')]
    assert "Chỉ tiêu: 60,00%" in level2 and "chỉ tiêu chung" not in level2
