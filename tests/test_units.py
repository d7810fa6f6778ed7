"""Units by their own type (xã, phường), the unit's word for its residential areas, and Vietnamese
alphabetical order, on SQLite and PostgreSQL alike."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.collation import by_name, sorted_by_name
from app.extensions import db
from app.models import Area, AuditLog, Role, User, Ward
from app.services import geo
from app.units import issuing_body, place_name, unit_name
from tests.conftest import WARD_A

THOI_LAI = 31258  # Xã Thới Lai: a commune of Cần Thơ (province 92), whose residential areas are ấp


@pytest.fixture(autouse=True)
def _words_as_loaded(app):
    """Units are kept between tests (conftest.KEEP): put back the words a test changed."""
    yield
    with app.app_context():
        db.session.rollback()
        for unit in db.session.scalars(select(Ward).where(Ward.code.in_([WARD_A, THOI_LAI]))):
            unit.area_word = "ap" if unit.division_type == "xã" else "khu_vuc"
        db.session.commit()


def _text(response) -> str:
    """The page as a person reads it: no tags, no attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _without_both(text: str) -> str:
    """What is left once the words that cover both kinds of unit ("xã, phường") are taken out."""
    return re.sub(r"xã, phường", "", text, flags=re.IGNORECASE)


@pytest.fixture
def commune(make_area, make_team, make_user, make_household):
    """Xã Thới Lai with two hamlets, a team, its coordinator and a volunteer."""
    my_hoa = make_area(THOI_LAI, name="Ấp Mỹ Hòa", official_households=40)
    make_area(THOI_LAI, name="Ấp Thới Thuận")
    team = make_team(THOI_LAI, areas=[my_hoa], name="Tổ CNSCĐ Ấp Mỹ Hòa")
    make_household(my_hoa, address="Số 12, Ấp Mỹ Hòa")
    return {"area": my_hoa, "team": team, "coordinator": make_user(Role.COORDINATOR, THOI_LAI),
            "volunteer": make_user(Role.VOLUNTEER, team=team)}


@pytest.fixture
def ward(make_area, make_team, make_user):
    """Phường Ninh Kiều with one khu vực and its coordinator."""
    area = make_area(WARD_A, name="Khu vực 3")
    make_team(WARD_A, areas=[area], name="Tổ CNSCĐ Khu vực 3")
    return {"area": area, "coordinator": make_user(Role.COORDINATOR, WARD_A)}


# --- Names by type ----------------------------------------------------------------------------------------

def test_units_keep_their_type_from_the_package(ctx):
    thoi_lai, ninh_kieu = db.session.get(Ward, THOI_LAI), db.session.get(Ward, WARD_A)
    assert (thoi_lai.division_type, ninh_kieu.division_type) == ("xã", "phường")
    assert (unit_name(thoi_lai), issuing_body(thoi_lai), place_name(thoi_lai)) == (
        "Xã Thới Lai", "UBND XÃ THỚI LAI", "Thới Lai")
    assert (unit_name(ninh_kieu), issuing_body(ninh_kieu)) == ("Phường Ninh Kiều", "UBND PHƯỜNG NINH KIỀU")
    # The package writes a few names with two spaces ("Xã  Phú Hữu"); they are loaded with one.
    assert not db.session.scalars(select(Ward.name).where(Ward.name.like("%  %"))).all()
    assert "Xã Phú Hữu" in db.session.scalars(select(Ward.name).where(Ward.province_code == 92)).all()
    types = db.session.scalars(select(Ward.division_type).where(Ward.province_code == 92)).all()
    assert (types.count("xã"), types.count("phường")) == (72, 31)


def test_a_units_word_starts_from_its_type_and_a_reload_keeps_the_coordinators_choice(ctx):
    assert db.session.get(Ward, THOI_LAI).area_word == "ap"
    assert db.session.get(Ward, WARD_A).area_word == "khu_vuc"
    db.session.get(Ward, WARD_A).area_word = "to_dan_pho"
    geo.load_province(92)
    assert db.session.get(Ward, WARD_A).area_word == "to_dan_pho"
    db.session.rollback()


def test_a_communes_pages_name_it_a_commune_and_its_areas_hamlets(commune, login_as):
    coordinator = login_as(commune["coordinator"])
    board = _text(coordinator.get(f"/ward?code={THOI_LAI}"))
    assert "Xã Thới Lai" in board and "Ấp Mỹ Hòa" in board
    assert re.search(r"<th>\s*<a [^>]*>Ấp</a>", coordinator.get("/ward").get_data(as_text=True))
    areas = _text(coordinator.get("/lists/areas"))
    assert "Thêm ấp" in areas and "Tên ấp" in areas
    lists = _text(coordinator.get("/lists/"))
    assert "Danh sách của Xã Thới Lai" in lists
    households = _text(coordinator.get("/lists/households"))
    assert "Hộ gia đình của Xã Thới Lai" in households and "Tất cả ấp" in households
    for page in (board, areas, lists, households):
        assert "phường" not in _without_both(page).lower()
        assert "khu vực" not in page.lower()
    # The volunteer's home names the commune; the household form asks for the hamlet.
    volunteer = login_as(commune["volunteer"])
    assert "Xã Thới Lai" in _text(volunteer.get("/"))
    assert re.search(r"<label [^>]*>Ấp</label>", volunteer.get("/households/new").get_data(as_text=True))


def test_a_wards_pages_name_it_a_ward(ward, login_as):
    coordinator = login_as(ward["coordinator"])
    board = _text(coordinator.get("/ward"))
    assert "Phường Ninh Kiều" in board and "Khu vực 3" in board
    areas = _text(coordinator.get("/lists/areas"))
    assert "Thêm khu vực" in areas and "Thêm ấp" not in areas
    assert "Xã" not in areas


def test_a_communes_export_says_xa_and_ap(commune, login_as):
    coordinator = login_as(commune["coordinator"])
    response = coordinator.get("/ward/report.csv?view=areas")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["Báo cáo phủ số: Xã Thới Lai"]
    header = next(line for line in lines if line and line[0] == "Ấp")
    assert [line[0] for line in lines[lines.index(header) + 1:]] == ["Ấp Mỹ Hòa", "Ấp Thới Thuận"]
    book = load_workbook(io.BytesIO(coordinator.get("/ward/report.xlsx").data))
    assert "Ấp" in book.sheetnames
    assert book["Ấp"]["A1"].value == "Báo cáo phủ số: Xã Thới Lai"
    assert "phường" not in _without_both(response.get_data(as_text=True)).lower()


def test_a_communes_messages_name_the_commune_and_its_hamlets(commune, login_as):
    coordinator = login_as(commune["coordinator"])
    response = coordinator.post("/lists/areas", data={"name": "ấp mỹ hòa"})
    assert response.status_code == 422
    assert "Xã Thới Lai đã có ấp mang tên này." in _text(response)
    response = coordinator.post("/lists/teams", data={"name": "Tổ CNSCĐ Ấp Mỹ Hòa"})
    assert response.status_code == 422
    assert "Xã Thới Lai đã có tổ mang tên này." in _text(response)
    response = coordinator.post("/lists/areas", data={"name": "Ấp Thới Hòa"}, follow_redirects=True)
    assert "Đã thêm Ấp Thới Hòa." in _text(response)


def test_roles_and_boards_are_named_for_both_kinds_of_unit(commune, login_as):
    page = login_as(commune["coordinator"]).get("/").get_data(as_text=True)
    assert "Cán bộ đầu mối" in page and "Bảng theo dõi xã, phường" in page
    assert "Bảng phường" not in page


# --- The unit's word for its residential areas -----------------------------------------------------------

def test_the_coordinator_sets_the_word_and_every_list_follows(ward, login_as):
    coordinator = login_as(ward["coordinator"])
    form = coordinator.get("/lists/settings").get_data(as_text=True)
    assert re.search(r'value="khu_vuc"[^>]*checked', form) or re.search(r'checked[^>]*value="khu_vuc"', form)
    response = coordinator.post("/lists/settings", data={"area_word": "to_dan_pho"})
    assert response.status_code == 303
    assert db.session.get(Ward, WARD_A).area_word == "to_dan_pho"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "unit.settings")).one()
    assert (entry.actor_id, entry.ward_code, entry.detail) == (
        ward["coordinator"].id, WARD_A, {"area_word": "to_dan_pho", "before": "khu_vuc"})
    assert "Thêm tổ dân phố" in _text(coordinator.get("/lists/areas"))
    assert re.search(r"<th>\s*<a [^>]*>Tổ dân phố</a>", coordinator.get("/ward").get_data(as_text=True))


def test_a_word_not_in_the_list_is_refused_in_vietnamese(ward, login_as):
    coordinator = login_as(ward["coordinator"])
    for bad in ({"area_word": "xóm"}, {}):
        response = coordinator.post("/lists/settings", data=bad)
        assert response.status_code == 422
        page = _text(response)
        assert "Lựa chọn không hợp lệ." in page or "Hãy chọn một từ trong danh sách." in page
    assert db.session.get(Ward, WARD_A).area_word == "khu_vuc"
    assert not db.session.scalars(select(AuditLog).where(AuditLog.action == "unit.settings")).all()


def test_the_setting_is_the_coordinators_own_unit_only(ward, commune, login_as):
    coordinator = login_as(ward["coordinator"])
    # No way to name another unit: a code in the query or the form changes the coordinator's own unit only.
    coordinator.post(f"/lists/settings?code={THOI_LAI}", data={"area_word": "thon", "code": THOI_LAI})
    assert db.session.get(Ward, THOI_LAI).area_word == "ap"
    assert db.session.get(Ward, WARD_A).area_word == "thon"
    for who in ("volunteer",):
        assert login_as(commune[who]).post("/lists/settings", data={"area_word": "thon"}).status_code == 403
    assert db.session.get(Ward, THOI_LAI).area_word == "ap"


def test_the_setting_page_speaks_english_too(ward, login_as):
    coordinator = login_as(ward["coordinator"])
    coordinator.set_cookie("lang", "en")
    ward["coordinator"].locale = "en"
    db.session.commit()
    page = _text(coordinator.get("/lists/settings"))
    assert "hamlet (ấp)" in page and "residential group (tổ dân phố)" in page
    assert "New residential area" in _text(coordinator.get("/lists/areas"))


# --- Vietnamese alphabetical order -----------------------------------------------------------------------

ISSUE_NAMES = ["Ô Môn", "Đại Thành", "Em", "Dân", "Ong", "An", "Ơn", "Ăn", "Ấp 10", "Ấp 2", "Uy", "Ưng", "Zô"]
VIETNAMESE_ORDER = ["An", "Ăn", "Ấp 2", "Ấp 10", "Dân", "Đại Thành", "Em", "Ong", "Ô Môn", "Ơn", "Uy", "Ưng", "Zô"]


def test_names_sort_in_vietnamese_alphabetical_order_in_python():
    assert sorted_by_name(ISSUE_NAMES) == VIETNAMESE_ORDER
    assert sorted(ISSUE_NAMES) != VIETNAMESE_ORDER  # code-point order puts Đ, Ô, Ơ, Ư after Z


def test_the_database_sorts_names_as_python_does(ctx, make_area):
    for name in ISSUE_NAMES:
        make_area(WARD_A, name=name)
    listed = db.session.scalars(select(Area.name).where(Area.ward_code == WARD_A).order_by(by_name(Area.name)))
    assert list(listed) == VIETNAMESE_ORDER


def test_lists_show_areas_teams_and_people_in_vietnamese_order(ctx, make_area, make_team, make_user, login_as):
    areas = [make_area(WARD_A, name=f"Khu vực {name}") for name in ISSUE_NAMES]
    make_team(WARD_A, areas=areas[:1], name="Tổ Ô Môn")
    make_team(WARD_A, areas=areas[1:2], name="Tổ Đại Thành")
    make_team(WARD_A, areas=areas[2:3], name="Tổ Dân")
    for name in ("Ông Văn Ba", "Đặng Thị Hoa", "Dương Văn An", "Ân Văn Tư"):
        make_user(Role.VOLUNTEER, WARD_A, display_name=name)
    coordinator = login_as(make_user(Role.COORDINATOR, WARD_A, display_name="Nguyễn Văn Đầu Mối"))

    def order(page: str, names: list[str]) -> list[str]:
        return sorted(names, key=page.index)

    page = _text(coordinator.get("/lists/areas"))
    expected = [f"Khu vực {name}" for name in VIETNAMESE_ORDER]
    assert order(page, expected) == expected
    page = _text(coordinator.get("/lists/teams"))
    assert order(page, ["Tổ Dân", "Tổ Đại Thành", "Tổ Ô Môn"]) == ["Tổ Dân", "Tổ Đại Thành", "Tổ Ô Môn"]
    page = _text(coordinator.get("/admin/users"))
    people = ["Ân Văn Tư", "Dương Văn An", "Đặng Thị Hoa", "Ông Văn Ba"]
    assert order(page, people) == people


def test_units_are_listed_by_place_name_in_vietnamese_order(world, login_as):
    page = _text(login_as(world["admin"]).get("/admin/wards"))
    names = ["Phường An Bình", "Xã An Lạc Thôn", "Phường Bình Thủy", "Xã Cù Lao Dung", "Xã Đại Hải",
             "Phường Đại Thành", "Xã Gia Hòa", "Xã Nhơn Ái", "Phường Ô Môn", "Xã Phong Điền", "Xã Xà Phiên"]
    assert sorted(names, key=page.index) == names


def test_demo_data_has_a_commune_with_hamlets_and_a_ward(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--wards", "2", "--areas", "2", "--households", "5"])
    assert result.exit_code == 0, result.output
    assert "seeded Xã Thới Lai" in result.output and "seeded Phường Ninh Kiều" in result.output
    names = dict(db.session.execute(select(Area.name, Area.ward_code)).all())
    assert sorted(n for n, code in names.items() if code == THOI_LAI) == ["Ấp Phú Lợi", "Ấp Thới Hòa"]
    assert sorted(n for n, code in names.items() if code == WARD_A) == ["Khu vực 1", "Khu vực 2"]
    coordinator = db.session.scalars(select(User).where(User.username == "dieuphoi")).one()
    assert unit_name(coordinator.ward) == "Xã Thới Lai"
