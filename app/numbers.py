"""Numbers written for people, shared by pages (template filters) and exports (services), so neither
imports the other."""

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


class NumberFormat:
    """Numbers in the current locale, looked up once: 12.345 and 93,48% in Vietnamese, 12,345 and 93.48% in
    English. What babel's "#,##0.0…" pattern gives (groups of three, half-even rounding of the decimal
    value) without parsing the pattern and finding the locale on every call: a board of 1,800 teams
    formats some 9,000 numbers (`{% set fmt = number_format() %}` before such a loop)."""

    def __init__(self) -> None:
        self.locale = str(get_locale())
        self.table = _number_symbols(self.locale)

    def number(self, value, digits: int = 0) -> str:
        if isinstance(value, int):  # exact however large ("f" would go through a float)
            text = format(value, ",") + ("." + "0" * digits if digits else "")
        elif isinstance(value, float | Decimal):
            text = format(Decimal(str(value)) if isinstance(value, float) else value, f",.{digits}f")
        else:
            return numbers.format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""),
                                          locale=self.locale)
        return text.translate(self.table)

    def percent(self, value: float | None) -> str:
        """Two decimals, as ward reports write them."""
        return "–" if value is None else self.number(value, 2) + "%"


def format_percent(value: float | None) -> str:
    """93,48% in Vietnamese, 93.48% in English: two decimals, as ward reports write them."""
    return NumberFormat().percent(value)
