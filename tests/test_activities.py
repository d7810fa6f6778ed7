"""Activities beyond household visits: recorded once (page and sync API), in scope, counted apart from visits."""

import uuid

import pytest
from sqlalchemy import select

from app.api.views import sync_token
from app.extensions import db
from app.models import Activity, ActivityService, AuditLog, Role
from tests.conftest import count

# FROZEN_AT (2026-11-20) is a Friday in Vietnam.
TODAY = "20/11/2026"


@pytest.fixture
def phone(world, login_as):
    """A volunteer's phone: logged in, with the sync token its pages hand to the queue."""
    volunteer = world["volunteer_a"]
    client = login_as(volunteer)
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(volunteer)
    return {"client": client, **world}


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
