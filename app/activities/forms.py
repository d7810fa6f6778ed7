"""The activity form: the page and the sync API fill the same one (a queued activity is this form as JSON)."""

import base64
import binascii
from collections.abc import Sequence

from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import Field, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional

from app.collation import by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.field.forms import CheckboxListField
from app.forms import DayField, Form
from app.models import ACTIVITY_KIND_LABELS, ONLINE_SERVICES, User
from app.services import activities, activity_photos
from app.services.scope import scoped
from app.units import area_word

_COUNT = NumberRange(min=0, max=activities.MOST_PER_ACTIVITY,
                     message=_l("Enter a number of people from 0 to %(max)s."))
_COUNT_INPUT = {"inputmode": "numeric", "min": 0, "max": activities.MOST_PER_ACTIVITY}
ELSEWHERE = ""  # the place choice "somewhere else": the place is typed


class PhotosField(Field):
    """Photos the phone shrank, each a JPEG as base64 text: hidden fields on the page (static/js/photos.js), a list
    in a queued activity's JSON. `raw` keeps the text so a form sent back with errors keeps its photos."""

    data: list[bytes]
    raw: list[str]

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)
        self.raw = []

    def process_formdata(self, valuelist):
        self.raw = [value for value in valuelist if value][:activity_photos.MOST_PHOTOS + 1]
        self.data = []
        for value in self.raw:
            try:
                self.data.append(base64.b64decode(value, validate=True))
            except (binascii.Error, ValueError) as error:
                raise ValueError(activity_photos.NOT_A_PHOTO) from error


def uploaded_photos(files: list[FileStorage]) -> list[bytes]:
    """Photos sent as files by a phone without the app's script (read at most one byte past the limit)."""
    return [f.read(activity_photos.MOST_BYTES + 1) for f in files if f.filename][:activity_photos.MOST_PHOTOS + 1]


class PhotoForm(Form):
    """More photos for an activity already stored."""

    photos = PhotosField(_l("Photos of the activity"))


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
    photos = PhotosField(_l("Photos of the activity"))

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


def activity_input(form: ActivityForm, uploaded: Sequence[bytes] = ()) -> activities.ActivityInput:
    return activities.ActivityInput(
        client_id=form.client_id.data, kind=form.kind.data, held_on=form.held_on.data,
        area_id=int(form.area_id.data) if form.area_id.data else None, place=form.place.data,
        people_online=form.people_online.data, level2_activated=form.level2_activated.data,
        people_trained=form.people_trained.data,
        services={key: form[f"service_{key}"].data or 0 for key in ONLINE_SERVICES},
        team_ids=tuple(form.team_ids.data or ()), member_ids=tuple(form.member_ids.data or ()), note=form.note.data,
        photos=(*form.photos.data, *uploaded),
    )
