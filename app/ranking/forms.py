from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import DayField, Form, UnitField
from app.services.ranking import MAX_WEIGHT, RULES

PROVINCE = "province"
_POINTS = _l("Points are whole numbers from 0 to %(n)s.", n=MAX_WEIGHT)


class CampaignForm(Form):
    name = StringField(_l("Campaign name"), validators=[
        DataRequired(message=_l("Give the campaign a name.")),
        Length(max=150)])
    start_date = DayField(_l("First day"), validators=[InputRequired(message=_l("Choose the first day."))])
    end_date = DayField(_l("Last day"), validators=[InputRequired(message=_l("Choose the last day."))])
    # Choices (the leader's ward, or the province and its wards) are set by the view.
    scope = UnitField(_l("Who takes part"), validators=[DataRequired(message=_l("Choose who takes part."))])

    def weights(self) -> dict[str, int]:
        return {rule.key: self[weight_field(rule.key)].data for rule in RULES}


class WardFilterForm(Form):
    """The leaderboard narrowed to one commune or ward, typed and picked from suggestions (GET: a link keeps it)."""

    class Meta:
        csrf = False

    # Choices (the wards with teams in the campaign) are set by the view; empty is every ward.
    ward = UnitField(_l("Commune/ward"), validators=[Optional()])


def weight_field(key: str) -> str:
    return f"weight_{key}"


for _rule in RULES:
    setattr(CampaignForm, weight_field(_rule.key), IntegerField(
        _rule.label, default=_rule.default_weight, render_kw={"inputmode": "numeric", "min": 0, "max": MAX_WEIGHT},
        validators=[InputRequired(message=_POINTS), NumberRange(min=0, max=MAX_WEIGHT, message=_POINTS)]))
