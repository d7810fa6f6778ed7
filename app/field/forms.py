from flask_babel import to_utc
from flask_login import current_user
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

from app.collation import by_name
from app.extensions import db
from app.extensions import lazy_gettext as _l
from app.forms import DayField, DayTimeField, Form
from app.models import ONLINE_SERVICES, PRIORITY_TAGS, Area, User, Visit
from app.models.visit import OUTCOME_LABELS
from app.services import visits
from app.services.lists import households
from app.services.scope import scoped
from app.units import area_word

# WTForms' own message, lazy: UUID() translates its default on every check, even one that passes.
_CLIENT_ID = UUID(message=_l("Invalid UUID."))
_COUNT = NumberRange(min=0, max=visits.MOST_PER_VISIT, message=_l("Enter a number of people from 0 to %(max)s."))
_COUNT_INPUT = {"inputmode": "numeric", "min": 0, "max": visits.MOST_PER_VISIT}


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HouseholdForm(Form):
    client_id = HiddenField(validators=[Optional(), _CLIENT_ID])
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
    # Not required: a household queued on a phone before this field was added sends none.
    children = IntegerField(_l("Children aged 6 to 13"), default=0,
                            validators=[Optional(), NumberRange(min=0, max=50)],
                            render_kw={"inputmode": "numeric", "min": 0, "max": 50})
    priority_tags = CheckboxListField(_l("Priority"), choices=list(PRIORITY_TAGS.items()), validators=[Optional()])
    tags_consent = BooleanField(_l("The household agrees that we keep these groups"))
    phone = StringField(_l("Phone (optional)"), validators=[
        Optional(), Length(max=20), Regexp(r"^\+?[0-9 .]{8,20}$", message=_l("Enter a phone number of digits only."))],
        render_kw={"inputmode": "tel", "autocomplete": "off"})
    phone_consent = BooleanField(_l("The household agrees that we keep this phone number"))
    confirm_new = BooleanField(_l("This is a different household: add it anyway"))


class VisitForm(Form):
    # Hidden, so no label: without one WTForms translates one made from the name each time the form is built
    # (the sync API builds one per visit).
    client_id = HiddenField("", validators=[DataRequired(), _CLIENT_ID])
    household_id = HiddenField("", validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    # Opened from a follow-up: the visit that asked for it, closed when someone is met (services/visits.py).
    closes_followup = HiddenField("", validators=[Optional(), Regexp(r"^\d{1,12}$")])
    visited_at = DayTimeField(_l("Time of the visit"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    outcome = RadioField(_l("Outcome"), choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()],
                         validators=[InputRequired(message=_l("Choose the outcome of the visit."))])
    vneid_installed = IntegerField(_l("VNeID installed for (people)"), default=0, validators=[InputRequired(), _COUNT],
                                   render_kw=_COUNT_INPUT)
    level2_activated = IntegerField(_l("Level 2 activated for people aged 14 and over"), default=0,
                                    validators=[InputRequired(), _COUNT], render_kw=_COUNT_INPUT)
    # Not required: a phone's queued visit from before this field was added sends none.
    level2_children = IntegerField(_l("Level 2 activated for children aged 6 to 13"), default=0,
                                   validators=[Optional(), _COUNT], render_kw=_COUNT_INPUT)
    services = CheckboxListField(_l("Online public services shown"), choices=list(ONLINE_SERVICES.items()),
                                 validators=[Optional()])
    online_people = IntegerField(_l("People shown online services"), default=0, validators=[InputRequired(), _COUNT],
                                 render_kw=_COUNT_INPUT)
    cashless_setup = BooleanField(_l("Cashless payment set up"))
    other_help = StringField(_l("Other help"), validators=[Optional(), Length(max=300)])
    helper_ids = CheckboxListField(_l("Team-mates who came along"), coerce=int, choices=[], validators=[Optional()])
    followup_needed = BooleanField(_l("Needs a follow-up visit"))
    followup_reason = StringField(_l("Why"), validators=[Optional(), Length(max=200)])
    followup_due = DayField(_l("Come back by"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         render_kw={"rows": 3, "placeholder": _l("Never write a citizen-ID number, a password or an OTP.")})


# Forms filled for the actor, and what they hold as the services' input: the pages here, the sync API and the
# coordinator's lists share them.

def household_form(formdata=None, csrf: bool = True) -> HouseholdForm:
    """The household form with the actor's areas as choices; the sync API fills it from JSON."""
    form = HouseholdForm(formdata=formdata, meta={"csrf": csrf}) if formdata is not None else HouseholdForm()
    areas = db.session.scalars(scoped(current_user, Area).where(Area.retired.is_(False)).order_by(by_name(Area.name)))
    form.area_id.choices = [(a.id, a.name) for a in areas]
    form.area_id.label.text = area_word(current_user.ward).One
    return form


def household_input(form: HouseholdForm) -> households.HouseholdInput:
    return households.HouseholdInput(
        area_id=form.area_id.data, address=form.address.data, display_name=form.display_name.data,
        people=form.people.data, eligible_people=form.eligible_people.data, children=form.children.data or 0,
        phone=form.phone.data,
        phone_consent=form.phone_consent.data, priority_tags=tuple(form.priority_tags.data or ()),
        tags_consent=form.tags_consent.data,
        client_id=form.client_id.data or None,
    )


def visit_form(obj: Visit | None = None, formdata=None, csrf: bool = True) -> VisitForm:
    """The visit form with the actor's team-mates as choices; the sync API fills it from JSON."""
    form = VisitForm(formdata=formdata, meta={"csrf": csrf}) if formdata is not None else VisitForm(obj=obj)
    if formdata is None or "helper_ids" in formdata:
        # Read only when the page shows them or the data names some: most visits from the queue name none, and
        # a field with no data checks no choices.
        mates = db.session.scalars(scoped(current_user, User).where(User.active.is_(True), User.id != current_user.id)
                                   .order_by(by_name(User.display_name)))
        form.helper_ids.choices = [(u.id, u.display_name) for u in mates]
    return form


def visit_input(form: VisitForm, client_id: str) -> visits.VisitInput:
    return visits.VisitInput(
        client_id=client_id, household_id=int(form.household_id.data),
        visited_at=to_utc(form.visited_at.data).replace(tzinfo=None), outcome=form.outcome.data,
        vneid_installed=form.vneid_installed.data, level2_activated=form.level2_activated.data,
        level2_children=form.level2_children.data or 0,
        online_people=form.online_people.data, services=tuple(form.services.data or ()),
        cashless_setup=form.cashless_setup.data, other_help=form.other_help.data,
        followup_needed=form.followup_needed.data, followup_reason=form.followup_reason.data,
        followup_due=form.followup_due.data, note=form.note.data, helper_ids=tuple(form.helper_ids.data or ()),
        closes_followup=int(form.closes_followup.data) if form.closes_followup.data else None,
    )
