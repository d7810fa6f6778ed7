from wtforms import DecimalField, SelectField, SelectMultipleField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.extensions import lazy_gettext as _l
from app.forms import DayField, Form
from app.models.visit import OUTCOME_LABELS, Outcome
from app.services.reports.indicators import DEFINITIONS


def _member_area(value: str) -> tuple[int, int]:
    """A ticked box's value, "member id:area id"."""
    user_id, _sep, area_id = value.partition(":")
    return int(user_id), int(area_id)


# Both fields are filled by the page itself, never typed: an error means a stale or tampered page.
_RELOAD = _l("The form was not sent as expected. Please reload the page and try again.")


class AreaAssignmentForm(Form):
    # Ids are not checked against choices here: the service answers 404 for any id outside the team.
    members = SelectMultipleField(_l("Members"), coerce=int, validate_choice=False,
                                  validators=[DataRequired(message=_RELOAD)], invalid_value_message=_RELOAD)
    pairs = SelectMultipleField(_l("Areas worked"), coerce=_member_area, validate_choice=False,
                                invalid_value_message=_RELOAD)


class PeriodForm(Form):
    """The period of the ward board and report (a GET form: nothing is changed, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end of the period is before its start."))


class TargetForm(Form):
    indicator = SelectField(_l("Indicator"), choices=[(d.key.value, d.label) for d in DEFINITIONS],
                            validators=[DataRequired(message=_l("Choose an indicator."))])
    period_start = DayField(_l("Period from"), validators=[InputRequired(message=_l("Choose the first day."))])
    period_end = DayField(_l("Period to"), validators=[InputRequired(message=_l("Choose the last day."))])
    value = DecimalField(_l("Target (%)"), places=2, validators=[
        InputRequired(message=_l("Enter the target as a percentage.")),
        NumberRange(min=0, max=100, message=_l("A target is a percentage from 0 to 100."))],
        render_kw={"inputmode": "decimal"})


class VisitFilterForm(Form):
    """Filters of the ward's visit list (a GET form)."""

    class Meta:
        csrf = False

    # Choices are the coordinator's areas, teams and volunteers (set by the view): any other id is refused.
    area = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    team = SelectField(_l("Team"), coerce=int, validators=[Optional()])
    volunteer = SelectField(_l("Volunteer"), coerce=int, validators=[Optional()])
    # No choice lists the households with no need for now by name.
    outcome = SelectField(_l("Outcome"), choices=[("", _l("Any outcome")), *(
        (outcome.value, label) for outcome, label in OUTCOME_LABELS.items() if outcome != Outcome.DECLINED)],
                          validators=[Optional()])
    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])
    flagged = SelectField(_l("Flag"), choices=[("", _l("All visits")), ("yes", _l("Flagged only")),
                                               ("no", _l("Not flagged"))], validators=[Optional()])


class FlagForm(Form):
    reason = TextAreaField(_l("Why does this visit look implausible?"), validators=[
        DataRequired(message=_l("Say why this visit looks implausible.")), Length(max=300)])
