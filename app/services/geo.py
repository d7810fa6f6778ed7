"""Loading the official provinces and wards from the `vietnam-provinces` package."""

import json
from functools import cache

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from app.collation import sort_key
from app.extensions import db
from app.models import Province, Ward
from app.services.text import clean
from app.units import default_area_word


class UnknownProvince(LookupError):
    pass


@cache
def _divisions() -> dict[int, dict]:
    return {p["code"]: p for p in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))}


def province_choices() -> list[tuple[int, str]]:
    return sorted(((code, p["name"]) for code, p in _divisions().items()), key=lambda c: sort_key(c[1]))


def _province(code: int) -> dict:
    data = _divisions().get(code)
    if data is None:
        raise UnknownProvince(code)
    return data


def province_name(code: int) -> str:
    return _province(code)["name"]


def ward_count(code: int) -> int:
    """How many wards and communes the province has."""
    return len(_province(code)["wards"])


def load_province(code: int) -> tuple[Province, int]:
    """Insert or update a province and all its units; returns the province and the unit count.

    A unit keeps its type (xã, phường, đặc khu) from the package; a new unit's residential-area word is the
    default for its type, an existing unit keeps the word its coordinator chose."""
    data = _province(code)
    province = db.session.get(Province, code) or Province(code=code)
    province.name, province.codename = data["name"], data["codename"]
    db.session.add(province)
    existing = {w.code: w for w in db.session.query(Ward).filter_by(province_code=code)}
    for item in data["wards"]:
        ward = existing.get(item["code"]) or Ward(code=item["code"], province_code=code)
        ward.name = clean(item["name"]) or item["name"]  # the package has a few double spaces ("Xã  Phú Hữu")
        ward.division_type = item["division_type"]
        if not ward.area_word:
            ward.area_word = default_area_word(ward.division_type).value
        ward.codename = item["codename"]
        db.session.add(ward)
    db.session.flush()
    return province, len(data["wards"])
