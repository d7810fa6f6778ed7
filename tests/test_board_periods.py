"""The boards' period: this reporting month by default (Decree 09, as the periodic report), presets, the period
in words, and days typed as dd/mm/yyyy whatever the phone's language."""

import csv
import io
import re
from datetime import date, datetime

import pytest

from app.extensions import db
from app.forms import parse_day
from app.models import Outcome
from app.services import rollups
from tests.conftest import WARD_A, WARD_B

# Friday 20/11/2026, 10:00 in Vietnam: reporting month 12/2026 runs 15/11–14/12/2026 (Decree 09).
pytestmark = pytest.mark.frozen_at(datetime(2026, 11, 20, 3, 0))


@pytest.fixture
def ward(world, make_household, make_visit, rollup_verified):
    """Ward A's households: two first met in reporting month 11/2026 (05/11, 10/11), one in month 12 (16/11)."""
    area = world["team_a"].areas[0]
    for day in (5, 10, 16):
        make_visit(make_household(area), world["volunteer_a"], visited_at=datetime(2026, 11, day, 2),
                   outcome=Outcome.MET)
    rollups.rebuild()
    db.session.commit()
    return world


FIRST_REACHED = "<span>Hộ được tiếp cận lần đầu trong kỳ</span> <strong>{}</strong>"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _presets(body: str) -> dict[str, tuple[str, bool]]:
    """Each preset's words → (its link, whether it is marked as the one shown)."""
    nav = body[body.index('class="period-presets"'):]
    nav = nav[:nav.index("</nav>")]
    return {words: (href.replace("&amp;", "&"), bool(current))
            for href, current, words in re.findall(r'<a class="chip" href="([^"]*)"( aria-current="true")?>([^<]*)</a>', nav)}


def _reach(body: str) -> str:
    start = body.rindex("<section", 0, body.index('id="indicator-reach"'))
    return body[start:body.index("</section>", start)]


def test_the_default_is_this_reporting_month_up_to_today(ward, login_as):
    body = _text(login_as(ward["coordinator_a"]).get("/ward"))
    assert "Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)" in body
    assert 'value="15/11/2026"' in body and 'value="20/11/2026"' in body and 'inputmode="numeric"' in body
    presets = _presets(body)
    assert list(presets) == ["Tháng này", "Tháng trước", "Quý này"]  # no campaign is running
    assert presets["Tháng này"][1] and not presets["Tháng trước"][1]
    # Only the household first met on 16/11 counts in this reporting month.
    assert FIRST_REACHED.format("1 / 3 (33,33%)") in _reach(body)


def test_each_preset_gives_its_days(ward, login_as, make_campaign):
    make_campaign(WARD_A, name="Tháng cao điểm")  # 01/11–30/11/2026, running
    make_campaign(WARD_B, name="Của phường khác")
    client = login_as(ward["coordinator_a"])
    presets = _presets(_text(client.get("/ward")))
    assert list(presets) == ["Tháng này", "Tháng trước", "Quý này", "Đợt thi đua"]
    expected = {
        "Tháng trước": ("start=2026-10-15&end=2026-11-14", "Tháng 11/2026 (15/10–14/11/2026)"),
        "Quý này": ("start=2026-09-15&end=2026-11-20", "Quý 4/2026 (15/09–20/11/2026, đến hôm nay)"),
        "Đợt thi đua": ("start=2026-11-01&end=2026-11-20",
                        "Đợt thi đua “Tháng cao điểm” (01/11–20/11/2026, đến hôm nay)"),
    }
    for words, (days, label) in expected.items():
        link = presets[words][0]
        assert days in link
        body = _text(client.get(link))
        assert label in body and _presets(body)[words][1], words
    # Last month: the households first met on 05/11 and 10/11.
    last = _text(client.get(presets["Tháng trước"][0]))
    assert 'value="15/10/2026"' in last and 'value="14/11/2026"' in last
    assert FIRST_REACHED.format("2 / 3 (66,67%)") in _reach(last)
    # "This month" links without days, so a shared link follows the month.
    assert "start=" not in presets["Tháng này"][0]


def test_the_province_board_and_the_export_take_the_same_default(ward, login_as, make_campaign):
    make_campaign(WARD_A, name="Của một phường")  # not the province's: no campaign preset on its board
    body = _text(login_as(ward["admin"]).get("/province"))
    assert "Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)" in body
    assert list(_presets(body)) == ["Tháng này", "Tháng trước", "Quý này"]
    response = login_as(ward["coordinator_a"]).get("/ward/report.csv")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "15/11/2026" in lines[2][1] and "20/11/2026" in lines[2][1]


@pytest.mark.parametrize("how", ["accept-language", "account"])
def test_days_show_as_day_month_year_on_an_english_phone(ward, login_as, how):
    if how == "account":
        ward["coordinator_a"].locale = "en"
        db.session.commit()
    client = login_as(ward["coordinator_a"])
    response = client.get("/ward?start=2026-10-15&end=2026-11-14", headers={"Accept-Language": "en-US,en;q=0.9"})
    body = _text(response)
    assert response.status_code == 200
    assert 'value="15/10/2026"' in body and 'value="14/11/2026"' in body and 'placeholder="dd/mm/yyyy"' in body
    assert 'type="date"' not in body
    assert ("Month 11/2026 (15/10–14/11/2026)" if how == "account" else "Tháng 11/2026 (15/10–14/11/2026)") in body


@pytest.mark.parametrize("typed", ["12/31/2026", "31/02/2026", "hôm qua", "2026-13-01"])
def test_a_bad_date_is_answered_in_vietnamese(ward, login_as, typed):
    response = login_as(ward["coordinator_a"]).get("/ward", query_string={"start": typed})
    body = _text(response)
    assert response.status_code == 422
    assert "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/12/2026." in body
    assert f'value="{typed}"' in body  # what was typed stays, to be corrected
    assert "Tháng 12/2026 (15/11–20/11/2026, đến hôm nay)" in body  # the board still shows its default


def test_days_typed_as_people_write_them_and_links_already_shared(ward, login_as):
    client = login_as(ward["coordinator_a"])
    typed = _text(client.get("/ward", query_string={"start": "5/11/2026", "end": "16/11/2026"}))
    shared = _text(client.get("/ward?start=2026-11-05&end=2026-11-16"))
    assert "Các ngày đã chọn (05/11–16/11/2026)" in typed and "Các ngày đã chọn (05/11–16/11/2026)" in shared
    assert FIRST_REACHED.format("3 / 3 (100,00%)") in _reach(typed) and _reach(typed) == _reach(shared)
    assert 'value="05/11/2026"' in typed
    sort_link = re.search(r'href="(/ward\?[^"]*sort=level2[^"]*)"', shared)
    assert sort_link and "start=2026-11-05" in sort_link.group(1).replace("&amp;", "&")


def test_parse_day():
    assert parse_day("14/12/2026") == parse_day("14.12.2026") == parse_day("2026-12-14") == date(2026, 12, 14)
    assert parse_day(" 4/1/2026 ") == date(2026, 1, 4)
    assert parse_day("12/31/2026") is None and parse_day("14/12/26") is None and parse_day("") is None


def test_other_date_fields_take_and_show_day_month_year(ward, login_as):
    client = login_as(ward["coordinator_a"])
    page = _text(client.get("/ward/targets"))
    # Proposed: the whole reporting month.
    assert 'type="date"' not in page and 'value="15/11/2026"' in page and 'value="14/12/2026"' in page
    bad = client.post("/ward/targets", data={"indicator": "reach", "period_start": "1/11/2026",
                                             "period_end": "30-30-2026", "value": "50", "csrf_token": _token(page)})
    assert bad.status_code == 422 and "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/12/2026." in _text(bad)
    assert 'value="01/11/2026"' in _text(bad)


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)
