"""Flask extensions, created once and bound to the app in create_app()."""

from functools import cached_property
from typing import TYPE_CHECKING

from flask import g
from flask_babel import Babel, Domain, get_locale
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
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


class _RequestDomain(Domain):
    """Flask-Babel's message domain, with the translations found once per request and locale: a board asks for
    hundreds of words, and Flask-Babel walks the request's context some ten times for each. A locale forced
    for a document (`force_locale`) is another locale object, so its words are found for it."""

    def get_translations(self):
        if not g:
            return super().get_translations()
        locale = getattr(g.get("_flask_babel"), "babel_locale", None)
        found = g.get("translations_found")
        if found is None or found[0] is not locale or locale is None:
            translations = super().get_translations()
            g.translations_found = found = (get_locale(), translations)
        return found[1]


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


babel = _Babel()
htmx = HTMX()
