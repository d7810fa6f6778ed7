"""Finding one of the province's units by typing part of its name, diacritics and case ignored: the province
board's and the administrator's lists (a GET search), and the unit fields of the account and campaign forms."""

import re

from sqlalchemy import select

from app.collation import sort_key
from app.extensions import db
from app.models import Campaign, Role, User
from app.services.ranking import RULES
from app.services.text import holds_words
from tests.conftest import WARD_A, count

THOI_LAI = 31258  # Xã Thới Lai (Cần Thơ, province 92)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(body: str, start: str) -> list[str]:
    """The units listed after `start` (the province board's table or the administrator's list)."""
    part = body[body.index(start):]
    return re.findall(r'data-search="([^"]+)"', part)


def test_holds_words_ignores_diacritics_case_and_order():
    assert holds_words("Xã Thới Lai", "thoi lai") and holds_words("Xã Thới Lai", "LAI  Thới")
    assert holds_words("Phường Đông Hải", "dong") and not holds_words("Xã Thới Lai", "thoi lan")


def test_the_province_board_finds_thoi_lai_from_thoi_lai(world, login_as):
    client = login_as(world["admin"])
    every = _listed(_text(client.get("/province")), 'id="ward-rows"')
    assert len(every) > 100 and "Xã Thới Lai" in every
    body = _text(client.get("/province?q=thoi+lai&start=2026-11-01&end=2026-11-20"))
    assert _listed(body, 'id="ward-rows"') == ["Xã Thới Lai"]
    assert 'value="thoi lai"' in body and f"code={THOI_LAI}" in body
    assert "Các ngày đã chọn (01/11–20/11/2026, đến hôm nay)" in body  # the period is kept
    # The live filter is a static script (CSP: no inline code) over the same rows.
    assert 'src="/static/js/unit-search.js"' in body and 'data-filter="#ward-rows"' in body and "<script>" not in body
    nothing = _text(client.get("/province?q=khong+co+dau"))
    assert _listed(nothing, 'id="ward-rows"') == [] and "Không có xã, phường nào khớp." in nothing


def test_the_administrators_unit_list_is_searchable_in_vietnamese_order(world, login_as):
    client = login_as(world["admin"])
    names = _listed(_text(client.get("/admin/wards")), 'id="unit-list"')
    places = [re.sub(r"^(Xã|Phường|Đặc khu) ", "", name) for name in names]
    assert len(names) > 100 and places == sorted(places, key=sort_key)  # "Ô Môn" after "Ninh Kiều", not by code
    assert _listed(_text(client.get("/admin/wards?q=THOI+LAI")), 'id="unit-list"') == ["Xã Thới Lai"]


def _new_account(**changes) -> dict:
    return {"display_name": "Trần Thị Mới", "username": "tranthimoi", "role": "coordinator",
            "password": "mat-khau-dai-1", "confirm": "mat-khau-dai-1", "team_id": "0", **changes}


def test_the_administrator_types_the_unit_of_a_new_account(world, login_as):
    client = login_as(world["admin"])
    page = _text(client.get("/admin/users/new"))
    assert 'list="ward_code-names"' in page and '<option value="Xã Thới Lai">' in page and "<select id=\"ward_code\"" not in page
    response = client.post("/admin/users/new", data=_new_account(ward_code="thoi lai"))
    assert response.status_code == 302
    assert db.session.scalar(select(User.ward_code).where(User.username == "tranthimoi")) == THOI_LAI
    # A code, as earlier pages sent it, still names the unit.
    assert client.post("/admin/users/new", data=_new_account(username="nguoima", ward_code=str(WARD_A))).status_code == 302
    assert db.session.scalar(select(User.ward_code).where(User.username == "nguoima")) == WARD_A


def test_a_unit_that_is_not_one_or_is_several_is_refused_in_vietnamese(world, login_as):
    client = login_as(world["admin"])
    before = count(User)
    missing = client.post("/admin/users/new", data=_new_account(ward_code="Phường Không Có"))
    assert missing.status_code == 422
    assert "Không có đơn vị nào tên “Phường Không Có”" in _text(missing)
    assert 'value="Phường Không Có"' in _text(missing)  # what was typed stays, to be corrected
    several = client.post("/admin/users/new", data=_new_account(ward_code="phuong"))
    assert several.status_code == 422 and re.search(r"Có \d+ đơn vị khớp với “phuong”", _text(several))
    assert count(User) == before


def test_a_province_campaign_for_one_unit_typed_by_name(world, make_user, login_as):
    client = login_as(make_user(Role.YOUTH_LEADER, ward_code=None))
    page = _text(client.get("/campaigns/new"))
    assert '<option value="Toàn tỉnh">' in page and '<option value="Xã Thới Lai">' in page
    response = client.post("/campaigns/new", data={
        "name": "Tháng cao điểm", "start_date": "01/11/2026", "end_date": "30/11/2026", "scope": "Xa thoi lai",
        **{f"weight_{rule.key}": "1" for rule in RULES}})
    assert response.status_code == 303
    assert db.session.scalar(select(Campaign.ward_code)) == THOI_LAI
