"""Photos of an activity: at most four of at most 300 KB, stored once with their activity (page, sync API, offline
queue), without EXIF or GPS, shown only within the activity's scope, in the report's photo annex."""

import base64
import hashlib
import io
import struct

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, ActivityPhoto, AuditLog, PeriodicReport
from app.services.activity_photos import PhotoError, stripped_jpeg
from tests.conftest import count
from tests.test_activities import activity_payload

# A 16 × 12 JPEG as Chromium's canvas writes it (JFIF, an ICC profile in APP2, baseline).
SMALL_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAA"
    "AChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZ"
    "WiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAA"
    "E9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAYEBQYF"
    "BAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgo"
    "KCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAMABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA"
    "AAUG/8QAJBAAAAQFAwUAAAAAAAAAAAAAAQQREgACAxMVBQYxBxQhUpH/xAAUAQEAAAAAAAAAAAAAAAAAAAAF/8QAHhEAAQIHAQAAAAAAAAAAAAAA"
    "FAATBBEhI1KBsYL/2gAMAwEAAhEDEQA/AIXTXaZHdGRyFUzT7a2yxNKCucqrKPqEOpW0yO18dj6pmp3Nx9+aUUa1ESUPYYyZDUj2nvx50yVuI+xV"
    "mkcnCoPnkfsD+pHtQZkDpk1bVl+rNO1eUUfHAfIEDjDyHbWPmXaoUmGEZbuZbnyi/9k=")
TOO_MANY = "Một hoạt động có tối đa 4 ảnh."
TOO_LARGE = "Ảnh lớn hơn 300 KB. Hãy chụp lại bằng nút trên biểu mẫu, nút này tự thu nhỏ ảnh."
NOT_A_PHOTO = "Tệp này không phải ảnh JPEG. Hãy chụp lại bằng nút trên biểu mẫu."


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def with_gps_exif(jpeg: bytes) -> bytes:
    """The JPEG with an APP1 EXIF block right after its start that holds a GPS position (10°02'N 105°46'E, Cần Thơ)
    and a camera make, as a volunteer_phone's camera writes them."""
    def entry(tag, kind, number, value: bytes) -> bytes:
        return struct.pack(">HHI", tag, kind, number) + value.ljust(4, b"\0")
    # TIFF header (big-endian), IFD0 at 8: Make, GPS IFD pointer; GPS IFD after it; the rationals last.
    ifd0_at, ifd0_entries = 8, 2
    gps_at = ifd0_at + 2 + ifd0_entries * 12 + 4
    make_at = gps_at + 2 + 4 * 12 + 4
    rationals_at = make_at + 8
    latitude = struct.pack(">6I", 10, 1, 2, 1, 0, 1)
    longitude = struct.pack(">6I", 105, 1, 46, 1, 0, 1)
    tiff = b"MM\0*" + struct.pack(">I", ifd0_at)
    tiff += struct.pack(">H", ifd0_entries) + entry(0x010F, 2, 8, struct.pack(">I", make_at)) + entry(
        0x8825, 4, 1, struct.pack(">I", gps_at)) + b"\0\0\0\0"
    tiff += struct.pack(">H", 4) + entry(1, 2, 2, b"N\0") + entry(2, 5, 3, struct.pack(">I", rationals_at)) + entry(
        3, 2, 2, b"E\0") + entry(4, 5, 3, struct.pack(">I", rationals_at + 24)) + b"\0\0\0\0"
    tiff += b"PhoneCo\0" + latitude + longitude
    return jpeg[:2] + _segment(0xE1, b"Exif\0\0" + tiff) + jpeg[2:]


def padded(jpeg: bytes, size: int) -> bytes:
    """A JPEG of at least `size` bytes: comment segments after its start."""
    filler = b""
    while len(jpeg) + len(filler) < size:
        filler += _segment(0xFE, b"x" * 60000)
    return jpeg[:2] + filler + jpeg[2:]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def stored_photos() -> list[ActivityPhoto]:
    return list(db.session.scalars(select(ActivityPhoto).order_by(ActivityPhoto.activity_id, ActivityPhoto.position)))


def test_the_form_opens_the_camera_and_warns_against_id_cards_and_codes(volunteer_phone):
    page = volunteer_phone["client"].get("/activities/new")
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/*" capture="environment" multiple' in html
    assert "Không bao giờ chụp thẻ căn cước (CCCD) hay màn hình có mã xác thực, mã OTP." in html
    assert "js/photos.js" in html


def test_four_photos_go_with_a_queued_activity_once(volunteer_phone):
    payload = activity_payload(photos=[b64(SMALL_JPEG)] * 4)
    first = volunteer_phone["client"].post("/api/activities", json=payload)
    replay = volunteer_phone["client"].post("/api/activities", json=payload)
    assert (first.status_code, replay.status_code) == (201, 200)
    photos = stored_photos()
    assert [p.position for p in photos] == [1, 2, 3, 4] and count(Activity) == 1
    assert all(p.content_type == "image/jpeg" and p.size == len(p.content) for p in photos)
    assert photos[0].sha256 == hashlib.sha256(photos[0].content).hexdigest()
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("activity.photo%"))).all()
    assert actions == ["activity.photo_add"] * 4


def test_the_same_activity_with_other_photos_is_refused(volunteer_phone):
    payload = activity_payload(photos=[b64(SMALL_JPEG)])
    volunteer_phone["client"].post("/api/activities", json=payload)
    other = volunteer_phone["client"].post("/api/activities", json={**payload, "photos": [b64(padded(SMALL_JPEG, 2000))]})
    assert other.status_code == 422 and count(ActivityPhoto) == 1


def test_a_fifth_photo_is_refused_and_nothing_is_stored(volunteer_phone):
    response = volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 5))
    assert response.status_code == 422 and response.json["error"] == TOO_MANY
    assert count(Activity) == 0 and count(ActivityPhoto) == 0


def test_a_fifth_photo_added_later_is_refused(volunteer_phone):
    volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 4))
    activity = db.session.scalar(select(Activity))
    response = volunteer_phone["client"].post(f"/activities/{activity.id}/photos", data={"photos": b64(SMALL_JPEG)})
    assert response.status_code == 422 and TOO_MANY in response.get_data(as_text=True)
    assert count(ActivityPhoto) == 4


def test_a_photo_added_later_takes_a_free_place(volunteer_phone):
    volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 2))
    activity = db.session.scalar(select(Activity))
    client = volunteer_phone["client"]
    assert client.post(f"/activities/{activity.id}/photos/1/delete").status_code == 303
    response = client.post(f"/activities/{activity.id}/photos", data={"photos": b64(SMALL_JPEG)})
    assert response.status_code == 303
    assert [p.position for p in stored_photos()] == [1, 2]


@pytest.mark.parametrize(("photo", "message"), [
    (padded(SMALL_JPEG, 300 * 1024 + 1), TOO_LARGE),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, NOT_A_PHOTO),
    (SMALL_JPEG[:400], NOT_A_PHOTO),  # cut off before its image data
    (b"GIF89a", NOT_A_PHOTO),
])
def test_a_large_photo_or_a_non_image_is_refused_in_vietnamese(volunteer_phone, photo, message):
    good = b64(SMALL_JPEG)
    response = volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[good, b64(photo)]))
    assert response.status_code == 422 and response.json["error"] == message
    assert count(Activity) == 0 and count(ActivityPhoto) == 0  # nothing by half: not the good photo either


def test_text_that_is_not_base64_is_refused(volunteer_phone):
    response = volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=["not base64!"]))
    assert response.status_code == 422 and response.json["errors"]["photos"] == [NOT_A_PHOTO]
    assert count(Activity) == 0


def test_exif_and_gps_are_stripped_whatever_the_phone_sent(volunteer_phone):
    sent = with_gps_exif(SMALL_JPEG)
    assert b"Exif" in sent and b"PhoneCo" in sent
    assert volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(sent)])).status_code == 201
    (photo,) = stored_photos()
    assert b"Exif" not in photo.content and b"PhoneCo" not in photo.content
    assert struct.pack(">6I", 10, 1, 2, 1, 0, 1) not in photo.content
    assert photo.content.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF") and photo.content.endswith(b"\xff\xd9")
    # The image itself is untouched: the same tables and scan as the photo without metadata.
    assert photo.content[photo.content.index(b"\xff\xdb"):] == SMALL_JPEG[SMALL_JPEG.index(b"\xff\xdb"):]
    assert photo.size == len(photo.content) < len(sent)


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(SMALL_JPEG) - 1), value=st.integers(0, 255), tail=st.binary(max_size=40))
def test_a_damaged_jpeg_is_refused_or_stored_without_metadata(position, value, tail):
    """Whatever bytes arrive, the check refuses them cleanly or keeps a JPEG with no APP1 segment."""
    sent = with_gps_exif(SMALL_JPEG)
    damaged = sent[:position] + bytes([value]) + sent[position + 1:] + tail
    try:
        kept = stripped_jpeg(damaged)
    except PhotoError:
        return
    assert kept.startswith(b"\xff\xd8") and kept.endswith(b"\xff\xd9") and b"Exif" not in kept


def test_the_page_form_stores_shrunk_photos_and_files_sent_without_the_script(volunteer_phone):
    client = volunteer_phone["client"]
    data = activity_payload(photos=[b64(SMALL_JPEG)])
    data["photo_files"] = (io.BytesIO(with_gps_exif(SMALL_JPEG)), "IMG_0001.jpg", "image/jpeg")
    response = client.post("/activities/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    photos = stored_photos()
    assert len(photos) == 2 and all(b"Exif" not in p.content for p in photos)


def test_a_refused_form_keeps_its_photos(volunteer_phone):
    data = activity_payload(photos=[b64(SMALL_JPEG)], kind="")
    response = volunteer_phone["client"].post("/activities/new", data=data)
    assert response.status_code == 422
    assert f'name="photos" value="{b64(SMALL_JPEG)}"' in response.get_data(as_text=True)


def test_photos_are_shown_only_within_the_activitys_scope(volunteer_phone, login_as):
    volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)]))
    activity = db.session.scalar(select(Activity))
    url = f"/activities/{activity.id}/photos/1"
    page = volunteer_phone["client"].get(f"/activities/{activity.id}").get_data(as_text=True)
    assert f'src="{url}"' in page
    own = volunteer_phone["client"].get(url)
    assert own.status_code == 200 and own.mimetype == "image/jpeg" and own.data.startswith(b"\xff\xd8")
    assert "private" in own.headers["Cache-Control"]
    assert login_as(volunteer_phone["coordinator_a"]).get(url).status_code == 200
    assert login_as(volunteer_phone["volunteer_b"]).get(url).status_code == 404
    assert login_as(volunteer_phone["coordinator_b"]).get(url).status_code == 404
    assert login_as(volunteer_phone["volunteer_b"]).post(f"{url}/delete").status_code == 404
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "denied.scope")) == "denied.scope"
    assert volunteer_phone["client"].get(f"/activities/{activity.id}/photos/2").status_code == 404


def test_a_team_mate_removes_a_photo_and_it_is_audited(volunteer_phone, login_as):
    volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 2))
    activity = db.session.scalar(select(Activity))
    mate = login_as(volunteer_phone["leader_a"])
    assert mate.post(f"/activities/{activity.id}/photos/2/delete").status_code == 303
    assert [p.position for p in stored_photos()] == [1]
    deleted = db.session.scalar(select(AuditLog).where(AuditLog.action == "activity.photo_delete"))
    assert deleted.actor_id == volunteer_phone["leader_a"].id and deleted.detail["position"] == 2
    # The coordinator sees the photos but does not change a team's evidence.
    assert login_as(volunteer_phone["coordinator_a"]).post(f"/activities/{activity.id}/photos/1/delete").status_code == 403


def test_deleting_the_activity_deletes_its_photos(volunteer_phone):
    volunteer_phone["client"].post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 3))
    activity = db.session.scalar(select(Activity))
    assert volunteer_phone["client"].post(f"/activities/{activity.id}/delete").status_code == 303
    db.session.expire_all()
    assert count(Activity) == 0 and count(ActivityPhoto) == 0


def test_the_reports_docx_has_the_photo_annex(volunteer_phone, login_as):
    client = volunteer_phone["client"]
    client.post("/api/activities", json=activity_payload(photos=[b64(SMALL_JPEG)] * 3))
    client.post("/api/activities", json=activity_payload(kind="class", photos=[b64(SMALL_JPEG)]))
    client.post("/api/activities", json=activity_payload(kind="other"))  # no photos: not in the annex
    coordinator = login_as(volunteer_phone["coordinator_a"])
    created = coordinator.post("/reports/new?kind=month&cutoff=decree09&year=2026&number=12", data={
        "doc_number": "15/BC-UBND", "place": "Ninh Kiều", "doc_date": "2026-12-14", "results": "Kết quả.",
        "shortcomings": "", "next_tasks": "", "recipients": "Lưu: VT", "signer_title": "CHỦ TỊCH",
        "signer_name": "Nguyễn Văn An"})
    assert created.status_code == 303
    report = db.session.scalar(select(PeriodicReport))
    document = Document(io.BytesIO(coordinator.get(f"/reports/{report.id}/docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "PHỤ LỤC: HÌNH ẢNH HOẠT ĐỘNG" in texts
    assert len(document.inline_shapes) == 4
    captions = [t for t in texts if t.startswith("Hình ")]
    assert captions[0].startswith("Hình 1: Bàn hỗ trợ tại bộ phận một cửa, ngày 20/11/2026, Bộ phận một cửa UBND phường")
    assert captions[1].startswith("Hình 2: Lớp “Bình dân học vụ số”")
    assert len(captions) == 2


def test_the_camera_is_open_to_our_own_origin_only(client):
    policy = client.get("/login").headers["Permissions-Policy"]
    assert policy == "camera=(self), microphone=(), geolocation=()"
