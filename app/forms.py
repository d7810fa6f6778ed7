"""The base form: WTForms' own messages are translated through our catalogs (it ships no Vietnamese); the
date fields every form uses."""

import re
from datetime import date, datetime

from flask_babel import get_translations, gettext, lazy_ngettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from wtforms import DateTimeLocalField, Field
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from app.extensions import lazy_gettext as _l
from app.services.text import fold, holds_words


class _BabelTranslations:
    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # WTForms fills the placeholders itself; flask_babel.ngettext would try first.
        return get_translations().ungettext(singular, plural, n)


class FieldData(ImmutableMultiDict):
    """Fields sent by a person (query string, form, JSON object) without NUL characters: no person types one,
    and PostgreSQL text cannot hold one. Every request's query string and form come as this (app.web), and
    so does the sync API's JSON, so the rule is kept at the door once."""

    def __init__(self, mapping=None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in pairs])


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _BabelTranslations()


# Every date the app takes in (a period, a target, a campaign, a visit, a follow-up) lies in these years. Year 1 or
# 9999 means nothing here, and date arithmetic next to them (a day before, a time zone away) overflows.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class _SupportedDates:
    """A date field that refuses, with its message, a date outside FIRST_DAY..LAST_DAY."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        day = self.data.date() if isinstance(self.data, datetime) else self.data
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            self.data = None
            raise ValueError(_l("Choose a date from %(first)s to %(last)s.", first=f"{FIRST_DAY:%d/%m/%Y}",
                                last=f"{LAST_DAY:%d/%m/%Y}"))


# A day as people here write it (14/12/2026, 4/1/2026), or as links and older pages send it (2026-12-14).
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
BAD_DAY = _l("Enter the date as day/month/year, for example 14/12/2026.")


def parse_day(text: str) -> date | None:
    """The day `text` names (dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd), None if it names none."""
    text = text.strip()
    if found := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in found.groups())
    elif found := _ISO_DAY.fullmatch(text):
        year, month, day = (int(part) for part in found.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _DayText(Field):
    """A day typed as text, shown as dd/mm/yyyy: `<input type="date">` follows the phone's locale (mm/dd/yyyy on
    an English phone), and Vietnamese readers expect day/month/year whatever their phone's language."""

    widget = TextInput()
    raw_text: str | None = None  # what was typed, shown again when it names no day

    def __init__(self, label=None, validators=None, render_kw=None, **kwargs):
        render_kw = {"inputmode": "numeric", "placeholder": "dd/mm/yyyy", "autocomplete": "off", "maxlength": 10,
                     **(render_kw or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "") or ""
        self.raw_text = text.strip()[:40]
        self.data = parse_day(text) if self.raw_text else None
        if self.raw_text and self.data is None:
            raise ValueError(BAD_DAY)

    def _value(self):
        if self.data is not None:
            return f"{self.data:%d/%m/%Y}"
        return self.raw_text or ""


class DayField(_SupportedDates, _DayText):
    pass


class DayTimeField(_SupportedDates, DateTimeLocalField):
    pass


class UnitField(Field):
    """A unit picked by typing its name: among a province's 100-odd units a search, not a list to scroll
    (templates/macros/units.html gives the list of names and static/js/unit-search.js the suggestions). The
    text names a choice by its value (a unit's code, as links and earlier pages send it), by its whole name or
    its place name, folded ("thoi lai" is "Xã Thới Lai"), or by words that only one choice's name holds.
    `choices` (value, name) are set by the view, in Vietnamese alphabetical order."""

    widget = TextInput()
    raw_text: str | None = None

    def __init__(self, label=None, validators=None, render_kw=None, **kwargs):
        render_kw = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", **(render_kw or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.choices: list[tuple[object, str]] = []

    def process_formdata(self, valuelist):
        self.raw_text = ((valuelist[0] if valuelist else "") or "").strip()[:100]
        self.data = None

    def pre_validate(self, form):
        # Here, not in process_formdata: the view sets the choices after the form has read what was sent.
        if self.raw_text:
            self.data = self._choose(self.raw_text)

    def _choose(self, text: str):
        for value, _name in self.choices:
            if str(value) == text:
                return value
        if text.isdigit():  # a code that is not one of the choices
            raise StopValidation(_l("Not a valid choice."))
        folded = fold(text)
        for rule in (lambda name: name == folded, lambda name: name.endswith(" " + folded)):
            named = [value for value, name in self.choices if rule(fold(name))]
            if len(named) == 1:
                return named[0]
        found = [value for value, name in self.choices if holds_words(name, text)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise StopValidation(_l("No unit in the list is called “%(text)s”: type part of its name and choose it "
                                "from the suggestions.", text=text))
        raise StopValidation(_l("%(count)s units match “%(text)s”: type more of the name and choose one from the "
                            "suggestions.", count=len(found), text=text))

    @property
    def names(self) -> list[str]:
        return [name for _value, name in self.choices]

    def _value(self):
        chosen = next((name for value, name in self.choices if value == self.data), None)
        return chosen if self.data is not None and chosen else (self.raw_text or "")


def show_refusal(form, error) -> None:
    """Put a service's refusal (a FieldError) under the form field it concerns."""
    getattr(form, error.field).errors.append(str(error.message))


# WTForms' built-in messages that our forms can show; listed so that extraction puts them in the catalogs.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid decimal value."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
)
