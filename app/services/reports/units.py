"""How documents and pages name a unit: the one helper for a xã, phường or đặc khu's names.

The unit's name from `vietnam-provinces` already carries its type ("Xã Thới Lai", "Phường Ninh Kiều"); its
`division_type` is "xã", "phường" or "đặc khu". Everything that writes a unit's name in a report goes
through `unit_names()`, so a later rule (the unit's own words, its type from the package) changes here only.
"""

from dataclasses import dataclass

from app.models import Province, Ward


@dataclass(frozen=True)
class UnitNames:
    name: str  # "Xã Thới Lai"
    authority: str  # the issuing body of its documents: "UBND XÃ THỚI LAI"
    place: str  # the place written before a document's date: "Thới Lai"


def unit_names(ward: Ward) -> UnitNames:
    name = ward.name.strip()
    kind = (ward.division_type or "").strip()
    place = name[len(kind):].strip() if kind and name.lower().startswith(kind.lower()) else name
    return UnitNames(name=name, authority=f"UBND {name.upper()}", place=place)


def province_names(province: Province) -> UnitNames:
    """The province, named as the units' names are: "Thành phố Cần Thơ", "THÀNH PHỐ CẦN THƠ", "Cần Thơ"."""
    name = province.name.strip()
    place = name
    for kind in ("Thành phố", "Tỉnh"):
        if name.startswith(kind + " "):
            place = name[len(kind):].strip()
    return UnitNames(name=name, authority=name.upper(), place=place)
