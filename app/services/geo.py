"""Loading the official provinces and wards from the `vietnam-provinces` package."""

import json
from functools import cache

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from app.extensions import db
from app.models import Province, Ward


class UnknownProvince(LookupError):
    pass


@cache
def _divisions() -> dict[int, dict]:
    return {p["code"]: p for p in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))}


def province_choices() -> list[tuple[int, str]]:
    return sorted(((code, p["name"]) for code, p in _divisions().items()), key=lambda c: c[1])


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
    """Insert or update a province and all its wards; returns the province and the ward count."""
    data = _province(code)
    province = db.session.get(Province, code) or Province(code=code)
    province.name, province.codename = data["name"], data["codename"]
    db.session.add(province)
    existing = {w.code: w for w in db.session.query(Ward).filter_by(province_code=code)}
    for item in data["wards"]:
        ward = existing.get(item["code"]) or Ward(code=item["code"], province_code=code)
        ward.name = item["name"]
        ward.division_type = item["division_type"]
        ward.codename = item["codename"]
        db.session.add(ward)
    db.session.flush()
    return province, len(data["wards"])
