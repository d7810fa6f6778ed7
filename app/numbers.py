"""Numbers written for people, shared by pages (a template filter) and exports (services), so neither
imports the other."""

from flask_babel import format_decimal


def format_percent(value: float | None) -> str:
    """93,48% in Vietnamese, 93.48% in English: two decimals, as ward reports write them."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.00") + "%"
