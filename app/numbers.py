"""Numbers and days written for people, shared by pages (template filters) and exports (services), so neither
imports the other."""

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale, numbers
from flask_babel import get_locale


@lru_cache(maxsize=16)
def _number_symbols(locale: str) -> dict[int, str]:
    """Python's number separators mapped to the locale's (str.translate table)."""
    parsed = Locale.parse(locale)
    return str.maketrans({",": numbers.get_group_symbol(parsed), ".": numbers.get_decimal_symbol(parsed),
                          "-": numbers.get_minus_sign_symbol(parsed)})


def _decimal_if_tie(value: float, digits: int) -> float | Decimal:
    """What to round: babel rounds the float's shortest decimal form (2.675 → 2.68) half-even, Python's
    float format the binary value (2.67499… → 2.67). They differ only when that decimal form ends in a 5
    just past the digits kept, a tie: only then the (five times slower) Decimal. Elsewhere the binary value
    lies on the same side of every tie as its shortest form, so both round alike."""
    shown = repr(value)
    _whole, _dot, fraction = shown.partition(".")
    if fraction[digits:] == "5" or not shown[-1].isdigit() or "e" in shown:  # a tie; nan, inf, 1e-07
        return Decimal(shown)
    return value


class NumberFormat:
    """Numbers in the current locale, looked up once: 12.345 and 93,48% in Vietnamese, 12,345 and 93.48% in
    English. What babel's "#,##0.0…" pattern gives (groups of three, half-even rounding of the decimal
    value) without parsing the pattern and finding the locale on every call: a board of 1,800 teams
    formats some 9,000 numbers (`{% set fmt = number_format() %}` before such a loop)."""

    def __init__(self) -> None:
        self.locale = str(get_locale())
        self.table = _number_symbols(self.locale)
        self.decimal = self.table[ord(".")]

    def number(self, value, digits: int = 0) -> str:
        if isinstance(value, int):  # exact however large ("f" would go through a float)
            text = format(value, ",") + ("." + "0" * digits if digits else "")
        elif isinstance(value, float):
            text = format(_decimal_if_tie(value, digits), f",.{digits}f")
        elif isinstance(value, Decimal):
            text = format(value, f",.{digits}f")
        else:
            return numbers.format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""),
                                          locale=self.locale)
        return text.translate(self.table)

    def percent(self, value: float | None) -> str:
        """Two decimals, as ward reports write them."""
        return "–" if value is None else self.number(value, 2) + "%"

    def share(self, part: int, whole: int) -> str:
        """`percent(100 * part / whole)` ("–" for no whole) worked out in integers, half to even as babel rounds:
        a board's tables write a share in every cell. A tie in integers is a tie in the float's shortest form."""
        if not whole:
            return "–"
        hundredths, rest = divmod(10000 * part, whole)
        if 2 * rest > whole or (2 * rest == whole and hundredths % 2):
            hundredths += 1
        units, cents = divmod(hundredths, 100)
        if units < 1000:  # no group to separate: the locale's decimal sign alone
            return f"{units}{self.decimal}{cents:02}%"
        return f"{units:,}.{cents:02}%".translate(self.table)


def format_percent(value: float | None) -> str:
    """93,48% in Vietnamese, 93.48% in English: two decimals, as ward reports write them."""
    return NumberFormat().percent(value)


def day_text(value: date | None) -> str:
    """15/10/2025, the same in every language; "" for none. Written out: strftime and Babel's look-ups cost more
    than a page's SQL when a list has thousands of dates."""
    return "" if value is None else f"{value.day:02}/{value.month:02}/{value.year}"
