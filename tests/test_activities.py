"""Activities beyond household visits: recorded once (page and sync API), in scope, counted apart from visits."""

import io
import re
import uuid
from datetime import date, timedelta

import pytest
from docx import Document
from sqlalchemy import select

from app.api.views import sync_token
from app.clock import utcnow
from app.extensions import db
from app.models import Activity, ActivityService, AuditLog, Indicator, PeriodicReport, Role, Ward
from app.services import ranking
from app.services.ranking.campaigns import ACTIVITY_RULES
from app.services.reports import coverage
from tests.conftest import WARD_A, WARD_B, count

# FROZEN_AT (2026-11-20) is a Friday in Vietnam.
TODAY = "20/11/2026"


@pytest.fixture
def phone(volunteer_phone):
    return volunteer_phone


def activity_payload(area=None, **overrides) -> dict:
    payload = {"client_id": str(uuid.uuid4()), "kind": "help_desk", "held_on": TODAY, "area_id": "",
               "place": "Bộ phận một cửa UBND phường", "people_online": "12", "service_residence": "7",
               "service_passport": "3", "level2_activated": "4", "people_trained": "0"}
    if area is not None:
        payload.update(area_id=str(area.id), place="")
    payload.update(overrides)
    return payload


def test_the_form_records_an_activity_with_its_figures_and_audits_it(phone):
    client = phone["client"]
    page = client.get("/activities/new")
    assert page.status_code == 200 and "Ghi hoạt động" in page.get_data(as_text=True)
    mate = phone["leader_a"]
    data = activity_payload(phone["team_a"].areas[0], kind="area_sweep", member_ids=[str(mate.id)],
                            people_trained="20")
    response = client.post("/activities/new", data=data)
    assert response.status_code == 303
    activity = db.session.scalar(select(Activity))
    assert (activity.kind, activity.people_online, activity.level2_activated, activity.people_trained) == (
        "area_sweep", 12, 4, 20)
    assert activity.area_id == phone["team_a"].areas[0].id and activity.place is None
    assert [u.id for u in activity.members] == [mate.id]
    assert {(s.service, s.people) for s in activity.services} == {("residence", 7), ("passport", 3)}
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_type == "activity")) == "activity.create"
    listing = client.get("/activities").get_data(as_text=True)
    assert "Ra quân tại khu dân cư" in listing


def test_the_same_client_id_twice_stores_one_activity(phone):
    payload = activity_payload()
    first = phone["client"].post("/api/activities", json=payload)
    replay = phone["client"].post("/api/activities", json=payload)
    assert first.status_code == 201 and replay.status_code == 200
    assert first.json["id"] == replay.json["id"] and replay.json["created"] is False
    page_replay = phone["client"].post("/activities/new", data=payload)
    assert page_replay.status_code == 303
    assert count(Activity) == 1 and count(ActivityService) == 2


def test_same_client_id_with_other_content_is_refused_in_vietnamese(phone):
    payload = activity_payload()
    phone["client"].post("/api/activities", json=payload)
    response = phone["client"].post("/api/activities", json={**payload, "people_online": "13"})
    assert response.status_code == 422
    assert response.json["error"] == "Hoạt động này đã được lưu với nội dung khác."
    assert count(Activity) == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"held_on": "21/11/2026"}, "Ngày của hoạt động là ngày trong tương lai."),
    ({"place": "", "area_id": ""}, "Chọn khu vực, hoặc ghi nơi diễn ra hoạt động."),
    ({"people_online": "501"}, "Hãy nhập số người từ 0 đến 500."),
    ({"note": "CCCD 012345678901"}, "CCCD"),
])
def test_bad_input_is_refused_with_422_and_stores_nothing(phone, change, message):
    response = phone["client"].post("/activities/new", data=activity_payload(**change))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Activity) == 0 and count(ActivityService) == 0


def test_another_units_team_gets_404_and_the_coordinator_sees_the_units_activities(phone, login_as):
    phone["client"].post("/api/activities", json=activity_payload())
    activity = db.session.scalar(select(Activity))
    other = login_as(phone["volunteer_b"])
    assert other.get(f"/activities/{activity.id}").status_code == 404
    assert other.post(f"/activities/{activity.id}/delete").status_code == 404
    assert "Bộ phận một cửa" not in other.get("/activities").get_data(as_text=True)
    assert login_as(phone["coordinator_b"]).get(f"/activities/{activity.id}").status_code == 404
    coordinator = login_as(phone["coordinator_a"])
    assert "Bộ phận một cửa" in coordinator.get("/activities").get_data(as_text=True)
    assert coordinator.get(f"/activities/{activity.id}").status_code == 200
    assert coordinator.get("/activities/new").status_code == 403
    assert login_as(phone["youth_a"]).get("/activities").status_code == 403
    assert count(Activity) == 1


def test_a_client_id_of_another_unit_is_not_an_oracle(phone, login_as):
    payload = activity_payload()
    phone["client"].post("/api/activities", json=payload)
    other = login_as(phone["volunteer_b"])
    other.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(phone["volunteer_b"])
    response = other.post("/api/activities", json={**payload, "people_online": "1"})
    assert response.status_code == 201  # stored as its own: unknown to that volunteer
    assert count(Activity) == 2


def test_the_recorder_deletes_within_a_day_and_it_is_audited(phone, frozen_clock):
    phone["client"].post("/api/activities", json=activity_payload())
    activity_id = db.session.scalar(select(Activity.id))
    assert phone["client"].post(f"/activities/{activity_id}/delete").status_code == 303
    assert count(Activity) == 0 and count(ActivityService) == 0
    assert "activity.delete" in set(db.session.scalars(select(AuditLog.action)))


def test_a_volunteer_without_a_team_may_not_record(make_user, login_as):
    lost = make_user(Role.VOLUNTEER, team=None)
    assert login_as(lost).get("/activities/new").status_code == 403


# --- Counted on the board, in the report and in campaigns, never twice with the visits -----------------------

def _row_numbers(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.fixture
def worked(phone, make_household, rollup_verified):
    """Ward A: one visit (2 people helped online, 1 activation) and two activities of team A (a help desk: 12
    helped online, 4 activations; a class: 20 trained); ward B: an activity of its own."""
    household = make_household(phone["team_a"].areas[0], people=4, eligible_people=3)
    local = utcnow() + timedelta(hours=7)
    visit = phone["client"].post("/api/visits", json={
        "client_id": str(uuid.uuid4()), "household_id": str(household.id), "visited_at": local.strftime("%Y-%m-%dT%H:%M"),
        "outcome": "met", "vneid_installed": "1", "level2_activated": "1", "online_people": "2",
        "services": ["passport"]})
    assert visit.status_code == 201
    assert phone["client"].post("/api/activities", json=activity_payload()).status_code == 201
    assert phone["client"].post("/api/activities", json=activity_payload(
        phone["team_a"].areas[0], kind="class", people_online="0", service_residence="0", service_passport="0",
        level2_activated="0", people_trained="20")).status_code == 201
    other = phone["volunteer_b"]
    db.session.add(Activity(client_id=str(uuid.uuid4()), content_hash="x", ward_code=WARD_B,
                            team_id=other.team_id, recorded_by_id=other.id, kind="help_desk",
                            held_on=date(2026, 11, 20), place="Một cửa", people_online=50))
    db.session.commit()
    return {**phone, "household": household}


def test_activities_count_on_the_unit_board_as_their_own_rows_and_in_totals_once(worked, login_as):
    html = login_as(worked["coordinator_a"]).get("/ward").get_data(as_text=True)
    assert "Hoạt động ngoài lượt hỗ trợ" in html
    # Visits, activities, total: each help once.
    assert _row_numbers(html, "activity-online") == ["2", "12", "14"]
    assert _row_numbers(html, "activity-level2") == ["1", "4", "5"]
    assert _row_numbers(html, "activity-trained") == ["–", "20", "20"]
    assert re.search(r'data-figure="activities">2<', html)
    ward = db.session.get(Ward, WARD_A)
    report = coverage.ward_report(worked["coordinator_a"], ward, coverage.Period(date(2026, 11, 15),
                                                                                 date(2026, 12, 14)))
    total = report.total
    # The household figures are the visit's alone: an activity's people are no household's.
    assert total.figures[Indicator.ONLINE].to_date.part == 1
    assert total.figures[Indicator.LEVEL2].to_date.part == 1
    assert (total.sums.activity_people_online, total.sums.online_people) == (12, 2)
    team_a = next(row for row in report.teams if row.ident == worked["team_a"].id)
    assert (team_a.sums.help_desks, team_a.sums.classes, team_a.sums.activity_trained) == (1, 1, 20)
    assert all(row.sums.help_desks == 0 for row in report.areas)


def test_the_province_board_adds_every_units_activities(worked, login_as):
    html = login_as(worked["province"]).get("/province").get_data(as_text=True)
    assert _row_numbers(html, "activity-online") == ["2", "62", "64"]


def test_the_periodic_report_has_an_activities_section(worked, login_as):
    client = login_as(worked["coordinator_a"])
    created = client.post("/reports/new?kind=month&cutoff=decree09&year=2026&number=12", data={
        "doc_number": "15/BC-UBND", "place": "Ninh Kiều", "doc_date": "2026-12-14", "results": "Kết quả.",
        "shortcomings": "", "next_tasks": "", "recipients": "Lưu: VT", "signer_title": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn An"})
    assert created.status_code == 303, created.get_data(as_text=True)[:1000]
    report = db.session.scalar(select(PeriodicReport))
    document = Document(io.BytesIO(client.get(f"/reports/{report.id}/docx").data))
    headings = [p.text for p in document.paragraphs]
    assert "2. Hoạt động ngoài lượt hỗ trợ" in headings and "3. Kết quả đạt được" in headings
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Hoạt động ngoài lượt hỗ trợ")
    cells = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    assert cells["Hoạt động ngoài lượt hỗ trợ"] == "2"
    assert cells["Số người được hỗ trợ dịch vụ công trực tuyến tại các hoạt động"] == "12"
    assert cells["Số người được hỗ trợ dịch vụ công trực tuyến: lượt hỗ trợ và hoạt động"] == "14"
    printed = client.get(f"/reports/{report.id}/print").get_data(as_text=True)
    assert "2. Hoạt động ngoài lượt hỗ trợ" in printed
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="activities"' in page and 'id="figure-people_online_total"' in page


def test_a_campaign_scores_activities_with_their_own_weights_explained_on_the_team_page(worked, make_campaign,
                                                                                       login_as):
    campaign = make_campaign(WARD_A)
    board = ranking.leaderboard(campaign)
    team_a = next(s for s in board.standings if s.team_id == worked["team_a"].id)
    assert {key: team_a.counts[key] for key in ACTIVITY_RULES} == {
        "activities": 2, "activity_online": 12, "activity_level2": 4, "activity_trained": 20}
    # The visit's own rules count its household once; the activities add their points beside it:
    # 2 activities x 2 + 12 people online x 1 + 4 activations x 2 + 20 trained x 1 = 44.
    visit_counts = {key: value for key, value in team_a.counts.items() if key not in ACTIVITY_RULES}
    assert visit_counts["level2"] == 1 and visit_counts["tutored"] == 1
    assert team_a.score == ranking.points(campaign, visit_counts) + 44
    assert {s.team_id for s in board.standings} == {worked["team_a"].id}  # ward B's activity is not in it
    page = login_as(worked["volunteer_a"]).get(f"/campaigns/{campaign.id}/teams/{worked['team_a'].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Hoạt động đã tổ chức" in html and "không tính như hộ được đến hỗ trợ" in html


def test_the_province_roll_up_has_the_units_activities(worked, login_as):
    response = login_as(worked["province"]).get(
        "/reports/province/rollup.docx?kind=month&cutoff=decree09&year=2026&number=12")
    table = Document(io.BytesIO(response.data)).tables[-1]
    heads = [c.text for c in table.rows[0].cells]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    held = heads.index("Hoạt động ngoài lượt hỗ trợ (trong kỳ)")
    online = heads.index("Số người được hỗ trợ dịch vụ công trực tuyến tại các hoạt động (trong kỳ)")
    assert (rows["Phường Ninh Kiều"][held], rows["Phường Ninh Kiều"][online]) == ("2", "12")
    assert (rows["Toàn tỉnh, thành phố"][held], rows["Toàn tỉnh, thành phố"][online]) == ("3", "62")
