from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.extensions import lazy_gettext as _l
from app.forms import DayField, Form, UnitField
from app.services.ranking import MAX_WEIGHT, RULES
from app.services.ranking.commendation import MAX_OUTCOMES, MAX_PLACES, CommendationRule

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


_PLACES = _l("Places are whole numbers from 1 to %(n)s.", n=MAX_PLACES)
_OUTCOMES = _l("Outcomes are whole numbers from 0 to %(n)s.", n=MAX_OUTCOMES)


def _places(label):
    return IntegerField(label, render_kw={"inputmode": "numeric", "min": 1, "max": MAX_PLACES},
                        validators=[InputRequired(message=_PLACES), NumberRange(min=1, max=MAX_PLACES, message=_PLACES)])


def _outcomes(label):
    return IntegerField(label, render_kw={"inputmode": "numeric", "min": 0, "max": MAX_OUTCOMES}, validators=[
        InputRequired(message=_OUTCOMES), NumberRange(min=0, max=MAX_OUTCOMES, message=_OUTCOMES)])


class CommendationForm(Form):
    """Who a campaign proposes for commendation; the field names are those of `CommendationRule`."""

    teams = _places(_l("Teams: the first places"))
    team_outcomes = _outcomes(_l("Teams: at least this many outcomes"))
    volunteers = _places(_l("Volunteers: the first places"))
    volunteer_outcomes = _outcomes(_l("Volunteers: at least this many outcomes"))

    def rule(self) -> CommendationRule:
        return CommendationRule(self.teams.data, self.team_outcomes.data, self.volunteers.data,
                                self.volunteer_outcomes.data)
