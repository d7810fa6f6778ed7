"""How documents and pages name a unit: the one helper for a xã, phường or đặc khu's names.

The unit's name from `vietnam-provinces` already carries its type ("Xã Thới Lai", "Phường Ninh Kiều"); its
`division_type` is "xã", "phường" or "đặc khu". Everything that writes a unit's name in a report goes
through `unit_names()`, which takes them from `app/units.py` (the one namer of a unit everywhere).
"""

from dataclasses import dataclass

from app.models import Province, Ward
from app.units import issuing_body, place_name, unit_name


@dataclass(frozen=True)
class UnitNames:
    name: str  # "Xã Thới Lai"
    authority: str  # the issuing body of its documents: "UBND XÃ THỚI LAI"
    place: str  # the place written before a document's date: "Thới Lai"


def unit_names(ward: Ward) -> UnitNames:
    return UnitNames(name=unit_name(ward), authority=issuing_body(ward), place=place_name(ward))


def province_names(province: Province) -> UnitNames:
    """The province, named as the units' names are: "Thành phố Cần Thơ", "THÀNH PHỐ CẦN THƠ", "Cần Thơ"."""
    name = province.name.strip()
    place = name
    for kind in ("Thành phố", "Tỉnh"):
        if name.startswith(kind + " "):
            place = name[len(kind):].strip()
    return UnitNames(name=name, authority=name.upper(), place=place)
