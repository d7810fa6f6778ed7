"""A commune-level unit named by its own type, and the word its residential areas go by.

Most units are communes (72 of Cần Thơ's 103, 2,621 of 3,321 nationwide), so nothing calls every unit a
ward. The package `vietnam-provinces` gives each unit's `division_type` (xã, phường, đặc khu) and a name
that starts with it ("Xã Thới Lai"). Every page, export and message names a unit through `unit_name`
(template filter `unit`), a report's issuing body through `issuing_body` ("UBND XÃ THỚI LAI"), a place
line through `place_name` ("Thới Lai"). A residential area is an ấp, thôn, khu vực, khu phố or tổ dân phố
as the unit calls it (`Ward.area_word`, set by its coordinator); `area_word(ward)` gives the word in the
reader's language, for strings that take it as a placeholder.
"""

import enum
import re
from dataclasses import dataclass

from app.collation import sort_key
from app.extensions import lazy_gettext as _l

_SPACES = re.compile(r"\s+")

XA, PHUONG, DAC_KHU = "xã", "phường", "đặc khu"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


def unit_type(unit) -> str:
    """The unit's type in lower case as the package writes it: "xã", "phường" or "đặc khu"."""
    return _clean(unit.division_type).lower()


def place_name(unit) -> str:
    """The unit's name without its type ("Thới Lai"), as in a document's place line."""
    name, kind = _clean(unit.name), unit_type(unit)
    if name.lower().startswith(kind + " "):
        return name[len(kind) + 1:]
    return name


def unit_sort_key(name: str) -> tuple[bytes, bytes]:
    """Units in Vietnamese alphabetical order of their place names, the type breaking a tie (as
    `models.unit_order()` in SQL): "Phường An Bình", "Xã An Lạc Thôn", "Phường Bình Thủy"."""
    clean = _clean(name)
    for kind in (DAC_KHU, PHUONG, XA):
        if clean.lower().startswith(kind + " "):
            return sort_key(clean[len(kind) + 1:]), sort_key(kind)
    return sort_key(clean), b""


def unit_name(unit) -> str:
    """The unit's name with its type, capitalised as a proper name: "Xã Thới Lai", "Phường Ninh Kiều"."""
    if unit is None:
        return ""
    kind = unit_type(unit)
    return f"{kind[:1].upper()}{kind[1:]} {place_name(unit)}"


def issuing_body(unit) -> str:
    """The unit's people's committee as a report's issuing body: "UBND XÃ THỚI LAI"."""
    return f"UBND {unit_type(unit)} {place_name(unit)}".upper()


class AreaWord(enum.StrEnum):
    """What a unit calls its residential areas."""

    AP = "ap"                  # ấp: hamlets of the southern communes
    THON = "thon"              # thôn: villages of the northern and central communes
    KHU_VUC = "khu_vuc"        # khu vực: Cần Thơ's wards
    KHU_PHO = "khu_pho"        # khu phố: Hồ Chí Minh City's and other southern wards
    TO_DAN_PHO = "to_dan_pho"  # tổ dân phố: most wards elsewhere


@dataclass(frozen=True)
class Word:
    """A residential-area word in the reader's language: `one` and `many` in lower case ("ấp"; "hamlet",
    "hamlets"), `One` and `Many` for a heading or the start of a sentence."""

    one: str
    many: str
    examples: str = ""  # names such areas have, for a hint ("Ấp Mỹ Hòa, Ấp 3")

    @property
    def One(self) -> str:
        return self.one[:1].upper() + self.one[1:]

    @property
    def Many(self) -> str:
        return self.many[:1].upper() + self.many[1:]


# The word in each language: (singular, plural). Vietnamese has one form for both.
WORDS = {
    AreaWord.AP: (_l("hamlet (ấp)"), _l("hamlets (ấp)")),
    AreaWord.THON: (_l("village (thôn)"), _l("villages (thôn)")),
    AreaWord.KHU_VUC: (_l("residential area (khu vực)"), _l("residential areas (khu vực)")),
    AreaWord.KHU_PHO: (_l("neighbourhood (khu phố)"), _l("neighbourhoods (khu phố)")),
    AreaWord.TO_DAN_PHO: (_l("residential group (tổ dân phố)"), _l("residential groups (tổ dân phố)")),
}
# Where no single unit is meant (a province-wide page).
GENERIC = (_l("area"), _l("areas"))
# Names of areas, as hints: proper names, the same in every language.
EXAMPLES = {
    AreaWord.AP: "Ấp Mỹ Hòa, Ấp 3",
    AreaWord.THON: "Thôn Đông, Thôn 2",
    AreaWord.KHU_VUC: "Khu vực 3, Khu vực Bình Yên",
    AreaWord.KHU_PHO: "Khu phố 5, Khu phố Tân Lập",
    AreaWord.TO_DAN_PHO: "Tổ dân phố 5, Tổ dân phố Hòa Bình",
}
GENERIC_EXAMPLES = "Khu vực 3, Ấp Mỹ Hòa, Tổ dân phố 5"

# A new unit's word until its coordinator chooses: a commune's areas are hamlets (ấp, as in Cần Thơ and the
# south, where the seed province is); a ward's are khu vực, the level at which Cần Thơ's wards set up their
# teams (Cái Răng: 59 khu vực, each with a team; tổ dân phố are groups inside a khu vực there). A unit
# elsewhere chooses thôn, khu phố or tổ dân phố on its settings page.
DEFAULT_WORD = {XA: AreaWord.AP, PHUONG: AreaWord.KHU_VUC, DAC_KHU: AreaWord.KHU_VUC}


def default_area_word(division_type: str) -> AreaWord:
    return DEFAULT_WORD.get(_clean(division_type).lower(), AreaWord.KHU_VUC)


def _strip_hint(text: str) -> str:
    """English labels carry the Vietnamese word in brackets for choosing; in sentences it goes."""
    return re.sub(r"\s*\([^)]*\)$", "", text)


def area_word(unit=None) -> Word:
    """The unit's residential-area word in the reader's language (the generic "area" without a unit)."""
    code = getattr(unit, "area_word", None)
    try:
        word = AreaWord(code) if code else None
    except ValueError:
        word = None
    one, many = WORDS[word] if word else GENERIC
    return Word(_strip_hint(str(one)), _strip_hint(str(many)), EXAMPLES[word] if word else GENERIC_EXAMPLES)


def area_word_choices() -> list[tuple[str, str]]:
    """The words a coordinator may choose, labelled in the reader's language."""
    return [(word.value, str(WORDS[word][0])) for word in AreaWord]
