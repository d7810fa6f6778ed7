"""Importing a ward's households from CSV or XLSX: read, check every row, preview, then store all valid rows at once.

Between the preview and the confirmation the checked rows wait in a file under instance/imports/, named by a
random token and bound to the user who uploaded it; nothing personal goes into the session cookie. Files are
deleted once imported, or after an hour.
"""

import csv
import io
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import force_locale
from sqlalchemy import insert

from app import clock, files
from app.clock import utcnow
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import PRIORITY_TAGS, Household, HouseholdStatus, Role, User, Ward
from app.services import audit, rollups, workbook
from app.services.lists import areas, households, spreadsheet
from app.services.scope import OutOfScope, require_role, scoped
from app.services.text import fold, looks_like_citizen_id
from app.units import area_word, unit_name

MAX_ROWS = 50_000
KEEP_SECONDS = 3600
SHOWN_ERRORS = 200
SHOWN_ROWS = 200  # of the rows about to be stored, shown in the preview
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")

# Column → the header written in the template; headers are matched folded, so "Dia chi" works as well.
COLUMNS = {
    "area": "Khu vực",
    "address": "Địa chỉ",
    "display_name": "Tên hiển thị",
    "people": "Số người",
    "eligible_people": "Số người từ 14 tuổi",
    "children": "Số trẻ em 6–13 tuổi",
    "phone": "Số điện thoại",
    "phone_consent": "Đồng ý lưu số điện thoại",
    "priority_tags": "Nhóm ưu tiên",
    "tags_consent": "Đồng ý lưu nhóm ưu tiên",
}
_HEADER_ALIASES = {
    "area": "area", "khu vuc": "area", "ap": "area", "thon": "area", "khu pho": "area", "to dan pho": "area",
    "address": "address", "dia chi": "address",
    "display name": "display_name", "name": "display_name", "ten": "display_name", "ten hien thi": "display_name",
    "people": "people", "so nguoi": "people",
    "people aged 14 and over": "eligible_people", "so nguoi tu 14 tuoi": "eligible_people",
    "so nguoi tu 14 tuoi tro len": "eligible_people",
    "children aged 6 to 13": "children", "children": "children", "so tre em 6-13 tuoi": "children",
    "so tre em 6–13 tuoi": "children", "tre em 6-13 tuoi": "children", "tre em 6–13 tuoi": "children",
    "so tre em": "children", "tre em": "children",
    "phone": "phone", "so dien thoai": "phone", "dien thoai": "phone",
    "phone consent": "phone_consent", "dong y luu so dien thoai": "phone_consent", "dong y": "phone_consent",
    "priority": "priority_tags", "nhom uu tien": "priority_tags", "uu tien": "priority_tags",
    "priority consent": "tags_consent", "dong y luu nhom uu tien": "tags_consent",
}
REQUIRED = ("area", "address", "people", "eligible_people")
_YES = {"co", "x", "1", "yes", "y", "true", "dong y"}
_NO = {"", "khong", "0", "no", "n", "false"}
COLUMN_LABELS = {
    "area": _l("Area"), "address": _l("Address"), "display_name": _l("Name shown"), "people": _l("People"),
    "eligible_people": _l("People aged 14 and over"), "children": _l("Children aged 6 to 13"), "phone": _l("Phone"),
    "phone_consent": _l("Phone consent"),
    "priority_tags": _l("Priority"), "tags_consent": _l("Priority consent"), "row": _l("Row"),
}
EXAMPLE = ["Khu vực 1", "51/3 Hẻm 51, Đường 3 Tháng 2", "Nguyễn Văn Bình", 4, 3, 1, "0901234567", "có",
           "Người cao tuổi sống một mình; Hộ cận nghèo", "có"]


class ImportFileError(ValueError):
    """The file as a whole cannot be read: nothing is checked or stored."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Checked:
    """What an upload holds once checked: the valid rows ready to store, and why the others were refused."""

    token: str
    actor_id: int
    ward_code: int | None
    filename: str
    total: int
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # every problem of every refused row, in the file's order
    created: float = field(default_factory=clock.timestamp)

    @property
    def refused_rows(self) -> int:
        return len({error["row"] for error in self.errors})


def folder(instance_path: str) -> Path:
    return files.private_dir(Path(instance_path) / "imports")


# Reading --------------------------------------------------------------------------------------------------

def _read(filename: str, data: bytes) -> list[tuple[int, tuple[str, ...], bool]]:
    """For each non-blank row below the header: its number, the known columns' cells (in the order of COLUMNS)
    and whether any of its cells looks like a citizen-ID number. Reading stops at the first row past
    the limit, whatever the file says of its size; only the known columns are kept."""
    columns: list[int | None] | None = None  # where each of COLUMNS is in the file
    lines = []
    try:
        for number, raw in spreadsheet.rows(filename, data):
            if number > MAX_ROWS + 1:
                raise ImportFileError(_l("The file has more than %(n)s rows; split it into smaller files.",
                                         n=MAX_ROWS))
            if not any(raw):
                continue
            if columns is None:
                columns = [_header_map(raw).get(c) for c in COLUMNS]
                continue
            cells = tuple(raw[i] if i is not None and i < len(raw) else "" for i in columns)
            # One search over the whole row: a newline keeps two cells' digits apart.
            lines.append((number, cells, looks_like_citizen_id("\n".join(raw))))
    except spreadsheet.Unreadable as error:
        raise ImportFileError(error.message) from None
    if not lines:
        raise ImportFileError(_l("The file has no household rows."))
    return lines


def _header_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, title in enumerate(header):
        column = _HEADER_ALIASES.get(fold(title).strip(" *:"))
        if column and column not in found:
            found[column] = index
    missing = [COLUMNS[c] for c in REQUIRED if c not in found]
    if missing:
        raise ImportFileError(_l("These columns are missing: %(columns)s. Start from the template.",
                                 columns=", ".join(missing)))
    return found


# Checking -------------------------------------------------------------------------------------------------

def _tag_names() -> dict[str, str]:
    """Priority tags by folded code and folded label, in Vietnamese and in English."""
    names = {fold(code): code for code in PRIORITY_TAGS}
    for locale in ("vi", "en"):
        with force_locale(locale):
            names.update({fold(str(label)): code for code, label in PRIORITY_TAGS.items()})
    return names


def _number(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


def _check_row(cells: dict[str, str], citizen_id: bool, area_by_name, tag_names,
               unit: Ward | None) -> tuple[households.HouseholdInput | None, list[tuple[str, str]]]:
    """The row as a household, or every reason to refuse it (column, message): the coordinator corrects a row
    once, not once per problem."""
    problems: list[tuple[str, str]] = []

    def refuse(column: str, message) -> None:
        problems.append((column, str(message)))

    if citizen_id:
        refuse("row", _l("A value looks like a citizen-ID (CCCD) number; Phủ Số never stores one. "
                         "Remove it from the file."))
    area = area_by_name.get(fold(cells["area"])) if cells["area"] else None
    if not cells["area"]:
        refuse("area", _l("The %(area)s is missing.", area=area_word(unit).one))
    elif area is None:
        refuse("area", _l("%(unit)s has no %(area)s named “%(name)s”.", unit=unit_name(unit),
                          area=area_word(unit).one, name=cells["area"][:120]))
    elif area.retired:
        refuse("area", _l("“%(name)s” is retired.", name=area.name))
    people, eligible = _number(cells["people"]), _number(cells["eligible_people"])
    if people is None:
        refuse("people", _l("The number of people must be a whole number."))
    if eligible is None:
        refuse("eligible_people", _l("The number of people aged 14 and over must be a whole number."))
    children = _number(cells["children"] or "0")  # an older file has no such column: no children counted
    if children is None:
        refuse("children", _l("The number of children aged 6 to 13 must be a whole number."))
    consent = {}
    for column in ("phone_consent", "tags_consent"):
        answer = fold(cells[column])
        if answer not in _YES | _NO:
            refuse(column, _l("Write “có” or leave the consent empty."))
        consent[column] = answer in _YES
    tags = []
    for name in re.split(r"[,;]", cells["priority_tags"]):
        if fold(name) and fold(name) not in tag_names:
            refuse("priority_tags", _l("Unknown priority group “%(name)s”.", name=name.strip()[:60]))
        elif fold(name):
            tags.append(tag_names[fold(name)])
    if problems or area is None or area.retired or people is None or eligible is None or children is None:
        return None, problems
    data = households.HouseholdInput(
        area_id=area.id, address=cells["address"], display_name=cells["display_name"] or None,
        people=people, eligible_people=eligible, children=children, phone=cells["phone"] or None,
        phone_consent=consent["phone_consent"], priority_tags=tuple(tags), tags_consent=consent["tags_consent"],
    )
    try:
        households.validate(data)
    except households.HouseholdError as error:
        return None, [(error.field if error.field in COLUMNS else "row", str(error.message))]
    return data, []


def _existing_addresses(actor: User) -> set[tuple[int, str]]:
    stmt = scoped(actor, Household, Household.area_id, Household.address_key).where(
        Household.status == HouseholdStatus.ACTIVE)
    return {(area_id, key) for area_id, key in db.session.execute(stmt)}


def check(actor: User, filename: str, data: bytes) -> Checked:
    """Read the file and check every row; rows that break a rule are listed, with the reason, by row number."""
    require_role(actor, Role.COORDINATOR, what="import")
    lines = _read(filename, data)
    area_by_name, tag_names = areas.by_folded_name(actor), _tag_names()
    seen = _existing_addresses(actor)
    now = utcnow()
    checked = Checked(token=secrets.token_urlsafe(24), actor_id=actor.id, ward_code=actor.ward_code,
                      filename=filename[-120:], total=len(lines))
    for number, cells, citizen_id in lines:
        row, problems = _check_row(dict(zip(COLUMNS, cells, strict=True)), citizen_id, area_by_name, tag_names,
                                   actor.ward)
        if row is None:
            checked.errors.extend(asdict(RowError(number, column, message)) for column, message in problems)
            continue
        values = households.columns(row, now)
        if (row.area_id, values["address_key"]) in seen:
            checked.errors.append(asdict(RowError(number, "address", str(_l(
                "This address is already listed in this %(area)s (in the list of %(unit)s or higher up in the file).",
                area=area_word(actor.ward).one, unit=unit_name(actor.ward))))))
            continue
        seen.add((row.area_id, values["address_key"]))
        checked.rows.append({**values, "area_id": row.area_id})
    return checked


# Keeping between the two steps ----------------------------------------------------------------------------

def purge_old(base: Path) -> None:
    # File times are the app's clock (set in save()), so a fixed or shifted clock ages them alike.
    cutoff = clock.timestamp() - KEEP_SECONDS
    for path in base.glob("*.json"):
        try:
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:  # another worker stored or purged it meanwhile
            continue
        if old:
            path.unlink(missing_ok=True)


def save(base: Path, checked: Any) -> None:
    """Keep a checked upload (`Checked`, or another dataclass with a token, an owner and a creation time), after
    dropping those older than the hour."""
    purge_old(base)
    path = base / f"{checked.token}.json"
    files.write_private(path, json.dumps(asdict(checked), ensure_ascii=False, default=str))
    os.utime(path, (checked.created, checked.created))


def load(base: Path, actor: User, token: str, kind: type = Checked):
    """The checked upload with this token, if this user made it within the hour; else "not found". `kind` is
    the dataclass the upload was checked into (a household list's `Checked` unless said otherwise)."""
    purge_old(base)
    path = base / f"{token}.json"
    if not _TOKEN.match(token or "") or not path.exists():
        raise OutOfScope("import", token)
    try:
        checked = kind(**json.loads(path.read_text(encoding="utf-8")))
    except TypeError:  # an upload of another kind
        raise OutOfScope("import", token) from None
    if checked.actor_id != actor.id or checked.ward_code != actor.ward_code:
        raise OutOfScope("import", token)
    return checked


def discard(base: Path, token: str) -> None:
    if _TOKEN.match(token):
        (base / f"{token}.json").unlink(missing_ok=True)


# Storing --------------------------------------------------------------------------------------------------

class ImportStale(ImportFileError):
    """Since the preview, an area was retired or a household with one of the addresses was added."""


def store(actor: User, checked: Checked) -> int:
    """Insert every valid row in one statement batch; if anything changed since the preview, insert none."""
    require_role(actor, Role.COORDINATOR, what="import")
    open_areas = {a.id for a in areas.ward_areas(actor, active_only=True)}
    existing = _existing_addresses(actor)
    if any(r["area_id"] not in open_areas or (r["area_id"], r["address_key"]) in existing for r in checked.rows):
        raise ImportStale(_l("The list of %(unit)s changed since the preview (a %(area)s was retired or a household "
                             "added). Nothing was imported; please upload the file again.",
                             unit=unit_name(actor.ward), area=area_word(actor.ward).one))
    now = utcnow()
    rows = [{**row, "ward_code": actor.ward_code, "created_by_id": actor.id, "created_at": now, "updated_at": now,
             "phone_consent_at": now if row["phone"] else None,
             "tags_consent_at": now if row["tags_consent_at"] else None, "status": HouseholdStatus.ACTIVE}
            for row in checked.rows]
    if rows:
        db.session.execute(insert(Household), rows)
        rollups.households_added(Household(**row) for row in rows)
    audit.record(actor, "household.import", ward_code=actor.ward_code, rows=len(rows),
                 refused=checked.refused_rows)
    return len(rows)


# The template ---------------------------------------------------------------------------------------------

def template_files(header: list[str], rows: list[list], title: str, text_columns: str,
                   widths: tuple[int, ...]) -> tuple[bytes, bytes]:
    """An import template as CSV (with a BOM, so Excel reads UTF-8) and XLSX: the header, example rows, the
    columns that must stay text (a phone's leading zero, a period like 10/2026) and the column widths."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    book = workbook.workbook([workbook.Sheet(title, [header, *rows], text_columns=text_columns, widths=widths)])
    return ("\ufeff" + out.getvalue()).encode("utf-8"), book


def template_csv() -> bytes:
    return _templates()[0]


def template_xlsx() -> bytes:
    return _templates()[1]


def _templates() -> tuple[bytes, bytes]:
    # The phone column (F) is text, so a leading zero survives.
    return template_files(list(COLUMNS.values()), [EXAMPLE], "Hộ gia đình", "G", (16, 36, 24, 10, 20, 20, 16, 24, 32, 24))
