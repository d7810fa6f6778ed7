"""The JSON sync API the offline queue uses: same rules as the forms, exactly once, safe across sites."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.views import sync_token
from app.clock import utcnow
from app.extensions import db
from app.models import AuditLog, Household, Visit
from app.services import rollups, visits
from app.services.lists import households
from tests.conftest import count


@pytest.fixture
def phone(world, login_as, make_household, rollup_verified):
    """A volunteer's phone: logged in, with the sync token its pages hand to the queue."""
    volunteer = world["volunteer_a"]
    client = login_as(volunteer)
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(volunteer)
    area = world["team_a"].areas[0]
    return {"client": client, "area": area, "household": make_household(area, address="Số 5 Hẻm 51"), **world}


def _visit(household=None, **overrides):
    local = utcnow() + timedelta(hours=7)
    payload = {"client_id": str(uuid.uuid4()), "visited_at": local.strftime("%Y-%m-%dT%H:%M"), "outcome": "met",
               "vneid_installed": "1", "level2_activated": "1", "online_people": "0", "services": ["passport"],
               "cashless_setup": "y"}
    if household is not None:
        payload["household_id"] = str(household.id)
    payload.update(overrides)
    return payload


def test_a_visit_sent_twice_is_stored_once(phone):
    payload = _visit(phone["household"])
    first = phone["client"].post("/api/visits", json=payload)
    replay = phone["client"].post("/api/visits", json=payload)
    assert first.status_code == 201 and replay.status_code == 200
    assert first.json["id"] == replay.json["id"] and replay.json["created"] is False
    assert count(Visit) == 1


def test_same_id_other_content_is_refused_with_a_vietnamese_message(phone):
    payload = _visit(phone["household"])
    phone["client"].post("/api/visits", json=payload)
    response = phone["client"].post("/api/visits", json={**payload, "level2_activated": "0"})
    assert response.status_code == 422
    assert response.json["error"] == "Lượt hỗ trợ này đã được lưu với nội dung khác."


def test_a_household_made_offline_and_its_visit_sync_in_order(phone):
    household_id = str(uuid.uuid4())
    created = phone["client"].post("/api/households", json={
        "client_id": household_id, "area_id": str(phone["area"].id), "address": "Số 9 Hẻm Mới",
        "people": "3", "eligible_people": "2"})
    assert created.status_code == 201
    again = phone["client"].post("/api/households", json={
        "client_id": household_id, "area_id": str(phone["area"].id), "address": "Số 9 Hẻm Mới",
        "people": "3", "eligible_people": "2"})
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    visit = phone["client"].post("/api/visits", json=_visit(household_client_id=household_id))
    assert visit.status_code == 201
    stored = db.session.get(Visit, visit.json["id"])
    assert stored.household.client_id == household_id and count(Household) == 2


def test_a_queued_visit_reporting_more_than_the_list_is_stored_and_raises_it(phone):
    """The phone no longer stops a visit at the household's list: the server stores it and raises the list."""
    household = phone["household"]  # 4 people, 3 aged 14+, no child
    response = phone["client"].post("/api/visits", json=_visit(household, level2_activated="4",
                                                               level2_children="1", vneid_installed="5"))
    assert response.status_code == 201
    db.session.refresh(household)
    assert (household.people, household.eligible_people, household.children) == (5, 4, 1)
    assert (household.people_level2, household.children_level2) == (4, 1)
    data = phone["client"].get("/api/offline-data").json
    assert (data["households"][0]["children"], data["households"][0]["children_level2"]) == (1, 1)


def test_a_visit_to_a_household_not_yet_sent_waits_with_a_clear_message(phone):
    response = phone["client"].post("/api/visits", json=_visit(household_client_id=str(uuid.uuid4())))
    assert response.status_code == 404
    assert "chưa được gửi lên máy chủ" in response.json["error"]


def test_bad_input_gets_field_messages_and_stores_nothing(phone):
    response = phone["client"].post("/api/visits", json=_visit(phone["household"], level2_activated="x" * 10000,
                                                                  note="CCCD 079123456789"))
    assert response.status_code == 422
    assert "Cần nhập một số nguyên." in response.json["errors"]["level2_activated"]
    assert count(Visit) == 0
    not_json = phone["client"].post("/api/visits", data="<xml/>", content_type="application/xml")
    assert not_json.status_code == 400 and count(Visit) == 0


def test_an_old_queued_visit_still_goes_through(phone, app):
    """The sync token has no time limit: a visit queued two days ago (past the CSRF lifetime) is accepted."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        payload = _visit(phone["household"], visited_at=(utcnow() + timedelta(hours=7) - timedelta(days=2))
                         .strftime("%Y-%m-%dT%H:%M"))
        assert phone["client"].post("/api/visits", json=payload).status_code == 201
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_anonymous_sync_gets_401_not_a_login_page(client):
    response = client.post("/api/visits", json={})
    assert response.status_code == 401
    assert "Phiên đăng nhập đã hết hạn" in response.json["error"]
    assert client.get("/api/offline-data").status_code == 401


def test_forged_cross_site_post_fails(phone):
    client = phone["client"]
    no_token = client.post("/api/visits", json=_visit(phone["household"]), headers={"X-Sync-Token": ""})
    other_site = client.post("/api/visits", json=_visit(phone["household"]), headers={"Origin": "https://evil.example"})
    assert no_token.status_code == 403 and other_site.status_code == 403
    assert count(Visit) == 0
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "denied.sync_token"))


def test_the_sync_token_dies_with_logout(phone, app):
    old_token = phone["client"].environ_base["HTTP_X_SYNC_TOKEN"]
    phone["client"].post("/logout")
    again = app.test_client()
    again.post("/login", data={"username": phone["volunteer_a"].username, "password": "correct-horse-42"})
    response = again.post("/api/visits", json=_visit(phone["household"]), headers={"X-Sync-Token": old_token})
    assert response.status_code == 403 and count(Visit) == 0


def test_another_teams_household_is_not_found(phone, make_household):
    other = make_household(phone["team_b"].areas[0])
    response = phone["client"].post("/api/visits", json=_visit(other))
    assert response.status_code == 404 and count(Visit) == 0


def test_offline_data_holds_only_the_teams_households(phone, make_household):
    make_household(phone["team_b"].areas[0], address="Số 1 Tổ Khác")
    data = phone["client"].get("/api/offline-data").json
    assert [h["address"] for h in data["households"]] == ["Số 5 Hẻm 51"]
    assert data["households"][0]["search_key"] == "so 5 hem 51"
    assert [a["id"] for a in data["areas"]] == [phone["area"].id]


def test_coordinators_do_not_sync(world, login_as):
    client = login_as(world["coordinator_a"])
    assert client.get("/api/offline-data").status_code == 403


def test_manifest_and_service_worker_are_served_for_the_whole_app(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.json
    assert data["short_name"] == "Phủ Số" and data["start_url"] == "/" and data["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    assert worker.get_data(as_text=True).startswith('const VERSION = "')
    assert 'rel="manifest"' in client.get("/login").get_data(as_text=True)


def test_offline_page_is_vietnamese(client):
    assert "Không có kết nối" in client.get("/offline").get_data(as_text=True)


def test_visit_form_for_a_household_still_on_the_phone_is_the_shell(phone):
    page = phone["client"].get(f"/visits/new?household_client={uuid.uuid4()}")
    assert page.status_code == 200 and "data-shell" in page.get_data(as_text=True)


def test_a_visit_to_a_merged_household_names_the_household_that_stayed(phone, make_household):
    duplicate = phone["household"]
    middle = make_household(phone["area"], address="Số 5 Hẻm 51 (ghi lại)", display_name="Hộ Ông Tư")
    survivor = make_household(phone["area"], address="Số 5/1 Hẻm 51", display_name="Hộ Ông Tư Mới")
    coordinator = phone["coordinator_a"]
    households.merge(coordinator, middle, duplicate)
    households.merge(coordinator, survivor, middle)  # merged twice: the visit goes to the last one
    db.session.commit()

    payload = _visit(duplicate)
    response = phone["client"].post("/api/visits", json=payload)
    assert response.status_code == 409 and count(Visit) == 0
    assert response.json["merged_into"] == {"id": survivor.id, "label": "Hộ Ông Tư Mới · Số 5/1 Hẻm 51"}
    assert response.json["error"] == "Hộ này đã được gộp vào Hộ Ông Tư Mới."
    moved = phone["client"].post("/api/visits", json={**payload, "household_id": str(survivor.id)})
    assert moved.status_code == 201
    assert db.session.get(Visit, moved.json["id"]).household_id == survivor.id


def test_a_visit_stored_before_its_household_was_merged_is_still_a_replay(phone, make_household):
    payload = _visit(phone["household"])
    first = phone["client"].post("/api/visits", json=payload)
    survivor = make_household(phone["area"], address="Số 5/1 Hẻm 51")
    households.merge(phone["coordinator_a"], survivor, phone["household"])
    db.session.commit()
    replay = phone["client"].post("/api/visits", json=payload)  # the answer to the first send was lost
    assert replay.status_code == 200 and replay.json["id"] == first.json["id"] and count(Visit) == 1


def test_an_item_queued_by_another_account_on_the_phone_is_refused(phone):
    payload = _visit(phone["household"])
    other = phone["client"].post("/api/visits", json=payload, headers={"X-Queue-Owner": str(phone["leader_a"].id)})
    assert other.status_code == 403 and count(Visit) == 0
    assert "tài khoản khác" in other.json["error"]
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "denied.queue_owner"))
    own = phone["client"].post("/api/visits", json=payload, headers={"X-Queue-Owner": str(phone["volunteer_a"].id)})
    assert own.status_code == 201 and count(Visit) == 1


# --- No oracle: another ward's or team's client id is simply unknown ------------------------------------------

@pytest.fixture
def strangers(phone, make_team, make_user, make_household, make_visit):
    """A visit and a household added offline by another ward's team, and by another team of the same ward."""
    neighbours = make_team(phone["team_a"].ward_code)  # its own area, not one of team A's
    found = {}
    for name, team, member in (("other ward", phone["team_b"], phone["volunteer_b"]),
                               ("other team", neighbours, make_user(team=neighbours))):
        household = make_household(team.areas[0], client_id=str(uuid.uuid4()), created_by_id=member.id)
        visit = make_visit(household, member)
        found[name] = {"household": household.client_id, "visit": visit.client_id}
    rollups.rebuild()  # the factory writes visits directly; bring the counters in step
    db.session.commit()
    return found


def _their_rows(own_area) -> list:
    """Every stored visit and household outside the phone's area, as they stand."""
    db.session.rollback()
    return [tuple(row) for model in (Visit, Household) for row in db.session.execute(
        select(model.__table__).where(model.area_id != own_area.id).order_by(model.id))]


def _shape(response) -> tuple:
    """Status and body, with the ids that are the request's own (the new row, the client id sent) left out."""
    body = dict(response.json)
    body.pop("id", None)
    body.pop("client_id", None)
    return response.status_code, body


def test_another_wards_or_teams_client_ids_answer_as_unknown_ones(phone, strangers):
    before = _their_rows(phone["area"])
    cases = {"unknown": {"household": str(uuid.uuid4()), "visit": str(uuid.uuid4())}, **strangers}
    answers = {}
    for case, ids in cases.items():
        # A visit naming a household by a client id this phone has not sent: the household has not reached us.
        waiting = phone["client"].post("/api/visits", json=_visit(household_client_id=ids["household"]))
        visit = phone["client"].post("/api/visits", json=_visit(phone["household"], client_id=ids["visit"]))
        household = phone["client"].post("/api/households", json={
            "client_id": ids["household"], "area_id": str(phone["area"].id), "address": f"Số 7 Hẻm {case}",
            "people": "2", "eligible_people": "1"})
        answers[case] = (_shape(visit), _shape(household), _shape(waiting))
        assert visit.json.get("client_id") == ids["visit"] and household.json.get("client_id") == ids["household"]
    assert answers["other ward"] == answers["unknown"] and answers["other team"] == answers["unknown"]
    assert answers["unknown"][0] == (201, {"created": True}) and answers["unknown"][1] == (201, {"created": True})
    assert answers["unknown"][2] == (404, {"error": "Hộ của lượt hỗ trợ này chưa được gửi lên máy chủ.",
                                           "field": "household_id"})
    assert _their_rows(phone["area"]) == before


def test_two_workers_racing_on_one_client_id_store_one_visit(phone, monkeypatch):
    """The loser of a race finds nothing when it looks, then its insert fails: it answers as a replay (same
    content) or a conflict (other content), and the household's state is as the winner left it."""
    payload = _visit(phone["household"])
    first = phone["client"].post("/api/visits", json=payload)
    looked = []
    real = visits._by_client_id

    def too_early(actor, client_id):  # the first look runs before the winner's insert is committed
        looked.append(client_id)
        return None if len(looked) % 2 else real(actor, client_id)

    monkeypatch.setattr(visits, "_by_client_id", too_early)
    replay = phone["client"].post("/api/visits", json=payload)
    assert replay.status_code == 200 and replay.json == {**first.json, "created": False}
    conflict = phone["client"].post("/api/visits", json={**payload, "outcome": "declined"})
    assert conflict.status_code == 422 and conflict.json["error"] == "Lượt hỗ trợ này đã được lưu với nội dung khác."
    assert len(looked) == 4 and count(Visit) == 1


@pytest.mark.parametrize(("body", "status"), [
    ("[" * 50_000, 400),  # nested deeper than Python's stack: was a 500
    ("{" + ",".join(f'"k{n}": 0' for n in range(500_000)) + "}", 413),  # 6 MB of keys: parsed in full before
])
def test_hostile_json_bodies_are_refused_before_they_cost_anything(phone, body, status):
    response = phone["client"].post("/api/visits", data=body, content_type="application/json")
    assert response.status_code == status and response.get_json()["error"]
    assert count(Visit) == 0
