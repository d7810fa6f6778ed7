"""The activity form: the page and the sync API fill the same one (a queued activity is this form as JSON)."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional

from app.collation import by_name
from app.extensions import db
from app.field.forms import CheckboxListField
from app.forms import DayField, Form
from app.models import ACTIVITY_KIND_LABELS, ONLINE_SERVICES, User
from app.services import activities
from app.services.scope import scoped
from app.units import area_word

_COUNT = NumberRange(min=0, max=activities.MOST_PER_ACTIVITY,
                     message=_l("Enter a number of people from 0 to %(max)s."))
_COUNT_INPUT = {"inputmode": "numeric", "min": 0, "max": activities.MOST_PER_ACTIVITY}
ELSEWHERE = ""  # the place choice "somewhere else": the place is typed


class ActivityForm(Form):
    client_id = HiddenField(validators=[DataRequired(), UUID()])
    kind = RadioField(_l("Kind of activity"), choices=[(k.value, v) for k, v in ACTIVITY_KIND_LABELS.items()],
                      validators=[InputRequired(message=_l("Choose the kind of activity."))])
    held_on = DayField(_l("Date"), validators=[InputRequired(message=_l("Enter the date of the activity."))])
    area_id = SelectField(_l("Area"), choices=[], default=ELSEWHERE)
    place = StringField(_l("Or another place"), validators=[Optional(), Length(max=200)],
                        render_kw={"placeholder": _l("e.g. one-stop shop of the People's Committee"),
                                   "autocomplete": "off"})
    team_ids = CheckboxListField(_l("Other teams that took part"), coerce=int, choices=[], validators=[Optional()])
    member_ids = CheckboxListField(_l("Team-mates present"), coerce=int, choices=[], validators=[Optional()])
    people_online = IntegerField(_l("People helped with online services"), default=0,
                                 validators=[InputRequired(), _COUNT], render_kw=_COUNT_INPUT)
    level2_activated = IntegerField(_l("VNeID level-2 activations"), default=0, validators=[InputRequired(), _COUNT],
                                    render_kw=_COUNT_INPUT)
    people_trained = IntegerField(_l("People trained"), default=0, validators=[InputRequired(), _COUNT],
                                  render_kw=_COUNT_INPUT)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 3, "placeholder": _l("Never write a citizen-ID number, a password or an OTP.")})

    @property
    def service_fields(self):
        return [self[f"service_{key}"] for key in ONLINE_SERVICES]


# People helped per online service: one number each, the same list as the visit form's.
for _key, _label in ONLINE_SERVICES.items():
    setattr(ActivityForm, f"service_{_key}", IntegerField(_label, default=0, validators=[Optional(), _COUNT],
                                                          render_kw=_COUNT_INPUT))


def activity_form(formdata=None, csrf: bool = True) -> ActivityForm:
    """The form with the actor's unit's areas and teams and its team-mates as choices."""
    form = ActivityForm(formdata=formdata, meta={"csrf": csrf}) if formdata is not None else ActivityForm()
    form.area_id.choices = [(ELSEWHERE, _l("Somewhere else (type the place)"))] + [
        (str(a.id), a.name) for a in activities.unit_areas(current_user)]
    form.area_id.label.text = area_word(current_user.ward).One
    form.team_ids.choices = [(t.id, t.name) for t in activities.other_teams(current_user)]
    mates = db.session.scalars(scoped(current_user, User).where(User.active.is_(True), User.id != current_user.id)
                               .order_by(by_name(User.display_name)))
    form.member_ids.choices = [(u.id, u.display_name) for u in mates]
    return form


def activity_input(form: ActivityForm) -> activities.ActivityInput:
    return activities.ActivityInput(
        client_id=form.client_id.data, kind=form.kind.data, held_on=form.held_on.data,
        area_id=int(form.area_id.data) if form.area_id.data else None, place=form.place.data,
        people_online=form.people_online.data, level2_activated=form.level2_activated.data,
        people_trained=form.people_trained.data,
        services={key: form[f"service_{key}"].data or 0 for key in ONLINE_SERVICES},
        team_ids=tuple(form.team_ids.data or ()), member_ids=tuple(form.member_ids.data or ()), note=form.note.data,
    )
