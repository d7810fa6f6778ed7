"""Request-level plumbing shared by every blueprint: locale, headers, errors, rendering helpers."""

import logging
import time
from datetime import date, datetime
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import flask
from flask import Flask, current_app, g, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm.util import identity_key
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import UnicodeConverter

from app import cards, units
from app.clock import local_today
from app.extensions import db, kept_for_locale, login_manager
from app.forms import FieldData
from app.models import Indicator, User
from app.navigation import nav_items
from app.numbers import NumberFormat, day_text
from app.services import audit
from app.services.prepared import Prepared, loaded
from app.services.scope import OutOfScope, RoleDenied, as_id

LANG_COOKIE = "lang"
# Large text and buttons (a setting of the phone, for older volunteers): the cookie's value when it is on.
TEXT_COOKIE, TEXT_LARGE = "text", "large"
request_log = logging.getLogger("phuso.requests")

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen is not None and chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


# Prepared once: every request with a login reads its user.
_USER_BY_ID = Prepared(select(User.__table__).where(User.__table__.c.id == bindparam("id")))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user a login cookie names (`User.get_id()`), if that login is still valid: what every request reads.
    Read as a row and put in the session as the ORM would load it (the ORM's own read costs twice as much)."""
    ident, _sep, token = user_id.partition(".")
    key = as_id(ident)
    if key is None:
        return None
    if identity_key(User, key) in db.session.identity_map:
        user = db.session.get(User, key)
    else:
        values = _USER_BY_ID.first_values({"id": key})
        user = loaded(User, values) if values is not None else None
    if user is None or not user.active or user.session_token != token:
        return None
    return user


class Request(flask.Request):
    parameter_storage_class = FieldData  # the query string and form fields, without NUL characters


class PathPart(UnicodeConverter):
    """A part of a path (an id, a token): one holding a NUL character matches no route, as for query strings."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


MAX_PAGE = 10_000


def page_number() -> int:
    """The `page` asked for, kept between 1 and a bound the database's OFFSET can take."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


NEXT_MAX = 2000


def safe_next(target: str | None) -> str:
    """Where a form sends the browser back to: a path on this site, else the home page.

    Decided by parsing, as strictly as browsers are lenient: they drop tabs and newlines inside a URL and
    read a backslash as a slash, so `/<tab>/evil` or `/\\evil` would leave the site (and CR/LF would split
    the header). The path is checked once more percent-decoded, for a proxy that decodes before routing.
    """
    if not target or len(target) > NEXT_MAX or not _plain(target):
        return url_for("main.home")
    parts = urlsplit(target)
    path = unquote(parts.path)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or not path.startswith("/") or path.startswith("//") or not _plain(path)):
        return url_for("main.home")
    return target


def _plain(text: str) -> bool:
    """No control, invisible or whitespace character and no backslash."""
    return all(c.isprintable() and not c.isspace() and c != "\\" for c in text)


def render(full: str, fragment: str | None = None, status: int = 200, **context):
    """The whole page, or only its fragment for an htmx request."""
    template = fragment if fragment and request.headers.get("HX-Request") else full
    return render_template(template, **context), status


def _audit_denial(action: str, **detail) -> None:
    """Denials are written in their own transaction: the request itself is rolled back."""
    db.session.rollback()
    actor = current_user if current_user.is_authenticated else None
    audit.record(actor, action, path=request.path[:200], method=request.method, **detail)
    db.session.commit()


def _logged_user_id() -> str:
    """The user's id for the request log, or "-". Its identity, not its row: the view's commit has expired the
    row, and reading it again would cost a query."""
    if not current_user.is_authenticated:
        return "-"
    identity = inspect(current_user._get_current_object()).identity
    return str(identity[0]) if identity else "-"


def _error_page(error: HTTPException):
    messages = {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist or is outside your area."),
        405: _("This action is not allowed here."),
        413: _("The file is too large."),
        429: _("Too many attempts. Please wait and try again."),
        500: _("Something went wrong on our side. Your data is safe; please try again."),
    }
    code = error.code or 500
    message = messages.get(code, error.description)
    if request.path.startswith("/api/"):
        return {"error": message}, code
    return render("error.html", "_error.html", code, code=code, message=message)


def init_app(app: Flask) -> None:
    app.request_class = Request
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathPart
    if app.config["PROXY_FIX"]:
        n = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        # Method, path without its query string (searches carry names), status, time, and the user's id only.
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        user_id = _logged_user_id()
        request_log.info("%s %s %s %.1fms user=%s", request.method, request.path, response.status_code,
                         elapsed_ms, user_id)
        return response

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @app.after_request
    def renew_login(response):
        """A login's remember cookie (REMEMBER_COOKIE_DURATION, 60 days) is renewed on its first request of each
        day: a volunteer who uses the app any day stays logged in, and the other requests of the day (a visit
        POST among them) sign and send no cookie. Flask-Login's own hook, which runs after this one, writes it."""
        today = local_today().isoformat()
        if "_user_id" in session and session.get("login_renewed_on") != today:
            session["login_renewed_on"] = today
            session["_remember"] = "set"
        return response

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        if app.config["HTTPS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            if current_user.is_authenticated:
                response.headers["Cache-Control"] = "private, no-cache"
        return response

    @app.errorhandler(OutOfScope)
    def out_of_scope(error: OutOfScope):
        _audit_denial("denied.scope", model=error.model, ident=str(error.ident)[:40])
        return _error_page(error)

    @app.errorhandler(RoleDenied)
    def role_denied(error: RoleDenied):
        _audit_denial("denied.role", what=error.what)
        return _error_page(error)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_denied(error: CSRFError):
        _audit_denial("denied.csrf")
        error.description = _("Your form expired or did not come from this site. Please reload the page and try again.")
        return render("error.html", "_error.html", 400, code=400, message=error.description)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error_page(error)

    @app.context_processor
    def template_globals():
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "nav_items": nav_items,
            "large_text": request.cookies.get(TEXT_COOKIE) == TEXT_LARGE,
        }

    app.jinja_env.filters["date"] = _format_day
    app.jinja_env.filters["datetime"] = lambda v: format_datetime(v, "dd/MM/yyyy HH:mm") if v else ""
    app.jinja_env.filters["number"] = lambda value, digits=0: _number_format().number(value, digits)
    app.jinja_env.filters["percent"] = lambda value: _number_format().percent(value)
    app.jinja_env.globals["number_format"] = NumberFormat
    # A unit by its own type ("Xã Thới Lai"), its residential-area word (app/units.py).
    app.jinja_env.filters["unit"] = units.unit_name
    app.jinja_env.globals["area_word"] = _area_word
    app.jinja_env.globals["table_columns"] = _table_columns
    app.jinja_env.globals["table_rows"] = _table_rows
    app.jinja_env.globals["url_ending_with"] = _url_ending_with
    app.jinja_env.globals["ratio_text"] = lambda ratio: cards.ratio_text(ratio, _number_format())


class TableColumn(NamedTuple):
    key: object
    label: str  # escaped
    beside: list[str]  # the labels of the counts shown beside the figure, in order, escaped
    shown: str  # " is-shown" on the column a phone keeps, else ""


def _table_columns(definitions, sort: str) -> list[TableColumn]:
    """A board table's columns with their labels translated and escaped once for the table, not once per cell
    (headings, the indicator picker, every row's cells). A phone shows the one sorted by, else reach."""
    shown = sort if any(d.key == sort for d in definitions) else Indicator.REACH
    return [TableColumn(d.key, escape(d.label), [escape(b.label) for b in d.beside],
                        " is-shown" if d.key == shown else "") for d in definitions]


def _table_rows(rows, columns: list[TableColumn], fmt: NumberFormat, row_href: str | None = None,
                searchable: bool = False) -> Markup:
    """A board table's rows (areas, teams, units), written in Python: a province has a hundred rows of eight
    cells, and each call from a template into a loop, a filter or a method costs more than writing the cell.
    A cell: the figure to date coloured by band, its counts, and the counts shown beside it. Names and labels
    are escaped; numbers need not be (`NumberFormat` writes digits and the locale's signs), hence the
    `noqa: S704`."""
    href = escape(row_href) if row_href else None
    counts: dict[int, str] = {}  # a table repeats its counts (households of an area, members): each written once

    def count(value: int) -> str:
        text = counts.get(value)
        if text is None:
            text = counts[value] = fmt.number(value)
        return text

    lines = []
    for row in rows:
        name = escape(row.name)
        search = f' data-search="{name}"' if searchable else ""
        head = f'<a href="{href}{escape(row.ident)}">{name}</a>' if href else name
        cells = []
        for column in columns:
            figure = row.figures[column.key]
            ratio = figure.to_date
            beside = "".join(f'<br><small class="beside">{label}: {count(b.to_date)}</small>'
                             for label, b in zip(column.beside, figure.beside, strict=True)) if column.beside else ""
            cells.append(f'<td class="num {figure.band}{column.shown}" data-label="{column.label}">'
                         f'<strong>{fmt.share(ratio.part, ratio.whole)}</strong><br>'
                         f'<small>{count(ratio.part)} / {count(ratio.whole)}</small>{beside}</td>')
        lines.append(f'<tr{search}><th scope="row">{head}</th>{"".join(cells)}</tr>')
    return Markup("\n".join(lines))  # noqa: S704


def _url_ending_with(endpoint: str, key: str, **values) -> str:
    """`endpoint`'s address ending in `key=`, for a list to append each row's value: one url_for for the list,
    not one a row (a province's tables have hundreds of rows)."""
    url = url_for(endpoint, **values)
    return f"{url}{'&' if '?' in url else '?'}{key}="


def acting_user() -> User:
    """The signed-in user itself, not Flask-Login's proxy to it: a board hands it to a dozen services, which read
    its role, unit and team a few hundred times, and each read through the proxy finds the user again."""
    return current_user._get_current_object()


def _area_word(unit=None) -> units.Word:
    """The residential-area word of `unit`, else of the signed-in user's unit, else the generic "area"."""
    if unit is None and current_user and current_user.is_authenticated:
        unit = current_user.ward
    return units.area_word(unit)


def _number_format() -> NumberFormat:
    """The `number` and `percent` filters' format, made once per request and locale: a province board writes
    some 2,000 numbers, and finding the locale for each cost more than its queries."""
    return kept_for_locale("number_format_made", NumberFormat)


def attachment(body: bytes | str, mimetype: str, name: str) -> flask.Response:
    """A file to download (an export, a document, an import template) under `name`."""
    return flask.Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy")  # in Vietnam's time zone
    return day_text(value)


