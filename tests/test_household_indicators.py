"""The household indicators of Nghị định 69/2024 and the programme, numerator and denominator, on the ward board,
the province board and the periodic report alike: level 2 among people aged 14+ with children 6-13 beside it, a
visit that reports more than the list allows, cashless households, people helped with online services, and
areas with at least one active team."""

import io
import uuid
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import AreaCount, AuditLog, Household, Indicator, Role, Visit, Ward
from app.services.reports import coverage
from app.services.reports.figures import Ratio
from app.services.reports.targets import TargetSource
from tests.conftest import WARD_A, count
from tests.test_periodic_report import PERIOD_ARGS, TEXT


def _visit(client, household, **fields):
    """Log a visit through the volunteer's form, as a phone does."""
    data = {"client_id": str(uuid.uuid4()), "household_id": str(household.id),
            "visited_at": (utcnow() + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M"), "outcome": "met",
            "vneid_installed": "0", "level2_activated": "0", "level2_children": "0", "online_people": "0"}
    data.update({name: str(value) if not isinstance(value, list) else value for name, value in fields.items()})
    response = client.post("/visits/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    return response


def _ward_total(actor):
    period = coverage.Period(utcnow().date() - timedelta(days=5), utcnow().date())
    return coverage.ward_report(actor, db.session.get(Ward, WARD_A), period).total


def _province_row(actor):
    period = coverage.Period(utcnow().date() - timedelta(days=5), utcnow().date())
    rows, total = coverage.province_rows(actor, period)
    return next(r for r in rows if r.ward_code == WARD_A), total


def _beside(figure) -> dict[str, tuple[int, int | None]]:
    return {b.key: (b.to_date, b.in_period) for b in figure.beside}


def _card(body: str, key: str) -> str:
    start = body.rindex("<section", 0, body.index(f'id="indicator-{key}"'))
    return body[start:body.index("</section>", start)]


@pytest.fixture
def area(world, rollup_verified):
    return world["team_a"].areas[0]


def test_level2_counts_people_aged_14_and_over_and_children_beside(world, area, make_household, login_as):
    """2 people aged 14+ both with level 2 and 1 child aged 6-13 with level 2: the figure is 2 / 2, the child
    is counted beside it, never in the ratio."""
    household = make_household(area, people=4, eligible_people=2, children=1)
    _visit(login_as(world["volunteer_a"]), household, level2_activated=2, level2_children=1, vneid_installed=3)

    db.session.refresh(household)
    assert (household.people_level2, household.children_level2) == (2, 1)
    counts = db.session.get(AreaCount, area.id)
    assert (counts.eligible_people, counts.people_level2, counts.children, counts.children_level2) == (2, 2, 1, 1)
    for row in (_ward_total(world["coordinator_a"]), *_province_row(world["admin"])):
        figure = row.figures[Indicator.LEVEL2]
        assert figure.to_date == Ratio(2, 2) and figure.in_period == Ratio(2, 2)
        assert _beside(figure)["children_level2"] == (1, 1)

    body = login_as(world["coordinator_a"]).get("/ward").get_data(as_text=True)
    card = _card(body, "level2")
    assert "2 / 2 (100,00%)" in card
    assert "Trẻ em 6–13 tuổi có định danh mức 2" in card and "<strong>1 · trong kỳ 1</strong>" in card


def test_a_visit_with_more_activations_than_the_list_is_stored_and_counted(world, area, make_household,
                                                                           login_as):
    household = make_household(area, people=2, eligible_people=2)
    _visit(login_as(world["volunteer_a"]), household, level2_activated=3, level2_children=1)

    assert count(Visit) == 1
    db.session.refresh(household)
    assert (household.people, household.eligible_people, household.children) == (4, 3, 1)
    assert (household.people_level2, household.children_level2) == (3, 1)
    raised = db.session.scalar(select(AuditLog).where(AuditLog.action == "household.raise"))
    assert raised.actor_id == world["volunteer_a"].id and raised.detail["reason"] == "visit"
    figure = _ward_total(world["coordinator_a"]).figures[Indicator.LEVEL2]
    assert figure.to_date == Ratio(3, 3) and _beside(figure)["children_level2"] == (1, 1)


def test_impossible_counts_are_refused_in_vietnamese_and_nothing_is_stored(world, area, make_household, login_as):
    household = make_household(area, people=2, eligible_people=2)
    client = login_as(world["volunteer_a"])
    for field, value in (("level2_children", "-2"), ("level2_activated", "500")):
        response = client.post("/visits/new", data={
            "client_id": str(uuid.uuid4()), "household_id": str(household.id), "outcome": "met",
            "visited_at": (utcnow() + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M"), "vneid_installed": "0",
            "level2_activated": "0", "online_people": "0", field: value})
        assert response.status_code == 422
        assert "Hãy nhập số người từ 0 đến 30." in response.get_data(as_text=True)
    assert count(Visit) == 0
    db.session.refresh(household)
    assert (household.people, household.eligible_people) == (2, 2)


def test_cashless_households_out_of_households(world, area, make_household, login_as):
    helped, absent, _untouched = (make_household(area) for _ in range(3))
    client = login_as(world["volunteer_a"])
    _visit(client, helped, cashless_setup="y")
    _visit(client, helped, cashless_setup="y")  # set up again: still one household
    _visit(client, absent, outcome="nobody_home", cashless_setup="y")  # nobody met: nothing set up

    for row in (_ward_total(world["coordinator_a"]), *_province_row(world["admin"])):
        figure = row.figures[Indicator.CASHLESS]
        assert figure.to_date == Ratio(1, 3)
        assert figure.in_period == Ratio(2, 3)  # set-ups in the period, over the households
    coordinator = login_as(world["coordinator_a"])
    body = coordinator.get("/ward").get_data(as_text=True)
    assert "1 / 3 (33,33%)" in _card(body, "cashless")
    assert "Thanh toán không dùng tiền mặt" in _card(body, "cashless")
    # It carries a target of its own, like every indicator.
    assert '<option value="cashless">Thanh toán không dùng tiền mặt</option>' in coordinator.get(
        "/ward/targets").get_data(as_text=True)
    today = utcnow().date()
    set_target = coordinator.post("/ward/targets", data={"indicator": "cashless", "value": "45",
                                                         "period_start": today.replace(day=1).isoformat(),
                                                         "period_end": today.isoformat()})
    assert set_target.status_code == 303
    figure = _ward_total(world["coordinator_a"]).figures[Indicator.CASHLESS]
    assert (figure.target, figure.target_source) == (45, TargetSource.UNIT)


def test_people_helped_with_online_services_are_counted_as_persons(world, area, make_household, login_as):
    family, single, _other = make_household(area, people=5, eligible_people=4), make_household(area), \
        make_household(area)
    client = login_as(world["volunteer_a"])
    _visit(client, family, services=["residence", "passport"], online_people=3)
    _visit(client, single, services=["fees_taxes"], online_people=1)

    for row in (_ward_total(world["coordinator_a"]), *_province_row(world["admin"])):
        figure = row.figures[Indicator.ONLINE]
        assert figure.to_date == Ratio(2, 3)  # households, as before
        assert _beside(figure)["people_online"] == (4, 4)  # and the people helped: to date, in the period
    card = _card(login_as(world["coordinator_a"]).get("/ward").get_data(as_text=True), "online")
    assert "Số người được hỗ trợ dịch vụ công trực tuyến" in card and "<strong>4 · trong kỳ 4</strong>" in card


def test_areas_with_an_active_team_out_of_all_areas(world, area, make_area, make_team, make_user, login_as):
    """Ward A: team A's area (2 active members) and four more. Only a team that is active and has an active
    member makes its areas count."""
    one, inactive_only, memberless_only, _none = (make_area(WARD_A) for _ in range(4))
    make_user(Role.VOLUNTEER, team=make_team(WARD_A, areas=[one]))
    retired_team = make_team(WARD_A, areas=[inactive_only])
    make_user(Role.VOLUNTEER, team=retired_team)
    retired_team.active = False
    make_user(Role.VOLUNTEER, team=make_team(WARD_A, areas=[memberless_only]), active=False)
    db.session.commit()

    unit = _ward_total(world["coordinator_a"])
    province_unit, province = _province_row(world["admin"])
    for row in (unit, province_unit):
        figure = row.figures[Indicator.AREAS_COVERED]
        assert figure.to_date == Ratio(2, 5) and figure.in_period is None
        assert _beside(figure) == {"teams": (2, None), "members": (3, None)}
    # The whole province adds ward B (its one area, its team with one volunteer) to ward A.
    total = province.figures[Indicator.AREAS_COVERED]
    assert total.to_date == Ratio(3, 6) and _beside(total) == {"teams": (3, None), "members": (4, None)}

    ward_body = login_as(world["coordinator_a"]).get("/ward").get_data(as_text=True)
    card = _card(ward_body, "areas_covered")
    assert "2 / 5 (40,00%)" in card and "Tổ đang hoạt động" in card and "Tổ viên" in card
    province_body = login_as(world["admin"]).get("/province").get_data(as_text=True)
    row = province_body[province_body.index("Phường Ninh Kiều</a>"):]
    row = row[:row.index("</tr>")]
    assert "<small>2 / 5</small>" in row and "Tổ đang hoạt động: 2" in row


def test_the_report_docx_shows_the_new_figures_as_the_board_does(world, area, make_household, make_area,
                                                                  make_team, make_user, login_as):
    household = make_household(area, people=4, eligible_people=2, children=1)
    client = login_as(world["volunteer_a"])
    _visit(client, household, level2_activated=2, level2_children=1, cashless_setup="y", services=["passport"],
           online_people=2)
    make_area(WARD_A)  # an area with no team

    coordinator = login_as(world["coordinator_a"])
    # December's report by Decree 09: 15/11/2026 – 14/12/2026, today (20/11/2026) inside.
    created = coordinator.post(f"/reports/new?{PERIOD_ARGS}", data=TEXT)
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    document = Document(io.BytesIO(coordinator.get(created.location + "/docx").data))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Chỉ số")
    cells = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}

    assert cells["Tỷ lệ bao phủ định danh điện tử mức 2"][2:4] == ["2 / 2", "100,00%"]
    assert cells["Trẻ em 6–13 tuổi có định danh mức 2"][:3] == ["1", "", "1"]
    assert cells["Thanh toán không dùng tiền mặt"][2:4] == ["1 / 1", "100,00%"]
    assert cells["Số người được hỗ trợ dịch vụ công trực tuyến"][:3] == ["2", "", "2"]
    assert cells["Địa bàn có tổ hoạt động"][2:4] == ["1 / 2", "50,00%"]
    assert cells["Tổ đang hoạt động"][2] == "1" and cells["Tổ viên"][2] == "2"
    # The board counts the same for the report's period.
    board = coordinator.get("/ward?start=2026-11-15&end=2026-12-14").get_data(as_text=True)
    assert "1 / 2 (50,00%)" in _card(board, "areas_covered") and "2 / 2 (100,00%)" in _card(board, "level2")


def test_the_household_form_and_import_carry_children(world, area, login_as):
    client = login_as(world["volunteer_a"])
    page = client.get("/households/new").get_data(as_text=True)
    assert "Trẻ em 6–13 tuổi" in page and "Số người từ 14 tuổi trở lên" in page
    refused = client.post("/households/new", data={
        "area_id": str(area.id), "address": "Số 5 Đường Mậu Thân", "people": "3", "eligible_people": "2",
        "children": "2", "client_id": str(uuid.uuid4())})
    assert refused.status_code == 422
    assert "cộng số trẻ em 6–13 tuổi không thể nhiều hơn số người trong hộ" in refused.get_data(as_text=True)
    added = client.post("/households/new", data={
        "area_id": str(area.id), "address": "Số 5 Đường Mậu Thân", "people": "4", "eligible_people": "2",
        "children": "2", "client_id": str(uuid.uuid4())})
    assert added.status_code == 303
    household = db.session.scalar(select(Household).where(Household.address == "Số 5 Đường Mậu Thân"))
    assert (household.people, household.eligible_people, household.children) == (4, 2, 2)
    assert db.session.get(AreaCount, area.id).children == 2
    listing = login_as(world["coordinator_a"]).get("/lists/households").get_data(as_text=True)
    assert "trẻ em 6–13 tuổi: 0/2" in listing
