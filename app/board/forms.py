from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import DataRequired

from app.forms import Form


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
