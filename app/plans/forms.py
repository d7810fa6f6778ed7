"""The form of a planned item: its day, kind, area or place, note and the members assigned."""

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.extensions import lazy_gettext as _l
from app.field.forms import CheckboxListField
from app.forms import DayField, Form
from app.models import ACTIVITY_KIND_LABELS, User
from app.services import plans
from app.services.scope import as_id
from app.units import area_word


def _area_id(value) -> int | None:
    """The area chosen, None for none; what names no row is refused by the service as not one of the team's."""
    if value in (None, ""):
        return None
    key = as_id(value)
    if key is None:
        raise ValueError(_l("Not a valid choice."))
    return key


class PlanForm(Form):
    planned_on = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter the date of the activity."))])
    kind = RadioField(_l("Kind of activity"), choices=[(k.value, v) for k, v in ACTIVITY_KIND_LABELS.items()],
                      validators=[InputRequired(message=_l("Choose the kind of activity."))])
    # Not checked against the choices here: the service says what is wrong (not one of the team's areas).
    area_id = SelectField(_l("Area"), coerce=_area_id, choices=[], validate_choice=False)
    place = StringField(_l("Place (optional)"), validators=[Optional(), Length(max=200)],
                        render_kw={"placeholder": _l("e.g. one-stop shop of the People's Committee"),
                                   "autocomplete": "off"})
    member_ids = CheckboxListField(_l("Members assigned (none: the whole team)"), coerce=int, choices=[],
                                   validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 2, "placeholder": _l("Never write a citizen-ID number, a password or an OTP.")})


def plan_form(actor: User, formdata=None, obj=None) -> PlanForm:
    """The form with the actor's team's areas and members as choices."""
    form = PlanForm(formdata=formdata, obj=obj) if formdata is not None else PlanForm(obj=obj)
    form.area_id.choices = [("", _l("No area"))] + [(a.id, a.name) for a in plans.team_areas_of(actor)]
    form.area_id.label.text = area_word(actor.ward).One
    form.member_ids.choices = [(u.id, u.display_name) for u in plans.team_members(actor)]
    if obj is not None and not form.is_submitted():
        form.member_ids.data = [u.id for u in obj.members]
    return form


def plan_input(form: PlanForm) -> plans.PlanInput:
    return plans.PlanInput(planned_on=form.planned_on.data, kind=form.kind.data, area_id=form.area_id.data,
                           place=form.place.data, note=form.note.data, member_ids=tuple(form.member_ids.data or ()))
