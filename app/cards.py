"""The indicator cards atop the ward and province boards: each card's words and numbers written once here, in the
reader's language, and placed by templates/macros/ui.html (`indicator_card`). A card asked the template for some
forty translations, filters and nested macros; eight of them cost a ward's board more than all its queries."""

from dataclasses import dataclass

from app.models import Indicator
from app.numbers import NumberFormat
from app.services.reports.coverage import Row
from app.services.reports.figures import Ratio
from app.services.reports.indicators import BAND_LABELS, DEFINITIONS
from app.services.reports.targets import TargetSource


@dataclass(slots=True)
class RatioText:
    """A ratio as a page writes it: "12 / 40 (30,00%)", and its numbers for a progress bar."""

    part: int
    whole: int
    text: str
    percent: str


def ratio_text(ratio: Ratio, fmt: NumberFormat) -> RatioText:
    percent = fmt.share(ratio.part, ratio.whole)
    return RatioText(ratio.part, ratio.whole, f"{fmt.number(ratio.part)} / {fmt.number(ratio.whole)} ({percent})",
                     percent)


@dataclass(slots=True)
class BesideText:
    key: str
    label: str
    to_date: str
    in_period: str | None


@dataclass(slots=True)
class Card:
    key: str
    band: str  # the band's CSS class
    band_label: str
    label: str
    to_date: RatioText
    target: str | None
    target_is_default: bool  # the province's default, not the unit's own target
    period_numerator: str
    in_period: RatioText | None
    beside: list[BesideText]
    rates: tuple[str, str] | None  # visits per active member per week: this week, in the period
    explanation: str
    counted: str  # "numerator / denominator"


def indicator_cards(total: Row, with_rates: bool = False) -> list[Card]:
    """One card per indicator of `total` (a ward's row, or the province's); `with_rates`: the activity card also
    gives the visits per active member per week."""
    fmt = NumberFormat()

    def rate(value: float | None) -> str:
        return "–" if value is None else fmt.number(value, 1)

    week_rate, period_rate = total.visits_per_member_week, total.visits_per_member_period
    rates = None if not with_rates or (week_rate, period_rate) == (None, None) else (rate(week_rate), rate(period_rate))
    cards = []
    for definition in DEFINITIONS:
        figure = total.figures[definition.key]
        cards.append(Card(
            key=str(definition.key), band=figure.band, band_label=str(BAND_LABELS[figure.band]),
            label=str(definition.label), to_date=ratio_text(figure.to_date, fmt),
            target=None if figure.target is None else fmt.percent(figure.target),
            target_is_default=figure.target_source == TargetSource.PROVINCE,
            period_numerator=str(definition.period_numerator or ""),
            in_period=None if figure.in_period is None else ratio_text(figure.in_period, fmt),
            beside=[BesideText(b.key, str(b.label), fmt.number(b.to_date),
                               None if b.in_period is None else fmt.number(b.in_period)) for b in figure.beside],
            rates=rates if definition.key == Indicator.ACTIVITY else None,
            explanation=str(definition.explanation), counted=f"{definition.numerator} / {definition.denominator}"))
    return cards
