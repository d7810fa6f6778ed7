"""Accounts and administrative units: administrators for the province, coordinators for the ward."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.admin.forms import PasswordResetForm, ProvinceLoadForm, UserForm
from app.collation import by_name
from app.extensions import db
from app.forms import show_refusal
from app.models import Role, Team, User, Ward, unit_order
from app.services import accounts, audit, geo
from app.services.accounts import CREATABLE_ROLES
from app.services.scope import require_role, scoped
from app.services.text import holds_words
from app.units import unit_name
from app.web import render

bp = Blueprint("admin", __name__, url_prefix="/admin")

MANAGERS = tuple(CREATABLE_ROLES)


@bp.before_request
@login_required
def managers_only():
    require_role(current_user, *MANAGERS, what="admin")


def _user_form() -> UserForm:
    form = UserForm()
    actor = current_user
    form.role.choices = [(r.value, r.label) for r in CREATABLE_ROLES[Role(actor.role)]]
    wards = db.session.scalars(scoped(actor, Ward).order_by(*unit_order()))
    form.ward_code.choices = [(w.code, unit_name(w)) for w in wards]
    teams = db.session.scalars(scoped(actor, Team).where(Team.active.is_(True)).order_by(by_name(Team.name)))
    form.team_id.choices = [(0, _("— none —"))] + [(t.id, t.name) for t in teams]
    return form


@bp.route("/users")
def users():
    rows = db.session.scalars(scoped(current_user, User).order_by(User.role, by_name(User.display_name)))
    return render("admin/users.html", users=list(rows), reset_form=PasswordResetForm(), manages=accounts.manages)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = _user_form()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                current_user,
                username=form.username.data, display_name=form.display_name.data,
                password=form.password.data, role=Role(form.role.data),
                ward_code=form.ward_code.data or None, team_id=form.team_id.data or None,
            )
        except accounts.AccountError as error:
            show_refusal(form, error)
            return render("admin/user_form.html", status=422, form=form)
        db.session.commit()
        flash(_("Account %(name)s created.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render("admin/user_form.html", status=422 if form.errors else 200, form=form)


@bp.route("/users/<user_id>/active", methods=["POST"])
def user_active(user_id):
    user = accounts.managed_user(current_user, user_id)
    accounts.set_active(current_user, user, not user.active)
    db.session.commit()
    flash(_("Account %(name)s enabled.", name=user.username) if user.active
          else _("Account %(name)s disabled; its sessions are ended.", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<user_id>/password", methods=["GET", "POST"])
def user_password(user_id):
    user = accounts.managed_user(current_user, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        accounts.reset_password(current_user, user, form.password.data)
        db.session.commit()
        flash(_("New password set for %(name)s.", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render("admin/password.html", status=422 if form.errors else 200, form=form, user=user)


@bp.route("/wards", methods=["GET", "POST"])
def wards():
    require_role(current_user, Role.ADMIN, what="wards")
    form = ProvinceLoadForm()
    if form.validate_on_submit():
        province, count = geo.load_province(current_user.province_code)
        audit.record(current_user, "geo.load", province, wards=count)
        db.session.commit()
        flash(_("%(count)s communes and wards of %(province)s are up to date.", count=count, province=province.name), "success")
        return redirect(url_for("admin.wards"))
    rows = list(db.session.scalars(scoped(current_user, Ward).order_by(*unit_order())))
    q = request.args.get("q", "")[:100]
    return render("admin/wards.html", wards=[w for w in rows if holds_words(unit_name(w), q)], total=len(rows), q=q,
                  form=form, status=422 if form.errors else 200)
