from wtforms import IntegerField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.extensions import lazy_gettext as _l
from app.forms import DayField, Form
from app.models.geo import MAX_REPORT_DUE_DAYS
from app.services.reports.periodic import ReportText
from app.services.reports.periods import Cutoff, Kind, ReportPeriod, current, periods_in_year

KIND_LABELS = {Kind.MONTH: _l("Monthly"), Kind.QUARTER: _l("Quarterly"), Kind.HALF: _l("Six-monthly"),
               Kind.YEAR: _l("Yearly")}
CUTOFF_LABELS = {Cutoff.DECREE09: _l("15th to 14th (Decree 09/2019, Article 12)"),
                 Cutoff.CALENDAR: _l("Calendar month")}

KINDS, CUTOFFS = {k.value for k in Kind}, {c.value for c in Cutoff}


class PeriodChoiceForm(Form):
    """Which period's report (a GET form: choosing changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Report"), choices=[(k.value, label) for k, label in KIND_LABELS.items()],
                       default=Kind.MONTH.value, validators=[Optional()])
    cutoff = SelectField(_l("Cut-off"), choices=[(c.value, label) for c, label in CUTOFF_LABELS.items()],
                         default=Cutoff.DECREE09.value, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)],
                        render_kw={"inputmode": "numeric"})
    number = IntegerField(_l("Month, quarter or half (1, 2, …)"), validators=[Optional(), NumberRange(min=1, max=12)],
                          render_kw={"inputmode": "numeric"})

    def validate_number(self, field):
        if self.kind.data not in KINDS:
            return  # the kind itself is refused by its choices
        kind = Kind(self.kind.data)
        if field.data is not None and field.data > periods_in_year(kind):
            raise ValidationError(_l("A year has %(count)s such periods.", count=periods_in_year(kind)))

    def period(self) -> ReportPeriod:
        """The chosen period; what is left out is today's (a month by Decree 09's cut-off by default)."""
        kind = Kind(self.kind.data) if self.kind.data in KINDS else Kind.MONTH  # blank: the default
        cutoff = Cutoff(self.cutoff.data) if self.cutoff.data in CUTOFFS else Cutoff.DECREE09
        now = current(kind, cutoff)
        return ReportPeriod(kind, self.year.data or now.year, self.number.data or now.number, cutoff)

    def fill(self, period: ReportPeriod) -> None:
        self.kind.data, self.cutoff.data = period.kind.value, period.cutoff.value
        self.year.data, self.number.data = period.year, period.number


_TEXT = 20000


class ReportForm(Form):
    doc_number = StringField(_l("Number and symbol"), validators=[Length(max=40)],
                             render_kw={"placeholder": "15/BC-UBND"})
    place = StringField(_l("Place (before the date)"), validators=[Length(max=80)])
    doc_date = DayField(_l("Date of the report"), validators=[InputRequired(message=_l("Choose the report's date."))])
    results = TextAreaField(_l("Results of the period"), validators=[Length(max=_TEXT)], render_kw={"rows": 8})
    shortcomings = TextAreaField(_l("Shortcomings and limitations"), validators=[Length(max=_TEXT)],
                                 render_kw={"rows": 5})
    next_tasks = TextAreaField(_l("Tasks for the next period"), validators=[Length(max=_TEXT)], render_kw={"rows": 5})
    recipients = TextAreaField(_l("Recipients (Nơi nhận), one a line"), validators=[Length(max=2000)],
                               render_kw={"rows": 4})
    signer_title = TextAreaField(_l("Signer's title"), validators=[Length(max=120)], render_kw={"rows": 2})
    signer_name = StringField(_l("Signer's name"), validators=[Length(max=120)])

    def text(self) -> ReportText:
        return ReportText(**{name: getattr(self, name).data for name in ReportText.__dataclass_fields__})

    def fill(self, text) -> None:
        for name in ReportText.__dataclass_fields__:
            getattr(self, name).data = getattr(text, name)


class DueDaysForm(Form):
    """The province's deadline for its units' reports, in days after a period's last day."""

    due_days = IntegerField(_l("Reports are due this many days after the period's last day"), validators=[
        InputRequired(message=_l("Enter a number of days.")),
        NumberRange(min=0, max=MAX_REPORT_DUE_DAYS,
                    message=_l("Enter a number of days from 0 to %(most)s.", most=MAX_REPORT_DUE_DAYS))],
        render_kw={"inputmode": "numeric"})
