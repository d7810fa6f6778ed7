"""Forms of the official figures: the coordinator's entry for a period, the province's targets and its file."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from app.extensions import lazy_gettext as _l
from app.forms import DayField, Form
from app.models import RATE_INDICATORS, OfficialIndicator
from app.services.reports import official
from app.services.reports.indicators import DEFINITIONS


class CountField(StringField):
    """A whole number of 0 or more, or nothing: "1.234" is 1234; anything else is refused with its message."""

    def __init__(self, label=None, message=None, **kwargs):
        super().__init__(label, render_kw={"inputmode": "numeric", "autocomplete": "off"}, **kwargs)
        self.message = message or _l("Enter a whole number, 0 or more.")

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "") or ""
        self.raw_text = text.strip()[:40]
        self.data = official.parse_count(text)
        if self.raw_text and self.data is None:
            raise ValueError(self.message)

    def _value(self):
        if getattr(self, "raw_text", None) is not None and self.data is None:
            return self.raw_text
        return "" if self.data is None else str(self.data)


_NUMERATOR = _l("The numerator must be a whole number, 0 or more.")
_DENOMINATOR = _l("The denominator must be a whole number, 0 or more.")


class EntryForm(Form):
    """A unit's official figures for one period; the period's choices are set by the view."""

    period = SelectField(_l("Period"), validators=[DataRequired(message=_l("Choose a period."))])
    digitised_numerator = CountField(official.NUMERATORS[OfficialIndicator.DIGITISED], _NUMERATOR)
    digitised_denominator = CountField(official.DENOMINATORS[OfficialIndicator.DIGITISED], _DENOMINATOR)
    online_dossiers_numerator = CountField(official.NUMERATORS[OfficialIndicator.ONLINE_DOSSIERS], _NUMERATOR)
    online_dossiers_denominator = CountField(official.DENOMINATORS[OfficialIndicator.ONLINE_DOSSIERS], _DENOMINATOR)
    online_payment_numerator = CountField(official.NUMERATORS[OfficialIndicator.ONLINE_PAYMENT], _NUMERATOR)
    online_payment_denominator = CountField(official.DENOMINATORS[OfficialIndicator.ONLINE_PAYMENT], _DENOMINATOR)
    level2_accounts_numerator = CountField(official.NUMERATORS[OfficialIndicator.LEVEL2_ACCOUNTS], _NUMERATOR)

    def values(self) -> dict[OfficialIndicator, tuple[int | None, int | None]]:
        result = {}
        for indicator in OfficialIndicator:
            denominator = getattr(self, f"{indicator.value}_denominator", None)
            result[indicator] = (getattr(self, f"{indicator.value}_numerator").data,
                                 denominator.data if denominator is not None else None)
        return result

    def fill(self, stored: dict[OfficialIndicator, tuple[int, int | None]]) -> None:
        for indicator, (numerator, denominator) in stored.items():
            getattr(self, f"{indicator.value}_numerator").data = numerator
            if indicator in RATE_INDICATORS:
                getattr(self, f"{indicator.value}_denominator").data = denominator


class ProvinceTargetForm(Form):
    # Grouped: the units' official figures, and the household indicators the target is a province-wide default of.
    indicator = SelectField(_l("Indicator"), choices=[
        *(SelectChoice(i.value, official.LABELS[i], optgroup=_l("Official figures")) for i in RATE_INDICATORS),
        *(SelectChoice(d.key.value, d.label, optgroup=_l("Household indicators (default for every xã, phường)"))
          for d in DEFINITIONS),
    ], validators=[DataRequired(message=_l("Choose an indicator."))])
    valid_from = DayField(_l("In force from"), validators=[InputRequired(message=_l("Choose the first day."))])
    value = DecimalField(_l("Target (%)"), places=2, validators=[
        InputRequired(message=_l("Enter the target as a percentage.")),
        NumberRange(min=0, max=100, message=_l("A target is a percentage from 0 to 100."))],
        render_kw={"inputmode": "decimal"})


class FiguresFileForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[
        FileRequired(message=_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], message=_l("Choose a CSV or XLSX file.")),
    ])
