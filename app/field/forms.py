from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import DayField, DayTimeField, Form
from app.models import ONLINE_SERVICES, PRIORITY_TAGS
from app.models.visit import OUTCOME_LABELS

_COUNT = NumberRange(min=0, max=30)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HouseholdForm(Form):
    client_id = HiddenField(validators=[Optional(), UUID()])
    area_id = SelectField(_l("Area"), coerce=int, validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=200)],
                          render_kw={"placeholder": _l("e.g. 51/3 Hẻm 51, Đường 3 Tháng 2"), "autocomplete": "off"})
    display_name = StringField(_l("Name shown (optional)"), validators=[Optional(), Length(max=120)],
                               render_kw={"autocomplete": "off"})
    people = IntegerField(_l("People in the household"), default=1,
                          validators=[InputRequired(), NumberRange(min=1, max=50)],
                          render_kw={"inputmode": "numeric", "min": 1, "max": 50})
    eligible_people = IntegerField(_l("People aged 14 and over"), default=1,
                                   validators=[InputRequired(), NumberRange(min=0, max=50)],
                                   render_kw={"inputmode": "numeric", "min": 0, "max": 50})
    priority_tags = CheckboxListField(_l("Priority"), choices=list(PRIORITY_TAGS.items()), validators=[Optional()])
    tags_consent = BooleanField(_l("The household agrees that we keep these groups"))
    phone = StringField(_l("Phone (optional)"), validators=[
        Optional(), Length(max=20), Regexp(r"^\+?[0-9 .]{8,20}$", message=_l("Enter a phone number of digits only."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"})
    phone_consent = BooleanField(_l("The household agrees that we keep this phone number"))
    confirm_new = BooleanField(_l("This is a different household: add it anyway"))


class VisitForm(Form):
    client_id = HiddenField(validators=[DataRequired(), UUID()])
    household_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    visited_at = DayTimeField(_l("Time of the visit"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    outcome = RadioField(_l("Outcome"), choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()],
                         validators=[InputRequired(message=_l("Choose the outcome of the visit."))])
    vneid_installed = IntegerField(_l("VNeID installed for (people)"), default=0, validators=[InputRequired(), _COUNT],
                                   render_kw={"inputmode": "numeric", "min": 0, "max": 30})
    level2_activated = IntegerField(_l("Level 2 activated for (people)"), default=0,
                                    validators=[InputRequired(), _COUNT], render_kw={"inputmode": "numeric", "min": 0, "max": 30})
    services = CheckboxListField(_l("Online public services shown"), choices=list(ONLINE_SERVICES.items()),
                                 validators=[Optional()])
    online_people = IntegerField(_l("People shown online services"), default=0, validators=[InputRequired(), _COUNT],
                                 render_kw={"inputmode": "numeric", "min": 0, "max": 30})
    cashless_setup = BooleanField(_l("Cashless payment set up"))
    other_help = StringField(_l("Other help"), validators=[Optional(), Length(max=300)])
    helper_ids = CheckboxListField(_l("Team-mates who came along"), coerce=int, choices=[], validators=[Optional()])
    followup_needed = BooleanField(_l("Needs a follow-up visit"))
    followup_reason = StringField(_l("Why"), validators=[Optional(), Length(max=200)])
    followup_due = DayField(_l("Come back by"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 3, "placeholder": _l("Never write a citizen-ID number, a password or an OTP.")})
