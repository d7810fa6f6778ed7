"""Sensitive priority tags (outside review, item 11): disability, poor, near-poor and policy family are kept
only with the household's recorded consent, on every path, leave with an erasure and never appear in a named
export; a visit's "declined" outcome reads "chưa có nhu cầu" and is never a list of households by name."""

import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.api.views import sync_token
from app.clock import utcnow
from app.extensions import db
from app.models import SENSITIVE_TAGS, Household, Outcome

REFUSED = "Người khuyết tật, hộ nghèo, hộ cận nghèo và gia đình chính sách chỉ được lưu khi hộ đồng ý."


@pytest.fixture
def homes(world, make_household):
    area = world["team_a"].areas[0]
    return {**world, "area": area,
            "kept": make_household(area, address="Số 3 Hẻm 8", display_name="Phạm Thị Lan", priority_tags="poor",
                                   tags_consent_at=utcnow())}


def _form(area, **overrides):
    data = {"area_id": str(area.id), "address": "Số 99 Đường Trần Hưng Đạo", "display_name": "Lê Văn Tư",
            "people": "3", "eligible_people": "2", "client_id": str(uuid.uuid4()), "priority_tags": ["disability"]}
    data.update(overrides)
    return data


def _stored(address="Số 99 Đường Trần Hưng Đạo"):
    return db.session.scalar(select(Household).where(Household.address == address))


def test_only_these_four_tags_are_sensitive():
    assert {"disability", "poor", "near_poor", "policy"} == SENSITIVE_TAGS


@pytest.mark.parametrize("tag", sorted(SENSITIVE_TAGS))
def test_a_volunteer_cannot_keep_a_sensitive_tag_without_consent(homes, login_as, tag):
    client = login_as(homes["volunteer_a"])
    response = client.post("/households/new", data=_form(homes["area"], priority_tags=[tag, "elderly_alone"]))
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    assert _stored() is None

    assert client.post("/households/new", data=_form(homes["area"], priority_tags=[tag],
                                                      tags_consent="y")).status_code == 303
    assert _stored().tags == [tag] and _stored().tags_consent_at is not None


def test_elderly_living_alone_needs_no_consent_and_records_none(homes, login_as):
    client = login_as(homes["volunteer_a"])
    response = client.post("/households/new", data=_form(homes["area"], priority_tags=["elderly_alone"],
                                                          tags_consent="y"))
    assert response.status_code == 303
    assert _stored().tags == ["elderly_alone"] and _stored().tags_consent_at is None


def test_the_coordinator_keeps_the_consent_time_or_cannot_withdraw_it_and_keep_the_tag(homes, login_as):
    home = homes["kept"]
    consented = home.tags_consent_at
    client = login_as(homes["coordinator_a"])
    page = client.get(f"/lists/households/{home.id}").get_data(as_text=True)
    assert '<input checked id="tags_consent"' in page
    fields = {"area_id": str(home.area_id), "address": home.address, "people": "4", "eligible_people": "3"}
    response = client.post(f"/lists/households/{home.id}", data={**fields, "priority_tags": ["poor"]})
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    db.session.refresh(home)
    assert home.tags == ["poor"] and home.tags_consent_at == consented

    client.post(f"/lists/households/{home.id}", data={**fields, "priority_tags": ["poor", "policy"],
                                                      "tags_consent": "y"})
    db.session.refresh(home)
    assert home.tags == ["policy", "poor"] and home.tags_consent_at == consented
    # Without a sensitive tag there is nothing to consent to: no consent time is kept.
    client.post(f"/lists/households/{home.id}", data={**fields, "tags_consent": "y"})
    db.session.refresh(home)
    assert home.tags == [] and home.tags_consent_at is None


def test_the_sync_api_refuses_a_sensitive_tag_without_consent(homes, login_as):
    client = login_as(homes["volunteer_a"])
    client.environ_base["HTTP_X_SYNC_TOKEN"] = sync_token(homes["volunteer_a"])
    payload = _form(homes["area"], priority_tags=["near_poor"])
    response = client.post("/api/households", json=payload)
    assert response.status_code == 422
    assert response.get_json() == {"error": REFUSED, "field": "tags_consent"}
    assert _stored() is None

    assert client.post("/api/households", json={**payload, "tags_consent": True}).status_code == 201
    assert _stored().tags == ["near_poor"] and _stored().tags_consent_at is not None


def test_an_imported_row_needs_the_consent_column(homes, login_as):
    client = login_as(homes["coordinator_a"])
    area = homes["area"].name
    header = "Khu vực,Địa chỉ,Số người,Số người từ 14 tuổi,Nhóm ưu tiên,Đồng ý lưu nhóm ưu tiên"
    lines = [header, f"{area},Số 1 Hẻm 2,3,2,Hộ nghèo,", f"{area},Số 2 Hẻm 2,3,2,Gia đình chính sách,có",
             f"{area},Số 3 Hẻm 2,3,2,Người cao tuổi sống một mình,", f"{area},Số 4 Hẻm 2,3,2,Hộ cận nghèo,chắc vậy"]
    response = client.post("/lists/import", data={"file": (io.BytesIO("\n".join(lines).encode()), "ho.csv")},
                           content_type="multipart/form-data")
    token = response.location.rsplit("/", 1)[-1]
    preview = client.get(f"/lists/import/{token}").get_data(as_text=True)
    assert "2 hộ hợp lệ." in preview and "2 dòng bị từ chối." in preview
    assert REFUSED in preview and "Hãy ghi “có” hoặc để trống ô đồng ý." in preview
    assert "Đồng ý lưu nhóm ưu tiên" in preview
    client.post(f"/lists/import/{token}")
    assert _stored("Số 1 Hẻm 2") is None and _stored("Số 4 Hẻm 2") is None
    assert _stored("Số 2 Hẻm 2").tags_consent_at is not None and _stored("Số 3 Hẻm 2").tags_consent_at is None
    template = client.get("/lists/import/template.csv").data.decode("utf-8-sig").splitlines()
    assert template[0].endswith(",Nhóm ưu tiên,Đồng ý lưu nhóm ưu tiên") and template[1].endswith(",có")


def test_erasing_a_household_clears_its_tags_and_consent(homes, login_as):
    home = homes["kept"]
    client = login_as(homes["coordinator_a"])
    assert client.post(f"/lists/households/{home.id}/erase", data={"confirm": "y"}).status_code == 303
    db.session.refresh(home)
    assert (home.priority_tags, home.tags_consent_at, home.erased_at is not None) == ("", None, True)


def test_named_exports_and_the_phone_data_hold_no_tags(homes, login_as, make_visit):
    home = homes["kept"]
    make_visit(home, homes["volunteer_a"], followup_needed=True, followup_reason="Cài VNeID cho con",
               followup_due=(utcnow() + timedelta(days=3)).date())
    client = login_as(homes["coordinator_a"])
    report = client.get("/ward/report.csv?view=followups").get_data(as_text=True)
    assert "Phạm Thị Lan" in report  # the follow-up list names the household...
    book = load_workbook(io.BytesIO(client.get("/ward/report.xlsx").data))
    cells = " ".join(str(c) for sheet in book.worksheets for line in sheet.iter_rows(values_only=True) for c in line)
    assert "Phạm Thị Lan" in cells
    for text in (report, cells):  # ...and never its priority group
        assert "nghèo" not in text.lower() and "poor" not in text
    phone = login_as(homes["volunteer_a"]).get("/api/offline-data").get_json()
    assert all("priority_tags" not in h and "tags_consent_at" not in h for h in phone["households"])


def test_declined_reads_no_need_for_now_and_is_never_a_named_list(homes, login_as, make_visit, make_household):
    volunteer = homes["volunteer_a"]
    form = login_as(volunteer).get(f"/visits/new?household={homes['kept'].id}").get_data(as_text=True)
    assert "Chưa có nhu cầu" in form and "Từ chối" not in form
    quiet = make_household(homes["area"], address="Số 8 Hẻm 8", display_name="Võ Văn Kiệt")
    make_visit(quiet, volunteer, outcome=Outcome.DECLINED)
    make_visit(homes["kept"], volunteer, outcome=Outcome.MET)
    client = login_as(homes["coordinator_a"])
    page = client.get("/ward/visits").get_data(as_text=True)
    assert "Chưa có nhu cầu" in page and "Phạm Thị Lan" in page and "Võ Văn Kiệt" not in page
    assert 'value="declined"' not in page
    filtered = client.get("/ward/visits", query_string={"outcome": "declined"})
    assert filtered.status_code == 422 and "Võ Văn Kiệt" not in filtered.get_data(as_text=True)
