from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.extensions import lazy_gettext as _l
from app.field.forms import CheckboxListField
from app.forms import Form
from app.models import PRIORITY_TAGS, HouseholdStatus
from app.services.lists.areas import MAX_OFFICIAL_HOUSEHOLDS

STATUS_LABELS = {
    HouseholdStatus.ACTIVE: _l("Active"),
    HouseholdStatus.MOVED: _l("Moved"),
    HouseholdStatus.MERGED: _l("Merged into another"),
}


class AreaForm(Form):
    name = StringField(_l("Area name"), validators=[DataRequired(), Length(max=120)])
    official_households = IntegerField(
        _l("Official household count (optional)"),
        validators=[Optional(), NumberRange(min=0, max=MAX_OFFICIAL_HOUSEHOLDS)],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_OFFICIAL_HOUSEHOLDS})


class UnitSettingsForm(Form):
    """The unit's own settings; the choices are filled in the reader's language by the view."""

    area_word = RadioField(_l("What the unit calls its residential areas"),
                           validators=[InputRequired(message=_l("Choose one of the words in the list."))])


class TeamForm(Form):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=120)])


class TeamEditForm(TeamForm):
    area_ids = CheckboxListField(_l("Areas the team covers"), coerce=int, validators=[Optional()])
    member_ids = CheckboxListField(_l("Members"), coerce=int, validators=[Optional()])


class HouseholdFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Address or name"), validators=[Optional(), Length(max=100)],
                    render_kw={"placeholder": _l("Address, house number or name"), "autocomplete": "off"})
    area = SelectField(_l("Area"), coerce=int, default=0, validators=[Optional()])
    status = SelectField(_l("Status"), default="", validators=[Optional()],
                         choices=[("", _l("All statuses")), *((s.value, label) for s, label in STATUS_LABELS.items())])
    tag = SelectField(_l("Priority"), default="", validators=[Optional()],
                      choices=[("", _l("All households")), *PRIORITY_TAGS.items()])
    stale = BooleanField(_l("Not visited for 90 days"))


class MergeForm(Form):
    other_id = RadioField(_l("The same household, listed again"), coerce=int,
                          validators=[InputRequired(message=_l("Choose the household to merge into this one."))])


class EraseForm(Form):
    confirm = BooleanField(_l("The household asked that its details be erased"),
                           validators=[DataRequired(message=_l("Tick the box to confirm the request."))])


class ImportForm(Form):
    file = FileField(_l("CSV or XLSX file"), validators=[
        FileRequired(message=_l("Choose a file.")),
        FileAllowed(["csv", "xlsx"], message=_l("Choose a CSV or XLSX file.")),
    ], render_kw={"accept": ".csv,.xlsx"})
