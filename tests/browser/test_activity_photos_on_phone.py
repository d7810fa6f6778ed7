"""A photo taken for an activity on a 360-px phone with no signal: shrunk on the phone to at most 300 KB without
its EXIF/GPS, queued with its activity, stored once with it when the connection returns, shown on the activity's
page and counted on the board."""

import base64
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, ActivityPhoto
from app.services.activity_photos import MOST_BYTES
from tests.browser.conftest import PHONE
from tests.browser.helpers import assert_fits_the_phone, csp_violations, log_in
from tests.browser.test_activities_on_phone import stored_once_sent
from tests.test_activity_photos import with_gps_exif

pytestmark = pytest.mark.browser


def camera_photo(page: Page) -> bytes:
    """What a phone's camera hands over: a 3000 × 2250 JPEG of a few MB with the place in its EXIF."""
    data_url = page.evaluate("""() => {
      const canvas = document.createElement("canvas");
      canvas.width = 3000; canvas.height = 2250;
      const g = canvas.getContext("2d");
      const pixels = g.createImageData(canvas.width, canvas.height);
      for (let i = 0; i < pixels.data.length; i += 4) {
        const noise = (i * 2654435761) % 251;
        pixels.data[i] = noise; pixels.data[i + 1] = (noise * 7) % 256; pixels.data[i + 2] = 90; pixels.data[i + 3] = 255;
      }
      g.putImageData(pixels, 0, 0);
      return canvas.toDataURL("image/jpeg", 0.95);
    }""")
    return with_gps_exif(base64.b64decode(data_url.split(",", 1)[1]))


def test_an_activity_with_a_photo_recorded_offline_is_stored_once_with_it(phone, browser, live_server, recording_unit,
                                                                         server_down, console_errors, screenshot):
    log_in(phone, live_server, recording_unit["volunteer"].username)
    expect(phone.locator("body[data-offline-ready]")).to_have_count(1, timeout=20000)
    photo = camera_photo(phone)
    assert len(photo) > MOST_BYTES and b"Exif" in photo
    phone.context.set_offline(True)
    server_down(True)  # no signal for the service worker either

    phone.goto(live_server + "/activities/new")  # the copy the phone kept
    expect(phone.get_by_role("heading", name="Ghi hoạt động")).to_be_visible()
    expect(phone.get_by_text("Không bao giờ chụp thẻ căn cước (CCCD)")).to_be_visible()
    phone.get_by_label("Lớp “Bình dân học vụ số”").check(force=True)
    phone.get_by_label("Hoặc nơi khác").fill("Nhà văn hóa ấp 3")
    phone.get_by_label("Số người được tập huấn").fill("15")
    phone.set_input_files("input[type=file]", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                                      "buffer": photo}])
    expect(phone.locator("[data-photo-list] img")).to_have_count(1, timeout=20000)
    expect(phone.locator("[data-photo-status]")).to_contain_text("KB")
    assert_fits_the_phone(phone)
    phone.locator("[data-photo-list]").scroll_into_view_if_needed()
    screenshot(phone, "form", full_page=False)
    phone.get_by_role("button", name="Lưu hoạt động").click()
    phone.wait_for_url(re.compile(r"/\?queued=(offline|server)$"))
    expect(phone.locator("#queue-badge")).to_contain_text("1")
    db.session.rollback()
    assert db.session.scalar(select(Activity)) is None

    server_down(False)
    phone.context.set_offline(False)
    phone.goto(live_server + "/queue")
    phone.get_by_role("button", name="Gửi ngay").click()
    expect(phone.locator("#queue-badge")).to_be_hidden(timeout=30000)
    assert stored_once_sent(phone) == 1
    stored = db.session.scalar(select(Activity))
    photos = db.session.scalars(select(ActivityPhoto)).all()
    assert (stored.kind, stored.people_trained, len(photos)) == ("class", 15, 1)
    assert photos[0].size <= MOST_BYTES and b"Exif" not in photos[0].content

    phone.goto(f"{live_server}/activities/{stored.id}")
    image = phone.get_by_role("img", name="Ảnh 1 của hoạt động")
    expect(image).to_be_visible()
    # At most 1280 px on its longest side (this noise, hard to compress, went down to fewer pixels).
    loaded = phone.wait_for_function("(img) => img.complete && img.naturalWidth", arg=image.element_handle())
    assert 0 < loaded.json_value() <= 1280
    assert_fits_the_phone(phone)
    screenshot(phone, "activity")
    assert csp_violations(console_errors) == []

    office = browser.new_context(**PHONE).new_page()
    log_in(office, live_server, recording_unit["coordinator"].username)
    office.goto(live_server + "/ward")
    expect(office.locator("#activities-board [data-figure=activities]")).to_have_text("1")
    office.goto(f"{live_server}/activities/{stored.id}")
    expect(office.get_by_role("img", name="Ảnh 1 của hoạt động")).to_be_visible()
    office.context.close()
