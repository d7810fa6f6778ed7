from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from app.extensions import lazy_gettext as _l
from app.forms import Form, UnitField

_LOGIN_CHARS = Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use only letters without accents, digits, dot, dash or underscore."))


class NewPasswordMixin:
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class UserForm(NewPasswordMixin, Form):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    username = StringField(_l("Login name"), validators=[DataRequired(), Length(min=3, max=60), _LOGIN_CHARS],
                           render_kw={"autocapitalize": "none"})
    role = SelectField(_l("Role"), validators=[DataRequired()])
    ward_code = UnitField(_l("Commune/ward"), validators=[Optional()])
    team_id = SelectField(_l("Team"), coerce=int, validators=[Optional()])


class PasswordResetForm(NewPasswordMixin, Form):
    pass


class ProvinceLoadForm(Form):
    pass
