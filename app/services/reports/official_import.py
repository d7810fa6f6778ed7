"""The province's file of official figures: one CSV or XLSX for all its units, checked row by row, previewed,
then stored whole or not at all.

Columns: the unit's code (or its name with its type, "Xã Thới Lai"), the period ("11/2026", "Quý 3/2026",
"6 tháng đầu năm 2026", "Năm 2026"), the indicator, the numerator and the denominator. A file with a refused row
stores nothing: the preview lists every refused row with its reason, and the confirmation is offered only for
a file without one. The checked rows wait between the two steps as a household list does (lists/importer.py).
"""

import secrets
from dataclasses import dataclass, field

from app import clock
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.models import OfficialIndicator, Role, User, Ward
from app.services import audit
from app.services.lists import spreadsheet
from app.services.lists.importer import ImportFileError, template_files
from app.services.reports import official
from app.services.reports.official import FigureError, FigureInput, OfficialPeriod
from app.services.scope import require_role, scoped
from app.services.text import fold

MAX_ROWS = 20_000  # 168 units (the largest province) × 4 indicators × 24 months, with room to spare
SHOWN_ERRORS = 200

COLUMNS = {
    "code": "Mã đơn vị",
    "unit": "Tên đơn vị",
    "period": "Kỳ",
    "indicator": "Chỉ số",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
}
_HEADER_ALIASES = {
    "ma don vi": "code", "ma": "code", "ma xa phuong": "code", "ma dvhc": "code", "unit code": "code",
    "code": "code",
    "ten don vi": "unit", "don vi": "unit", "xa phuong": "unit", "ten xa phuong": "unit", "unit": "unit",
    "ky": "period", "ky bao cao": "period", "period": "period",
    "chi so": "indicator", "indicator": "indicator",
    "tu so": "numerator", "numerator": "numerator",
    "mau so": "denominator", "denominator": "denominator",
}
REQUIRED = ("period", "indicator", "numerator")
COLUMN_LABELS = {
    "code": _l("Unit code"), "unit": _l("Unit name"), "period": _l("Period"), "indicator": _l("Indicator"),
    "numerator": _l("Numerator"), "denominator": _l("Denominator"), "row": _l("Row"),
}


@dataclass
class OfficialChecked:
    """An upload of official figures once checked: the rows to store and why the others were refused."""

    token: str
    actor_id: int
    ward_code: int | None
    filename: str
    total: int
    official: bool  # tells this kind of upload from a household list's when it is read back
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    created: float = field(default_factory=clock.timestamp)


class _Refused(Exception):
    def __init__(self, column: str, message):
        super().__init__(message)
        self.column, self.message = column, message


def _words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def _read(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    columns: dict[str, int] | None = None
    lines = []
    try:
        for number, raw in spreadsheet.rows(filename, data):
            if number > MAX_ROWS + 1:
                raise ImportFileError(_l("The file has more than %(n)s rows; split it into smaller files.",
                                         n=MAX_ROWS))
            if not any(raw):
                continue
            if columns is None:
                columns = _header_map(raw)
                continue
            lines.append((number, {c: raw[i] if i < len(raw) else "" for c, i in columns.items()}))
    except spreadsheet.Unreadable as error:
        raise ImportFileError(error.message) from None
    if not lines:
        raise ImportFileError(_l("The file has no rows of figures."))
    return lines


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        column = _HEADER_ALIASES.get(_words(title))
        if column and column not in found:
            found[column] = index
    missing = [COLUMNS[c] for c in REQUIRED if c not in found]
    if "code" not in found and "unit" not in found:
        missing.insert(0, f"{COLUMNS['code']} / {COLUMNS['unit']}")
    if missing:
        raise ImportFileError(_l("These columns are missing: %(columns)s. Start from the template.",
                                 columns=", ".join(missing)))
    return found


class _Units:
    """The units of the actor's scope, found by official code or by folded name with its type."""

    def __init__(self, actor: User):
        wards = list(db.session.execute(scoped(actor, Ward, Ward.code, Ward.name)))
        self.by_code: dict[int, str] = {code: name for code, name in wards}  # noqa: C416 (rows, not pairs)
        self.by_name = {_words(name): code for code, name in wards}

    def find(self, code_text: str, name_text: str) -> int:
        code_text, name_text = code_text.strip(), name_text.strip()
        if not code_text and not name_text:
            raise _Refused("code", _l("The unit is missing: give its code, or its name with its type (Xã …, "
                                      "Phường …)."))
        code = None
        if code_text:
            number = official.parse_count(code_text)
            if number is None or number not in self.by_code:
                raise _Refused("code", _l("No xã, phường of your province has the code “%(code)s”.",
                                          code=code_text[:20]))
            code = number
        if name_text:
            named = self.by_name.get(_words(name_text))
            if named is None:
                raise _Refused("unit", _l("No xã, phường of your province is named “%(name)s”: write its type too "
                                          "(Xã …, Phường …), or give its code.", name=name_text[:100]))
            if code is not None and named != code:
                raise _Refused("unit", _l("The code %(code)s is %(unit)s, not “%(name)s”.", code=code,
                                          unit=self.by_code[code], name=name_text[:100]))
            code = named
        assert code is not None
        return code


def _check_row(cells: dict[str, str], units: _Units) -> FigureInput:
    ward_code = units.find(cells.get("code", ""), cells.get("unit", ""))
    period = OfficialPeriod.parse(cells["period"])
    if period is None:
        raise _Refused("period", _l("Unknown period “%(text)s”: write it as 11/2026, Quý 3/2026, 6 tháng đầu năm "
                                    "2026 or Năm 2026.", text=cells["period"][:40]))
    if not official.started(period):
        raise _Refused("period", _l("The period %(period)s has not started yet.", period=period.label))
    indicator = official.INDICATOR_NAMES.get(_words(cells["indicator"]))
    if indicator is None:
        raise _Refused("indicator", _l("Unknown indicator “%(text)s”: write one of %(names)s.",
                                       text=cells["indicator"][:60],
                                       names=", ".join(official.TEMPLATE_NAMES.values())))
    numerator = official.parse_count(cells["numerator"])
    denominator_text = cells.get("denominator", "").strip()
    denominator = official.parse_count(denominator_text)
    if denominator_text and denominator is None:
        raise _Refused("denominator", _l("The denominator must be a whole number, 0 or more."))
    try:
        official.check_values(indicator, numerator, denominator)
    except FigureError as error:
        raise _Refused(error.field, error.message) from None
    assert numerator is not None
    return FigureInput(ward_code, period, indicator, numerator, denominator)


def check(actor: User, filename: str, data: bytes) -> OfficialChecked:
    """Read the file and check every row: the reasons of the refused ones by row number, and for the others what
    storing them would change."""
    require_role(actor, Role.ADMIN, what="official_figure.import")
    lines = _read(filename, data)
    units = _Units(actor)
    checked = OfficialChecked(token=secrets.token_urlsafe(24), actor_id=actor.id, ward_code=actor.ward_code,
                              filename=filename[-120:], total=len(lines), official=True)
    seen: dict[tuple, int] = {}
    inputs: list[tuple[int, FigureInput]] = []
    for number, cells in lines:
        try:
            figure = _check_row(cells, units)
        except _Refused as refused:
            checked.errors.append({"row": number, "column": refused.column, "message": str(refused.message)})
            continue
        key = (figure.ward_code, figure.period, figure.indicator)
        if key in seen:
            checked.errors.append({"row": number, "column": "row", "message": str(_l(
                "Row %(row)s already gives this indicator for this unit and period.", row=seen[key]))})
            continue
        seen[key] = number
        inputs.append((number, figure))
    for (number, figure), change in zip(inputs, official.changes(actor, [f for _n, f in inputs]), strict=True):
        checked.rows.append({
            "row": number, "ward_code": figure.ward_code, "unit": units.by_code[figure.ward_code],
            "period": figure.period.key, "indicator": figure.indicator.value, "numerator": figure.numerator,
            "denominator": figure.denominator, "old": list(change.old) if change.old else None,
            "status": change.status})
    return checked


def figures_of(checked: OfficialChecked) -> list[FigureInput]:
    result = []
    for row in checked.rows:
        period = OfficialPeriod.parse(row["period"])
        assert period is not None
        result.append(FigureInput(row["ward_code"], period, OfficialIndicator(row["indicator"]), row["numerator"],
                                  row["denominator"]))
    return result


def store(actor: User, checked: OfficialChecked) -> list[official.Change]:
    """Store every row of a file without a refused row, in the caller's transaction; audit each change."""
    require_role(actor, Role.ADMIN, what="official_figure.import")
    if checked.errors or not checked.rows:
        raise ImportFileError(_l("The file has refused rows: nothing was stored. Correct them and upload it again."))
    inputs = figures_of(checked)
    in_scope = set(db.session.scalars(scoped(actor, Ward, Ward.code)))
    if any(f.ward_code not in in_scope for f in inputs):
        raise ImportFileError(_l("A unit of the file is no longer in your province: nothing was stored."))
    done = official.write_figures(actor, inputs, "import")
    audit.record(actor, "official_figure.import", ward_code=None, rows=len(done),
                 new=sum(c.status == "new" for c in done), changed=sum(c.status == "changed" for c in done))
    return done


# The template ---------------------------------------------------------------------------------------------

EXAMPLE = [
    ["31135", "Phường Ninh Kiều", "10/2026", "Số hóa hồ sơ", 2337, 2500],
    ["31135", "Phường Ninh Kiều", "10/2026", "Hồ sơ trực tuyến", 665, 2500],
    ["31135", "Phường Ninh Kiều", "10/2026", "Thanh toán trực tuyến", 209, 1250],
    ["31135", "Phường Ninh Kiều", "10/2026", "Tài khoản mức độ 2", 41230, ""],
]


def template_csv() -> bytes:
    return _templates()[0]


def template_xlsx() -> bytes:
    return _templates()[1]


def _templates() -> tuple[bytes, bytes]:
    # The period column (C) stays text: 10/2026 is not a date.
    return template_files(list(COLUMNS.values()), EXAMPLE, "Số liệu chính thức", "C",
                          (12, 26, 18, 24, 12, 12))

