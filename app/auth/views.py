"""Login, logout and the language switch."""

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import LoginForm
from app.extensions import db
from app.services import accounts, audit
from app.web import LANG_COOKIE, TEXT_COOKIE, TEXT_LARGE, render, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        name = form.username.data.strip().lower()
        attempt = accounts.count_login_attempt(name, request.remote_addr, current_app.config)
        if attempt.refused_until:
            audit.record(None, "login.throttled", username=name[:60])
            db.session.commit()
            error = _("Too many failed attempts. Try again after %(time)s.",
                      time=format_datetime(attempt.refused_until, "HH:mm"))
            return render("auth/login.html", status=429, form=form, error=error)
        user = accounts.find_login(name)
        if accounts.check_password(user, form.password.data) and user.active:
            accounts.login_succeeded(attempt)
            # A fresh session on login: nothing set before authentication survives it.
            session.clear()
            login_user(user, remember=form.remember.data)
            user.last_login_at = db.func.now()
            audit.record(user, "login", user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        accounts.login_failed(attempt)
        audit.record(None, "login.failed", username=name[:60])
        db.session.commit()
        error = _("Wrong login name or password, or the account is disabled.")
    status = 422 if form.errors or error else 200
    return render("auth/login.html", status=status, form=form, error=error)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    user.end_sessions()
    audit.record(user, "logout", user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/text-size", methods=["POST"])
def set_text_size():
    """Large text and buttons for older volunteers, or back to normal: a setting of this phone (a cookie), so
    it holds on the login page too."""
    large = request.form.get("size") == TEXT_LARGE
    response = redirect(safe_next(request.form.get("next")))
    if large:
        response.set_cookie(TEXT_COOKIE, TEXT_LARGE, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True,
                            secure=current_app.config["HTTPS"])
    else:
        response.delete_cookie(TEXT_COOKIE)
    return response


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        code = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(LANG_COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True,
                        secure=current_app.config["HTTPS"])
    return response
