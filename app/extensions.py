"""Flask extensions, created once and bound to the app in create_app()."""

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from flask import g
from flask_babel import Babel, Domain, get_locale
from flask_babel.speaklater import LazyString
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    class Model(Base):
        """What `db.Model` is at run time (Flask-SQLAlchemy builds it from Base), named for the type checker."""
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
T = TypeVar("T")


def kept_for_locale(name: str, make: Callable[[], T]) -> T:
    """What `make()` gives, made once per request and locale and kept on g as `name`: a board asks for hundreds
    of words and numbers, and Flask-Babel walks the request's context some ten times to find the locale of
    each. A locale forced for a document (`force_locale`) is another locale object, so its own is made."""
    try:
        kept = g._get_current_object().__dict__  # one look through the proxy, not one per name
    except RuntimeError:  # no app context (a command before its context, an import)
        return make()
    locale = getattr(kept.get("_flask_babel"), "babel_locale", None)
    found = kept.get(name)
    if found is None or found[0] is not locale or locale is None:
        made = make()
        kept[name] = found = (get_locale(), made)
    return found[1]


class _RequestDomain(Domain):
    """Flask-Babel's message domain, with the translations found once per request and locale."""

    def get_translations(self):
        return kept_for_locale("translations_found", super().get_translations)


class _Babel(Babel):
    @cached_property
    def domain_instance(self) -> Domain:
        return _RequestDomain(domain=self.domain)

    def init_app(self, app, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        # Templates ask the domain itself: Flask-Babel's callables first look it up in the request's context.
        app.jinja_env.install_gettext_callables(  # added by jinja2.ext.i18n
            gettext=lambda s: self.domain_instance.get_translations().ugettext(s),
            ngettext=lambda s, p, n: self.domain_instance.get_translations().ungettext(s, p, n),
            pgettext=lambda c, s: self.domain_instance.get_translations().upgettext(c, s),
            npgettext=lambda c, s, p, n: self.domain_instance.get_translations().unpgettext(c, s, p, n),
            newstyle=True)
        # `_("…")` and `gettext("…")` straight to the words, as jinja2's newstyle gettext answers (escaped
        # where the template escapes, always %-formatted), without its two wrappers around the callable above.
        @pass_eval_context
        def template_gettext(eval_context, string: str, **variables) -> str:
            words = self.domain_instance.get_translations().ugettext(string)
            # Our own catalog's words, trusted as jinja2 trusts them; the variables are escaped by the `%`.
            return (Markup(words) if eval_context.autoescape else words) % variables  # noqa: S704

        app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


def _domain_gettext(string: str, **variables) -> str:
    return babel.domain_instance.gettext(string, **variables)


class _LazyWords(LazyString):
    def __html__(self) -> Markup:
        """Its words escaped, translated once: without it, markupsafe's escape looks for `__html__` through
        LazyString's __getattr__ (translating the words to find none), then translates them again."""
        return escape(str(self))


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's lazy_gettext asking the app's one domain directly (forms and constants: a board turns a
    hundred of them into words on every request)."""
    return _LazyWords(_domain_gettext, string, **variables)


babel = _Babel()
htmx = HTMX()
