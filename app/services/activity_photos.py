"""Photos of an activity (báo cáo hình ảnh): at most four, each at most 300 KB, kept in the database.

The phone shrinks each photo and re-encodes it as JPEG through a canvas, which already drops EXIF and GPS. The
server does not trust that: it checks the JPEG's structure and keeps only what the image needs, dropping every
metadata segment (APP0–APP15, where EXIF, GPS, XMP and thumbnails live, and comments) before storing, so no
location is kept whatever a client sends. All photos
of a request are checked before any is stored: nothing is stored by half.
"""

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import undefer
from werkzeug.exceptions import NotFound

from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import Activity, ActivityPhoto, User
from app.services import audit
from app.services.errors import FieldError
from app.services.scope import RoleDenied, get_in_scope

MOST_PHOTOS = 4
MOST_BYTES = 300 * 1024
# The phone sends at most 1280 px on the longest side; a larger photo uploaded without the app's script
# is still fine, but no real photo is wider than this (a bigger one is a decompression bomb for viewers).
MOST_PIXELS_PER_SIDE = 8000
CONTENT_TYPE = "image/jpeg"

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_FRAMES = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # start of frame (DHT, JPG and DAC are not)
# What an image needs: frames, Huffman and arithmetic tables, quantisation tables, restart interval, scans and
# their line count. Every APPn segment (EXIF, GPS, XMP, IPTC, ICC, JFIF) and comment is dropped; any other marker
# is refused.
_KEPT = {*range(0xC0, 0xD0), 0xDA, 0xDB, 0xDC, 0xDD}
_DROPPED = {*range(0xE0, 0xF0), 0xFE}
# A JFIF header of our own (version 1.01, no density units, 1:1) instead of whatever the phone wrote: readers
# such as Word recognise a JPEG by it.
_JFIF = bytes.fromhex("ffe000104a46494600010100000100010000")


class PhotoError(FieldError):
    """A photo was refused."""


NOT_A_PHOTO = _l("This file is not a JPEG photo. Take the photo again with the form's button.")


def _not_a_photo() -> PhotoError:
    return PhotoError("photos", NOT_A_PHOTO)


def stripped_jpeg(data: bytes) -> bytes:
    """The JPEG without its metadata segments; refused if it is not a whole JPEG image."""
    if data[:2] != b"\xff\xd8":
        raise _not_a_photo()
    kept = [data[:2], _JFIF]
    i, seen_frame, end = 2, False, len(data)
    while True:
        if i + 1 >= end or data[i] != 0xFF:
            raise _not_a_photo()
        while i + 1 < end and data[i + 1] == 0xFF:  # fill bytes before a marker
            i += 1
        marker = data[i + 1]
        if marker == _EOI:
            break
        if marker not in _KEPT and marker not in _DROPPED:
            raise _not_a_photo()
        if i + 4 > end:
            raise _not_a_photo()
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if length < 2 or i + 2 + length > end:
            raise _not_a_photo()
        segment_end = i + 2 + length
        if marker in _FRAMES:
            if length < 8:
                raise _not_a_photo()
            height = int.from_bytes(data[i + 5:i + 7], "big")
            width = int.from_bytes(data[i + 7:i + 9], "big")
            if not (0 < width <= MOST_PIXELS_PER_SIDE and 0 < height <= MOST_PIXELS_PER_SIDE):
                raise _not_a_photo()
            seen_frame = True
        if marker == _SOS:
            if not seen_frame:
                raise _not_a_photo()
            # The compressed scan runs to the next marker: 0xFF is followed there only by 0x00 (a stuffed byte)
            # or a restart marker.
            j = segment_end
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= end:
                    raise _not_a_photo()
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j += 1 if following == 0xFF else 2
                    continue
                break
            segment_end = j
        if marker in _KEPT:
            kept.append(data[i:segment_end])
        i = segment_end
    if not seen_frame:
        raise _not_a_photo()
    kept.append(b"\xff\xd9")  # anything after the end of the image is dropped too
    return b"".join(kept)


def checked(photos: list[bytes], already: int = 0) -> list[bytes]:
    """The photos as they will be stored, or a refusal for the first that may not be (none is stored then)."""
    if already + len(photos) > MOST_PHOTOS:
        raise PhotoError("photos", _l("An activity has at most %(n)s photos.", n=MOST_PHOTOS))
    cleaned = []
    for data in photos:
        if len(data) > MOST_BYTES:
            raise PhotoError("photos", _l(
                "A photo is larger than %(kb)s KB. Take it again with the form's button, which shrinks it.",
                kb=MOST_BYTES // 1024))
        cleaned.append(stripped_jpeg(data))
    return cleaned


def store(actor: User, activity_id: int, photos: list[bytes], taken: Collection[int] = ()) -> None:
    """Insert already checked photos in the free positions; each addition is audited."""
    free = [p for p in range(1, MOST_PHOTOS + 1) if p not in taken]
    rows = [{"activity_id": activity_id, "position": position, "content_type": CONTENT_TYPE, "content": data,
             "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "added_by_id": actor.id}
            for position, data in zip(free, photos, strict=False)]
    if not rows:
        return
    db.session.execute(insert(ActivityPhoto), rows)
    activity = db.session.get_one(Activity, activity_id)
    for row in rows:
        audit.record(actor, "activity.photo_add", activity, position=row["position"], size=row["size"],
                     sha256=row["sha256"])


def may_change_photos(actor: User, activity: Activity) -> bool:
    """Any member of the team that recorded the activity."""
    return actor.team_id is not None and actor.team_id == activity.team_id


def add(actor: User, activity: Activity, photos: list[bytes]) -> None:
    """More photos for an activity already stored, up to four in all."""
    if not may_change_photos(actor, activity):
        raise RoleDenied("activity.photo_add")
    if not photos:
        raise PhotoError("photos", _l("Take or choose a photo first."))
    cleaned = checked(photos, already=len(activity.photos))
    store(actor, activity.id, cleaned, taken={p.position for p in activity.photos})
    db.session.expire(activity, ["photos"])


def remove(actor: User, activity: Activity, position: int) -> None:
    if not may_change_photos(actor, activity):
        raise RoleDenied("activity.photo_delete")
    photo = next((p for p in activity.photos if p.position == position), None)
    if photo is None:
        raise NotFound()
    audit.record(actor, "activity.photo_delete", activity, position=position, sha256=photo.sha256)
    activity.photos.remove(photo)


def photo_in_scope(actor: User, activity_id, position: int) -> ActivityPhoto:
    """A photo only for those who may see its activity (scope.py): another unit's member gets "not found"."""
    activity = get_in_scope(actor, Activity, activity_id)
    photo = db.session.scalar(select(ActivityPhoto).options(undefer(ActivityPhoto.content))
                              .where(ActivityPhoto.activity_id == activity.id, ActivityPhoto.position == position))
    if photo is None:
        raise NotFound()
    return photo


@dataclass
class PhotoAnnexEntry:
    """One activity of a report's period with its photos, for the report's annex."""

    activity: Activity
    photos: list[bytes]


def annex(ward_code: int, start: date, end: date) -> list[PhotoAnnexEntry]:
    """The unit's activities of these days that have photos, oldest first, each with its photos in order."""
    activities = list(db.session.scalars(
        select(Activity).where(Activity.ward_code == ward_code, Activity.held_on.between(start, end),
                               Activity.photos.any())
        .order_by(Activity.held_on, Activity.id)))
    if not activities:
        return []
    by_activity: dict[int, list[bytes]] = {a.id: [] for a in activities}
    rows = db.session.execute(select(ActivityPhoto.activity_id, ActivityPhoto.content)
                              .where(ActivityPhoto.activity_id.in_(by_activity))
                              .order_by(ActivityPhoto.activity_id, ActivityPhoto.position))
    for activity_id, content in rows:
        by_activity[activity_id].append(content)
    return [PhotoAnnexEntry(a, by_activity[a.id]) for a in activities]
